// SPDX-License-Identifier: MIT
// Standard input: read on a thread of its own (terminals, files, FIFOs) or
// on CAF's I/O thread (anonymous pipes), with one window of lines under way
// shared by both. At a terminal the line editor (line_editor.cpp) owns the
// screen.

#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace groupchat {

/// Owns the terminal's input and, in interactive mode, its output.
///
/// It reads stdin on a plain thread and sends `(line, text)` per line and
/// `(eof)` at the end to the console. It polls stdin together with a wake-up
/// pipe, so that `stop` ends it at once (a blocking read could not be).
///
/// Flow control: at most `window` lines are under way (sent to the console
/// and not yet released, see `release`); with that many, the reader stops
/// reading stdin, so a writer into a pipe blocks and keys typed at a
/// terminal wait in the terminal until the group takes lines again.
///
/// In pipe mode with an anonymous pipe on stdin (scripts, pasted files, the
/// benchmark) stdin is read on CAF's I/O thread instead, beside the console
/// and membership: a line then wakes one thread, not two, on its way to
/// the sockets (each wake-up costs tens of microseconds on a VM).
///
/// Interactive mode (stdin and stdout are terminals): lines are edited with
/// libedit (history with Up/Down), and output passed to `display` is printed
/// by the same thread above the line being typed, which is then redrawn
/// intact. One thread owns the terminal, so the two never interleave.
class stdin_reader {
public:
  stdin_reader(bool interactive, std::string prompt);
  ~stdin_reader();

  stdin_reader(const stdin_reader&) = delete;
  stdin_reader& operator=(const stdin_reader&) = delete;

  /// Starts reading; lines go to `console`. `sys` runs the console: a
  /// pipe on stdin is read on its I/O thread.
  void start(caf::actor console, caf::actor_system& sys);

  /// Prints `line` (interactive mode): above the line being edited while
  /// the reader runs, directly before and after. Thread-safe.
  void display(const std::string& line);

  /// Asks the reader to pass on what is already typed, then end input as if
  /// stdin were closed: a line typed just before Ctrl+C is still sent.
  void finish();

  /// Ends the reader without sending anything more.
  void stop();

  /// `n` lines left for the group (or were dealt with otherwise): reading
  /// goes on if it waited for them. Thread-safe.
  void release(size_t n);

  /// The member names Tab completes (commands complete after '/').
  /// Thread-safe.
  void set_completions(std::vector<std::string> names);

  /// Lines under way at most.
  static constexpr size_t window = 64;

private:
  class io_reader;

  /// What the wake-up pipe carries to the reader's thread.
  static constexpr char stop_request = 's';
  static constexpr char finish_request = 'f';
  static constexpr char output_request = 'o';
  static constexpr char release_request = 'r';

  /// What woke the reader's thread (see `wait`).
  enum class wake : uint8_t { none, input, request, failed };

  bool start_on_io_thread(caf::actor_system& sys);
  void on_readable();
  void pump();
  void end_input();
  wake wait(bool want_input = true);
  void run();
  void run_interactive();
  /// `lone`: no other line came with it, so it may be handled at once
  /// (actors/send_at_once.hpp).
  void send_line(std::string line, bool lone = false);
  bool may_read();
  void drain_available(std::string& pending);
  bool send_lines(std::string& pending, bool within_window = false);
  void print_pending();
  static void on_edited_line(char* line);
  static char** complete(const char* text, int start, int end);
  static char* next_match(const char* text, int state);

  bool interactive_;
  std::string prompt_;
  caf::actor console_;
  int wakeup_[2] = {-1, -1};
  std::thread thread_;
  std::mutex mtx_;
  std::deque<std::string> output_;
  /// Whether the line editor owns the terminal (guarded by `mtx_`).
  bool editing_ = false;
  bool eof_ = false;
  /// The line editor just handed us a line.
  bool accepted_ = false;
  /// Lines sent and not released (guarded by `mtx_`).
  size_t in_flight_ = 0;
  /// What Tab completes (guarded by `mtx_`), and the candidates of the
  /// completion under way (reader thread only).
  std::vector<std::string> names_;
  std::vector<std::string> matches_;
  /// A line was just accepted and no key typed since (reader thread).
  bool fresh_line_ = false;
  /// Bytes in `output_`, and lines left out since it was full (guarded by
  /// `mtx_`).
  size_t queued_bytes_ = 0;
  size_t left_out_ = 0;
  static constexpr size_t max_queued = 16 * 1024 * 1024;
  /// Reading on the I/O thread: the event handler, and the part of a line
  /// read so far (I/O thread only); null when the thread reads.
  std::unique_ptr<io_reader> io_;
  std::string io_pending_;
  /// A line longer than any frame may be: what came of it went as one
  /// line (refused as too long), the rest up to its newline is dropped.
  static constexpr size_t max_line = 2 * 1024 * 1024;
  bool skipping_ = false;
};

} // namespace groupchat
