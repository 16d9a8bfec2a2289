#include "main/terminal/terminal.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <sys/ioctl.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <future>
#include <initializer_list>
#include <string_view>

#include <editline/readline.h>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/network/default_multiplexer.hpp>
#include <caf/io/network/event_handler.hpp>
#include <caf/send.hpp>

#include "actors/messages.hpp"
#include "protocol/wire/text.hpp"

namespace groupchat {

// -- stdin_reader -------------------------------------------------------------

namespace {

constexpr char stop_request = 's';
constexpr char finish_request = 'f';
constexpr char output_request = 'o';
constexpr char release_request = 'r';

/// The reader the line editor's C callback reports to (there is one).
stdin_reader* editing_reader = nullptr;

// Columns `text` takes on the terminal (wide characters take two), in the
// locale's character set; its bytes if it does not decode.
size_t display_width(const std::string& text) {
  std::mbstate_t state{};
  const char* src = text.c_str();
  auto n = std::mbsrtowcs(nullptr, &src, 0, &state);
  if (n == static_cast<size_t>(-1))
    return text.size();
  std::wstring wide(n, L'\0');
  src = text.c_str();
  state = std::mbstate_t{};
  std::mbsrtowcs(wide.data(), &src, n, &state);
  auto width = ::wcswidth(wide.c_str(), wide.size());
  return width >= 0 ? static_cast<size_t>(width) : text.size();
}

size_t terminal_columns() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 80;
}

// Rows above the cursor that `columns_before_cursor` of output wrapped to
// (a row filled exactly puts the cursor on the next one: libedit forces
// the wrap there).
size_t rows_above(size_t columns_before_cursor) {
  return columns_before_cursor / terminal_columns();
}

// Prints whole lines and flushes.
template <class Lines>
void write_lines(const Lines& lines) {
  for (auto& line : lines) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }
  std::fflush(stdout);
}

// Moves to the first row of what took `rows` rows above the cursor and
// clears from there to the end of the screen.
void clear_rows_above(size_t rows) {
  std::fputs("\r", stdout);
  if (rows > 0)
    std::fprintf(stdout, "\033[%zuA", rows);
  std::fputs("\033[J", stdout);
}

} // namespace

// Reads a pipe on stdin on CAF's I/O thread, as an event handler of CAF's
// multiplexer, through a descriptor of its own for the pipe (opened anew,
// so that the non-blocking mode CAF sets stays off the description that
// others share). Everything here runs on the I/O thread.
class stdin_reader::io_reader : public caf::io::network::event_handler {
public:
  using operation = caf::io::network::operation;

  io_reader(caf::io::network::default_multiplexer& mpx, int fd,
            stdin_reader& owner)
    : event_handler(mpx, fd), owner_(owner) {
    // CAF stops watching a handler whose read channel it thinks closed.
    state_.reading = true;
  }

  void handle_event(operation op) override {
    // An error or a hang-up without data: CAF stops watching us.
    if (op != operation::read)
      watching_ = false;
    owner_.on_readable();
  }

  void removed_from_loop(operation) override {
    // nop
  }

  void graceful_shutdown() override {
    // nop
  }

  /// Starts or stops watching stdin (not after its end).
  void watch(bool on) {
    if (on == watching_ || (on && done))
      return;
    watching_ = on;
    if (on)
      backend().add(operation::read, fd(), this);
    else
      backend().del(operation::read, fd(), this);
  }

  /// Input ended, or the reader stopped.
  bool done = false;

private:
  stdin_reader& owner_;
  bool watching_ = false;
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
  size_t start = 0;
  auto nl = io_pending_.find('\n');
  for (; nl != std::string::npos && may_read();
       nl = io_pending_.find('\n', start)) {
    send_line(io_pending_.substr(start, nl - start));
    start = nl + 1;
  }
  io_pending_.erase(0, start);
  io_->watch(nl == std::string::npos && may_read());
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

void stdin_reader::display(const std::string& line) {
  std::unique_lock<std::mutex> guard{mtx_};
  if (!editing_) {
    // Nobody edits a line: print right away.
    write_lines(std::initializer_list<std::string_view>{line});
    return;
  }
  // One wake-up for any number of lines: the pipe never fills with them,
  // so a stop or finish request always fits.
  bool wake = output_.empty();
  // A terminal paused with Ctrl+S takes nothing: what waits is bounded.
  if (queued_bytes_ + line.size() > max_queued) {
    ++left_out_;
    return;
  }
  if (left_out_ > 0) {
    output_.push_back("[" + std::to_string(left_out_)
                      + " line(s) not shown: the terminal did not keep up]");
    left_out_ = 0;
  }
  queued_bytes_ += line.size();
  output_.push_back(line);
  if (wake) {
    [[maybe_unused]] auto n = ::write(wakeup_[1], &output_request, 1);
  }
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
    if (stopped.wait_for(std::chrono::seconds(5))
        != std::future_status::ready)
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
    // Called on the I/O thread (membership, console): runs at once.
    guard.unlock();
    io_->backend().dispatch([this] { pump(); });
    return;
  }
  [[maybe_unused]] auto res = ::write(wakeup_[1], &release_request, 1);
}

