// SPDX-License-Identifier: MIT
// For suites whose code needs real threads or sockets (the dialer's
// workers, adopting a socket, the stdin reader): a real actor system with
// the middleman, a scoped actor that waits with deadlines, and sockets on
// 127.0.0.1 only.

#pragma once

#include <chrono>
#include <cstdint>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

namespace groupchat::testing {

/// How long a test waits for something that should take microseconds.
constexpr auto patience = std::chrono::seconds(10);

struct live_system {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;

  live_system() : sys{configure(cfg)}, self{sys} {
    // nop
  }

  static caf::actor_system_config& configure(caf::actor_system_config& cfg) {
    cfg.load<caf::io::middleman>();
    cfg.set("scheduler.max-threads", 2);
    return cfg;
  }
};

inline sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

/// A TCP socket bound to 127.0.0.1 on a free port, listening with
/// `backlog` unless negative; its port in `port`.
inline int bound_socket(uint16_t& port, int backlog) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto addr = loopback(0);
  socklen_t len = sizeof(addr);
  if (fd < 0
      || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0
      || (backlog >= 0 && ::listen(fd, backlog) != 0)
      || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return -1;
  port = ntohs(addr.sin_port);
  return fd;
}

/// A blocking connect to 127.0.0.1:`port`; -1 on failure.
inline int connect_to(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto addr = loopback(port);
  if (fd >= 0
      && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0)
    return fd;
  if (fd >= 0)
    ::close(fd);
  return -1;
}

/// The port at the other end of a connected socket.
inline uint16_t peer_port(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return 0;
  return ntohs(addr.sin_port);
}

} // namespace groupchat::testing
