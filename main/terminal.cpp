#include "main/terminal.hpp"

#include <cerrno>
#include <csignal>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <caf/send.hpp>

#include "actors/messages.hpp"

namespace groupchat {

// -- stdin_reader -------------------------------------------------------------

stdin_reader::stdin_reader(caf::actor console) : console_(std::move(console)) {
  if (::pipe2(wakeup_, O_CLOEXEC) != 0)
    wakeup_[0] = wakeup_[1] = -1;
  thread_ = std::thread{[this] { run(); }};
}

stdin_reader::~stdin_reader() {
  stop();
  for (auto fd : wakeup_)
    if (fd >= 0)
      ::close(fd);
}

namespace {

constexpr char stop_request = 's';
constexpr char finish_request = 'f';

} // namespace

void stdin_reader::finish() {
  [[maybe_unused]] auto n = ::write(wakeup_[1], &finish_request, 1);
}

void stdin_reader::stop() {
  if (!thread_.joinable())
    return;
  [[maybe_unused]] auto n = ::write(wakeup_[1], &stop_request, 1);
  thread_.join();
}

void stdin_reader::send_lines(std::string& pending) {
  size_t start = 0;
  for (auto nl = pending.find('\n'); nl != std::string::npos;
       nl = pending.find('\n', start)) {
    caf::anon_send(console_, atom::line_v, pending.substr(start, nl - start));
    start = nl + 1;
  }
  pending.erase(0, start);
}

void stdin_reader::drain_available(std::string& pending) {
  char buf[4096];
  pollfd pfd{STDIN_FILENO, POLLIN, 0};
  while (::poll(&pfd, 1, 0) > 0) {
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
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    if (fds[1].revents != 0) {
      char request = stop_request;
      [[maybe_unused]] auto n = ::read(wakeup_[0], &request, 1);
      if (request == stop_request)
        return; // The process is shutting down: send nothing more.
      drain_available(pending);
      break;
    }
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
    caf::anon_send(console_, atom::line_v, std::move(pending));
  caf::anon_send(console_, atom::eof_v);
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
