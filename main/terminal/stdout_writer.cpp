// SPDX-License-Identifier: MIT
#include "main/terminal/stdout_writer.hpp"

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

namespace groupchat {

// -- stdout_writer ------------------------------------------------------------

stdout_writer::stdout_writer(int fd, size_t max_queued)
  : fd_(fd), max_queued_(max_queued), left_out_line_([](size_t n) {
      return "[" + std::to_string(n)
             + " line(s) not shown: the output did not keep up]";
    }) {
  struct stat st {};
  if (::fstat(fd, &st) == 0
      && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)
          || S_ISSOCK(st.st_mode))) {
    // A pipe or terminal can block a write. Setting O_NONBLOCK on `fd`
    // would change it for everyone sharing it (the shell, after we exit):
    // open it anew instead, which gives a description of our own.
    auto path = "/proc/self/fd/" + std::to_string(fd);
    auto nb = ::open(path.c_str(),
                     O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (nb >= 0) {
      fd_ = nb;
      own_fd_ = true;
    } else {
      direct_ = false; // Only the thread writes, and may block.
    }
  }
  thread_ = std::thread{[this] { run(); }};
}

stdout_writer::~stdout_writer() {
  {
    std::unique_lock<std::mutex> guard{mtx_};
    stop_ = true;
    deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  }
  cv_.notify_one();
  thread_.join();
  if (own_fd_)
    ::close(fd_);
}

void stdout_writer::set_left_out_line(
  std::function<std::string(size_t)> format) {
  left_out_line_ = std::move(format);
}

void stdout_writer::write_line(const std::string& line) {
  std::string data;
  data.reserve(line.size() + 1);
  data += line;
  data += '\n';
  std::unique_lock<std::mutex> guard{mtx_};
  if (direct_ && !busy_ && queue_.empty()) {
    auto n = ::write(fd_, data.data(), data.size());
    if (n == static_cast<ssize_t>(data.size()))
      return;
    if (n > 0)
      data.erase(0, static_cast<size_t>(n));
  }
  if (queue_.size() + data.size() > max_queued_) {
    ++left_out_;
    return;
  }
  queue_ += data;
  cv_.notify_one();
}

// Writes all of `data`, waiting for the descriptor as long as needed (or
// until the deadline once stopping). Returns false if output is gone.
bool stdout_writer::write_all(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    auto n = ::write(fd_, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno != EAGAIN)
      return false; // Nobody reads any more (EPIPE).
    {
      std::unique_lock<std::mutex> guard{mtx_};
      if (stop_ && std::chrono::steady_clock::now() >= deadline_)
        return false;
    }
    pollfd pfd{fd_, POLLOUT, 0};
    ::poll(&pfd, 1, 100);
  }
  return true;
}

void stdout_writer::run() {
  for (;;) {
    std::string chunk;
    size_t left_out = 0;
    {
      std::unique_lock<std::mutex> guard{mtx_};
      cv_.wait(guard, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty())
        return;
      chunk.swap(queue_);
      std::swap(left_out, left_out_);
      busy_ = true;
    }
    bool ok = write_all(chunk);
    if (ok && left_out > 0)
      ok = write_all(left_out_line_(left_out) + '\n');
    std::unique_lock<std::mutex> guard{mtx_};
    busy_ = false;
    if (!ok) {
      direct_ = false;
      queue_.clear();
      if (stop_)
        return;
    }
  }
}

} // namespace groupchat