bool stdin_reader::may_read() {
  std::unique_lock<std::mutex> guard{mtx_};
  return in_flight_ < window;
}

void stdin_reader::send_line(std::string line) {
  {
    std::unique_lock<std::mutex> guard{mtx_};
    ++in_flight_;
  }
  caf::anon_send(console_, atom::line_v, std::move(line));
}

void stdin_reader::send_lines(std::string& pending) {
  size_t start = 0;
  for (auto nl = pending.find('\n'); nl != std::string::npos;
       nl = pending.find('\n', start)) {
    send_line(pending.substr(start, nl - start));
    start = nl + 1;
  }
  pending.erase(0, start);
}

// After a signal: what is there already, within the window of lines under
// way (an endless pipe must not keep us reading, nor a large file).
void stdin_reader::drain_available(std::string& pending) {
  char buf[4096];
  pollfd pfd{STDIN_FILENO, POLLIN, 0};
  while (may_read() && ::poll(&pfd, 1, 0) > 0) {
    auto n = ::read(STDIN_FILENO, buf, sizeof(buf));
    if (n <= 0)
      break;
    pending.append(buf, static_cast<size_t>(n));
  }
  send_lines(pending);
}

void stdin_reader::run() {
  std::string pending;
  char buf[4096];
  pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wakeup_[0], POLLIN, 0}};
  for (;;) {
    // A negative descriptor is skipped: with a full window, only requests
    // (a release among them) wake us.
    fds[0].fd = may_read() ? STDIN_FILENO : -1;
    fds[0].revents = 0;
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    if (fds[1].revents != 0) {
      char request = stop_request;
      [[maybe_unused]] auto n = ::read(wakeup_[0], &request, 1);
      if (request == release_request)
        continue;
      if (request == stop_request)
        return; // The process is shutting down: send nothing more.
      drain_available(pending);
      break;
    }
    if (fds[0].revents == 0)
      continue;
    auto n = ::read(STDIN_FILENO, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    pending.append(buf, static_cast<size_t>(n));
    send_lines(pending);
  }
  // A last line without newline still counts, then end of input.
  if (!pending.empty())
    send_line(std::move(pending));
  caf::anon_send(console_, atom::eof_v);
}

void stdin_reader::on_edited_line(char* line) {
  auto self = editing_reader;
  if (line == nullptr) { // Ctrl+D on an empty line.
    self->eof_ = true;
    return;
  }
  if (*line != '\0')
    add_history(line);
  // The editor left "> LINE" on the screen, the cursor below it: what the
  // line says is shown in the form of everyone's lines instead (the
  // console echoes it), so it goes.
  clear_rows_above(rows_above(display_width(self->prompt_ + line)) + 1);
  std::fflush(stdout);
  self->send_line(std::string{line});
  std::free(line);
  self->accepted_ = true;
}

// Prints what is queued above the line being edited, which is cleared
// first and redrawn after.
void stdin_reader::print_pending() {
  std::deque<std::string> lines;
  {
    std::unique_lock<std::mutex> guard{mtx_};
    lines.swap(output_);
    queued_bytes_ = 0;
  }
  if (lines.empty())
    return;
  // However many rows the line being typed wraps to, all of them go (the
  // cursor is on the row of the insertion point), then come back. Right
  // after a line was accepted, libedit still holds it until the next key,
  // but the screen shows a fresh prompt.
  auto before = prompt_;
  if (!fresh_line_ && rl_line_buffer != nullptr)
    before.append(rl_line_buffer,
                  std::min<size_t>(static_cast<size_t>(std::max(rl_point, 0)),
                                   std::strlen(rl_line_buffer)));
  clear_rows_above(rows_above(display_width(before)));
  write_lines(lines);
  rl_forced_update_display();
}

void stdin_reader::set_completions(std::vector<std::string> names) {
  std::unique_lock<std::mutex> guard{mtx_};
  names_ = std::move(names);
}

// Tab: a command at the start of the line, else a member's name (any
// case). Never file names.
char** stdin_reader::complete(const char* text, int start, int) {
  auto self = editing_reader;
  rl_attempted_completion_over = 1;
  std::string prefix{text};
  std::vector<std::string> candidates;
  if (start == 0 && !prefix.empty() && prefix.front() == '/') {
    candidates = {"/help", "/me", "/msg", "/nick", "/quit", "/who"};
  } else {
    std::unique_lock<std::mutex> guard{self->mtx_};
    candidates = self->names_;
  }
  auto want = protocol::ascii_lower(prefix);
  self->matches_.clear();
  for (auto& c : candidates)
    if (protocol::ascii_lower(c).compare(0, want.size(), want) == 0)
      self->matches_.push_back(c);
  if (self->matches_.empty())
    return nullptr;
  return rl_completion_matches(text, &stdin_reader::next_match);
}

