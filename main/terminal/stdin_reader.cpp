// SPDX-License-Identifier: MIT
#include "main/terminal/stdin_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <future>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/network/default_multiplexer.hpp>
#include <caf/send.hpp>

#include "actors/messages.hpp"
#include "actors/send_at_once.hpp"
#include "main/io_handler.hpp"

namespace groupchat {

// Reads a pipe on stdin on CAF's I/O thread, as an event handler of CAF's
// multiplexer, through a descriptor of its own for the pipe (opened anew,
// so that the non-blocking mode CAF sets stays off the description that
// others share). Everything here runs on the I/O thread.
class stdin_reader::io_reader : public io_handler {
public:
  io_reader(caf::io::network::default_multiplexer& mpx, int fd,
            stdin_reader& owner)
    : io_handler(mpx, fd), owner_(owner) {
    // nop
  }

  void handle_event(operation op) override {
    // An error or a hang-up without data: CAF stops watching us.
    if (op != operation::read)
      unwatched();
    owner_.on_readable();
  }

  /// Starts or stops watching stdin (not after its end).
  void watch(bool on) {
    if (!(on && done))
      io_handler::watch(on);
  }

  /// Input ended, or the reader stopped.
  bool done = false;

private:
  stdin_reader& owner_;
};

stdin_reader::stdin_reader(bool interactive, std::string prompt)
  : interactive_(interactive), prompt_(std::move(prompt)) {
  if (::pipe2(wakeup_, O_CLOEXEC | O_NONBLOCK) != 0)
    wakeup_[0] = wakeup_[1] = -1;
}

stdin_reader::~stdin_reader() {
  stop();
  for (auto fd : wakeup_)
    if (fd >= 0)
      ::close(fd);
}

void stdin_reader::start(caf::actor console, caf::actor_system& sys) {
  console_ = std::move(console);
  if (start_on_io_thread(sys))
    return;
  thread_ = std::thread{[this] { interactive_ ? run_interactive() : run(); }};
}

bool stdin_reader::start_on_io_thread(caf::actor_system& sys) {
  // Anonymous pipes only: epoll cannot watch files, a terminal is read by
  // the line editor, and a named FIFO opened anew without a writer would
  // never report its end (the kernel waits for a new writer).
  struct stat st {};
  if (interactive_ || ::fstat(STDIN_FILENO, &st) != 0 || !S_ISFIFO(st.st_mode))
    return false;
  auto path = "/proc/self/fd/" + std::to_string(STDIN_FILENO);
  char target[64] = {};
  if (::readlink(path.c_str(), target, sizeof(target) - 1) < 0
      || std::string_view{target}.rfind("pipe:", 0) != 0)
    return false;
  auto mpx = dynamic_cast<caf::io::network::default_multiplexer*>(
    &sys.middleman().backend());
  if (mpx == nullptr)
    return false;
  auto fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return false;
  io_ = std::make_unique<io_reader>(*mpx, fd, *this);
  mpx->dispatch([this] { io_->watch(true); });
  return true;
}

// One read per readiness event (epoll reports the rest again). Lines go
// out while fewer than `window` are under way; the rest wait in
// `io_pending_`, and stdin is not read until `release` makes room.
void stdin_reader::on_readable() {
  if (io_->done)
    return;
  char buf[16 * 1024];
  auto n = ::read(io_->fd(), buf, sizeof(buf));
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
    io_->watch(true);
    return;
  }
  if (n <= 0)
    return end_input();
  io_pending_.append(buf, static_cast<size_t>(n));
  pump();
}

// Sends the complete lines read so far, within the window; reads on only
// when all went.
void stdin_reader::pump() {
  if (io_->done)
    return;
  io_->watch(send_lines(io_pending_, true) && may_read());
}

void stdin_reader::end_input() {
  if (io_->done)
    return;
  io_->watch(false);
  io_->done = true;
  // Every line read still counts, a last one without newline too, then
  // end of input.
  send_lines(io_pending_);
  if (!io_pending_.empty())
    send_line(std::move(io_pending_));
  io_pending_.clear();
  caf::anon_send(console_, atom::eof_v);
}

void stdin_reader::finish() {
  if (io_) {
    // What is there already, within the window, then the end: as the
    // thread does, on the I/O thread.
    io_->backend().dispatch([this] {
      if (io_->done)
        return;
      drain_available(io_pending_);
      end_input();
    });
    return;
  }
  [[maybe_unused]] auto n = ::write(wakeup_[1], &finish_request, 1);
}

