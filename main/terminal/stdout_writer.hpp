// SPDX-License-Identifier: MIT
// The stdout of pipe mode: lines are written without ever blocking the
// console's thread (the I/O thread of every socket and timer).

#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace groupchat {

/// Writes the lines of pipe mode to stdout without ever blocking its caller
/// (the console, which runs on the thread of all sockets and timers): what
/// the descriptor takes at once is written at once, with no other thread
/// involved; what it does not take (a pipe nobody drains, a terminal paused
/// with Ctrl+S) waits in a queue that a thread of its own writes out.
/// Order is kept: once something waits, everything after it waits too.
class stdout_writer {
public:
  /// Writes to `fd`; at most `max_queued` bytes wait, beyond that lines are
  /// counted and left out, and a line says how many once output flows.
  explicit stdout_writer(int fd, size_t max_queued = 16 * 1024 * 1024);

  /// Writes what waits, for at most a second, then stops the thread.
  ~stdout_writer();

  stdout_writer(const stdout_writer&) = delete;
  stdout_writer& operator=(const stdout_writer&) = delete;

  /// Writes `line` and a newline. Never blocks. Thread-safe.
  void write_line(const std::string& line);

  /// How the line that counts lines left out reads (English by default;
  /// JSON in JSON Lines mode). Set before the first write.
  void set_left_out_line(std::function<std::string(size_t)> format);

private:
  void run();
  bool write_all(const std::string& data);

  /// A non-blocking descriptor for the same pipe or terminal (opened anew,
  /// so that the blocking mode of the descriptor others share stays as it
  /// was), or `fd` itself for files, which never block.
  int fd_;
  bool own_fd_ = false;
  /// Whether callers may write themselves (`fd_` does not block).
  bool direct_ = true;
  size_t max_queued_;
  std::mutex mtx_;
  std::condition_variable cv_;
  /// What waits for the thread, in order (guarded by `mtx_`).
  std::string queue_;
  /// The thread is writing what it took from the queue.
  bool busy_ = false;
  /// Lines left out since the queue was full.
  size_t left_out_ = 0;
  std::function<std::string(size_t)> left_out_line_;
  bool stop_ = false;
  std::chrono::steady_clock::time_point deadline_;
  std::thread thread_;
};

} // namespace groupchat