char* stdin_reader::next_match(const char*, int state) {
  auto& matches = editing_reader->matches_;
  auto i = static_cast<size_t>(state);
  return i < matches.size() ? ::strdup(matches[i].c_str()) : nullptr;
}

void stdin_reader::run_interactive() {
  editing_reader = this;
  rl_attempted_completion_function = &stdin_reader::complete;
  // Output from now on waits for this thread, which prints it above the
  // prompt: set before the prompt is drawn, or a line printed meanwhile
  // would land on the prompt's row.
  {
    std::unique_lock<std::mutex> guard{mtx_};
    editing_ = true;
  }
  rl_callback_handler_install(prompt_.c_str(), &stdin_reader::on_edited_line);
  print_pending();
  bool leave = false;
  pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wakeup_[0], POLLIN, 0}};
  while (!eof_) {
    fds[0].fd = may_read() ? STDIN_FILENO : -1;
    fds[0].revents = 0;
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    if (fds[1].revents != 0) {
      char request = output_request;
      while (::read(wakeup_[0], &request, 1) == 1) {
        if (request == stop_request || request == finish_request)
          break;
        request = output_request; // A release only lets the loop go on.
      }
      print_pending();
      if (request == stop_request)
        break;
      if (request == finish_request) { // A signal: leave, as Ctrl+D would.
        leave = true;
        break;
      }
    }
    if (fds[0].fd >= 0 && fds[0].revents != 0) {
      fresh_line_ = false;
      rl_callback_read_char();
      if (accepted_ && !eof_) {
        // libedit keeps an accepted line until the next key, and a redraw
        // for incoming output would show it again: start a fresh line.
        accepted_ = false;
        fresh_line_ = true;
        rl_callback_handler_remove();
        rl_callback_handler_install(prompt_.c_str(),
                                    &stdin_reader::on_edited_line);
      }
    }
  }
  // Give the terminal back as it was, and what is still queued; output
  // waits meanwhile, then goes straight to the screen.
  std::deque<std::string> rest;
  {
    std::unique_lock<std::mutex> guard{mtx_};
    rl_callback_handler_remove();
    std::fputs("\r\033[2K", stdout);
    rest.swap(output_);
    queued_bytes_ = 0;
    editing_ = false;
    write_lines(rest);
  }
  if (eof_ || leave)
    caf::anon_send(console_, atom::eof_v);
}

// -- stdout_writer ------------------------------------------------------------

stdout_writer::stdout_writer(int fd, size_t max_queued)
  : fd_(fd), max_queued_(max_queued) {
  struct stat st {};
  if (::fstat(fd, &st) == 0
      && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)
          || S_ISSOCK(st.st_mode))) {
    // A pipe or terminal can block a write. Setting O_NONBLOCK on `fd`
    // would change it for everyone sharing it (the shell, after we exit):
    // open it anew instead, which gives a description of our own.
    auto path = "/proc/self/fd/" + std::to_string(fd);
    auto nb = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
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
      ok = write_all("[" + std::to_string(left_out)
                     + " line(s) not shown: the output did not keep up]\n");
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

// -- signals ------------------------------------------------------------------

namespace {

sigset_t watched_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR2);
  return set;
}

} // namespace

void block_signals() {
  auto set = watched_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

signal_watcher::signal_watcher(std::function<void()> on_signal) {
  thread_ = std::thread{[on_signal{std::move(on_signal)}] {
    auto set = watched_signals();
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0 || sig == SIGUSR2)
        return;
      on_signal();
    }
  }};
}

signal_watcher::~signal_watcher() {
  stop();
}

void signal_watcher::stop() {
  if (!thread_.joinable())
    return;
  pthread_kill(thread_.native_handle(), SIGUSR2);
  thread_.join();
}

// -- addresses ----------------------------------------------------------------

std::vector<std::string> listen_addresses(uint16_t port) {
  std::vector<std::string> external;
  std::vector<std::string> loopback;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0)
    return {"0.0.0.0:" + std::to_string(port)};
  for (auto i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET)
      continue;
    char buf[INET_ADDRSTRLEN];
    auto in = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if (::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf)) == nullptr)
      continue;
    auto entry = std::string{buf} + ":" + std::to_string(port);
    auto& target = (ntohl(in->sin_addr.s_addr) >> 24) == 127 ? loopback
                                                              : external;
    target.push_back(std::move(entry));
  }
  ::freeifaddrs(list);
  external.insert(external.end(), loopback.begin(), loopback.end());
  return external;
}

} // namespace groupchat