void stdin_reader::stop() {
  if (io_ && console_) {
    // Unwatched before the I/O thread ends (it runs while anything is
    // watched); waited for, within bounds.
    auto done = std::make_shared<std::promise<void>>();
    auto stopped = done->get_future();
    io_->backend().dispatch([this, done] {
      io_->watch(false);
      io_->done = true;
      done->set_value();
    });
    // If the I/O thread did not answer, it may still use `console_`.
    if (stopped.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
      return;
  }
  if (thread_.joinable()) {
    [[maybe_unused]] auto n = ::write(wakeup_[1], &stop_request, 1);
    thread_.join();
  }
  // The actor system waits for the console to be released.
  console_ = nullptr;
}

void stdin_reader::release(size_t n) {
  std::unique_lock<std::mutex> guard{mtx_};
  bool was_full = in_flight_ >= window;
  in_flight_ -= std::min(n, in_flight_);
  if (!was_full || in_flight_ >= window)
    return;
  if (io_) {
    // Called on the I/O thread (membership, console), maybe from a handler
    // that a line we are sending ran at once (`send_line`): in the next
    // turn, not inside `send_lines`.
    guard.unlock();
    io_->backend().post([this] { pump(); });
    return;
  }
  [[maybe_unused]] auto res = ::write(wakeup_[1], &release_request, 1);
}

bool stdin_reader::may_read() {
  std::unique_lock<std::mutex> guard{mtx_};
  return in_flight_ < window;
}

void stdin_reader::send_line(std::string line, bool lone) {
  {
    std::unique_lock<std::mutex> guard{mtx_};
    ++in_flight_;
  }
  // On the I/O thread, a line alone (no burst to gather) is handled at
  // once.
  if (io_)
    return send_at_once_from_io(&io_->backend(), lone, console_, atom::line_v,
                                std::move(line));
  caf::anon_send(console_, atom::line_v, std::move(line));
}

bool stdin_reader::send_lines(std::string& pending, bool within_window) {
  if (skipping_) {
    auto end = pending.find('\n');
    pending.erase(0, end == std::string::npos ? pending.size() : end + 1);
    skipping_ = end == std::string::npos;
  }
  size_t start = 0;
  auto nl = pending.find('\n');
  bool lone = nl != std::string::npos && nl + 1 == pending.size();
  for (; nl != std::string::npos && (!within_window || may_read());
       nl = pending.find('\n', start)) {
    send_line(pending.substr(start, nl - start), lone);
    start = nl + 1;
  }
  pending.erase(0, start);
  // A line without end (a stream with no newline) must not grow until
  // memory runs out.
  if (pending.size() > max_line && (!within_window || may_read())) {
    send_line(std::move(pending));
    pending.clear();
    skipping_ = true;
  }
  return nl == std::string::npos;
}

// After a signal: what is there already, within the window of lines under
// way (an endless pipe must not keep us reading, nor a large file).
void stdin_reader::drain_available(std::string& pending) {
  char buf[4096];
  pollfd pfd{STDIN_FILENO, POLLIN, 0};
  while (may_read() && pending.size() <= max_line && ::poll(&pfd, 1, 0) > 0) {
    auto n = ::read(STDIN_FILENO, buf, sizeof(buf));
    if (n <= 0)
      break;
    pending.append(buf, static_cast<size_t>(n));
  }
  send_lines(pending);
}

// Waits until stdin is readable, while the window has room, or a request
// arrives on the wake-up pipe. A negative descriptor is skipped: with a
// full window, only requests (a release among them) wake us.
stdin_reader::wake stdin_reader::wait(bool want_input) {
  for (;;) {
    pollfd fds[2] = {{want_input && may_read() ? STDIN_FILENO : -1, POLLIN, 0},
                     {wakeup_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      return wake::failed;
    }
    if (fds[1].revents != 0)
      return wake::request;
    return fds[0].fd >= 0 && fds[0].revents != 0 ? wake::input : wake::none;
  }
}

void stdin_reader::run() {
  std::string pending;
  char buf[4096];
  for (;;) {
    // What was read goes first, within the window; stdin is read again
    // only once all of it went.
    auto all_sent = send_lines(pending, true);
    auto woken = wait(all_sent);
    if (woken == wake::failed)
      break;
    if (woken == wake::request) {
      char request = stop_request;
      [[maybe_unused]] auto n = ::read(wakeup_[0], &request, 1);
      if (request == release_request)
        continue;
      if (request == stop_request)
        return; // The process is shutting down: send nothing more.
      drain_available(pending);
      break;
    }
    if (woken == wake::none)
      continue;
    auto n = ::read(STDIN_FILENO, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    pending.append(buf, static_cast<size_t>(n));
  }
  // Every line read still counts, a last one without newline too, then
  // end of input.
  send_lines(pending);
  if (!pending.empty())
    send_line(std::move(pending));
  caf::anon_send(console_, atom::eof_v);
}

} // namespace groupchat
