// SPDX-License-Identifier: MIT
#include "actors/dialer.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <string>

#include <fcntl.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/errors.hpp"
#include "actors/messages.hpp"

namespace groupchat {

namespace {

using clock_type = std::chrono::steady_clock;

/// Set at shutdown: waiting connects give up.
std::atomic<bool> cancelled{false};

/// A waiting connect looks at `cancelled` this often.
constexpr int poll_slice_ms = 20;

// Milliseconds left until `deadline`, at least 0.
int remaining_ms(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
    deadline - clock_type::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits for a connect in progress on `fd` to finish, in slices so that
// cancel_dials() is noticed. Returns 0 on success, else an errno value
// (ETIMEDOUT at the deadline, ECANCELED after cancel_dials()).
int await_connect(int fd, clock_type::time_point deadline) {
  pollfd pfd{fd, POLLOUT, 0};
  for (;;) {
    if (cancelled)
      return ECANCELED;
    auto left = remaining_ms(deadline);
    if (left == 0)
      return ETIMEDOUT;
    auto ready = ::poll(&pfd, 1, std::min(left, poll_slice_ms));
    if (ready > 0) {
      int err = 0;
      socklen_t len = sizeof(err);
      return ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 ? err
                                                                     : errno;
    }
    if (ready < 0 && errno != EINTR)
      return errno;
  }
}

// Binds `fd` (of `family`) to `source`, port 0; returns 0 or an errno.
int bind_source(int fd, int family, const std::string& source) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (family == AF_INET) {
    auto in = reinterpret_cast<sockaddr_in*>(&ss);
    in->sin_family = AF_INET;
    len = sizeof(sockaddr_in);
    if (::inet_pton(AF_INET, source.c_str(), &in->sin_addr) != 1)
      return EAFNOSUPPORT;
  } else {
    auto in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    in6->sin6_family = AF_INET6;
    len = sizeof(sockaddr_in6);
    if (::inet_pton(AF_INET6, source.c_str(), &in6->sin6_addr) != 1)
      return EAFNOSUPPORT;
  }
  return ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 ? 0 : errno;
}

// One non-blocking connect to `addr`, waiting at most until `deadline`.
int connect_one(const addrinfo& addr, clock_type::time_point deadline,
                std::string& why, const std::string& source) {
  int fd = ::socket(addr.ai_family,
                    addr.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    addr.ai_protocol);
  if (fd < 0) {
    why = std::strerror(errno);
    return -1;
  }
  int err = source.empty() ? 0 : bind_source(fd, addr.ai_family, source);
  if (err == EAFNOSUPPORT)
    why = "not reachable from the --listen address " + source;
  else if (err != 0)
    why = "cannot connect from " + source + ": " + std::strerror(err);
  if (err != 0) {
    ::close(fd);
    return -1;
  }
  if (::connect(fd, addr.ai_addr, addr.ai_addrlen) != 0)
    err = errno == EINPROGRESS ? await_connect(fd, deadline) : errno;
  if (err != 0) {
    why = err == ETIMEDOUT ? "connect timed out" : std::strerror(err);
    ::close(fd);
    return -1;
  }
  // Chat lines are small and latency matters more than packet count.
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

caf::behavior dial_worker(caf::event_based_actor* self, caf::actor listener,
                          caf::timespan timeout, std::string source) {
  return {
    [=](atom::connect, const std::string& host,
        uint16_t port) -> caf::result<caf::message> {
      self->quit();
      std::string why;
      auto fd = dial(host, port, timeout, why, source);
      if (fd < 0)
        return to_caf_error({protocol::ec::connect_failed, why});
      return self->delegate(listener, atom::adopt_v, fd);
    },
  };
}

/// Connects at most this many sockets at once; a member list of thousands
/// of addresses costs this many threads, not thousands.
constexpr size_t max_parallel_dials = 4;

/// Connects waiting for a worker at most; more fail at once.
constexpr size_t max_queued_dials = 1024;

struct dialer_state {
  static inline constexpr const char* name = "dialer";

  /// A connect waiting for a free worker.
  struct job {
    std::string host;
    uint16_t port;
    caf::typed_response_promise<caf::actor, std::string> promise;
  };

  std::deque<job> queue;

  /// Workers connecting now.
  size_t active = 0;

  /// The address connects go out from; empty: the route's choice.
  std::string source;
};

using dialer_pointer = dialer_actor::stateful_pointer<dialer_state>;

// Starts queued connects while fewer than `max_parallel_dials` run. Each
// runs on a detached worker: none holds a scheduler thread while it waits.
void start_dials(dialer_pointer self, const caf::actor& listener,
                 caf::timespan timeout) {
  auto& st = self->state;
  while (st.active < max_parallel_dials && !st.queue.empty()) {
    auto promise = st.queue.front().promise;
    auto worker = self->spawn<caf::detached>(dial_worker, listener, timeout,
                                             st.source);
    self
      ->request(worker, caf::infinite, atom::connect_v,
                std::move(st.queue.front().host), st.queue.front().port)
      .then(
        [=](caf::actor& conn, std::string& host) mutable {
          promise.deliver(std::move(conn), std::move(host));
          --self->state.active;
          start_dials(self, listener, timeout);
        },
        [=](caf::error& err) mutable {
          promise.deliver(std::move(err));
          --self->state.active;
          start_dials(self, listener, timeout);
        });
    st.queue.pop_front();
    ++st.active;
  }
}

dialer_actor::behavior_type dialer(dialer_pointer self, caf::actor listener,
                                   caf::timespan timeout, std::string source) {
  self->state.source = std::move(source);
  return {
    [=](atom::connect, std::string& host,
        uint16_t port) -> caf::result<caf::actor, std::string> {
      if (self->state.queue.size() >= max_queued_dials)
        return to_caf_error(
          {protocol::ec::connect_failed, "too many connects waiting"});
      auto promise = self->make_response_promise<caf::actor, std::string>();
      self->state.queue.push_back({std::move(host), port, promise});
      start_dials(self, listener, timeout);
      return promise;
    },
  };
}

} // namespace

void cancel_dials() {
  cancelled = true;
}

int dial(const std::string& host, uint16_t port, caf::timespan timeout,
         std::string& why, const std::string& source) {
  auto deadline = clock_type::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  auto service = std::to_string(port);
  if (auto rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
      rc != 0) {
    why = ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  why = "no address";
  for (auto i = list; i != nullptr && fd < 0; i = i->ai_next) {
    if (remaining_ms(deadline) == 0) {
      why = "connect timed out";
      break;
    }
    fd = connect_one(*i, deadline, why, source);
  }
  ::freeaddrinfo(list);
  return fd;
}

dialer_actor spawn_dialer(caf::actor_system& sys, caf::actor listener,
                          caf::timespan connect_timeout, std::string source) {
  // A new run (a name asked for again): the last one's dials are over, its
  // actor system gone with them.
  cancelled = false;
  return sys.spawn(dialer, std::move(listener), connect_timeout,
                   std::move(source));
}

} // namespace groupchat
