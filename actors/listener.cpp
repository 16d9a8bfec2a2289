// SPDX-License-Identifier: MIT
#include "actors/listener.hpp"

#include <algorithm>
#include <chrono>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/io/network/default_multiplexer.hpp>
#include <caf/io/network/native_socket.hpp>
#include <spdlog/spdlog.h>

#include "actors/connection.hpp"
#include "actors/messages.hpp"
#include "actors/tidy_broker.hpp"
#include "protocol/wire/endpoint.hpp"

namespace groupchat {

namespace {

struct listener_state {
  static inline constexpr const char* name = "listener";

  /// Receives the messages of every connection this listener creates.
  caf::actor owner;

  /// What each connection may spend.
  connection_options limits;

  /// Open connections at most.
  size_t max_connections = 0;

  /// Open connections now (we monitor each).
  size_t open = 0;

  /// Accepted sockets closed for the limit since the last warning.
  size_t refused = 0;

  /// When we last warned about refused sockets (one warning per second).
  caf::actor_clock::time_point last_warning;
};

using listener_actor = caf::stateful_actor<listener_state, tidy_broker>;

caf::result<uint16_t> listen(listener_actor* self, uint16_t port,
                             caf::actor owner, const std::string& host) {
  // Our own doorman, not middleman::spawn_server: only this way do we get
  // SO_REUSEADDR, so a restarted peer can reuse its port during TIME_WAIT.
  auto res = self->add_tcp_doorman(port, host.empty() ? nullptr : host.c_str(),
                                   true);
  if (!res)
    return std::move(res.error());
  self->state.owner = std::move(owner);
  spdlog::debug("listener opened port {}", res->second);
  return res->second;
}

// Chat lines are small and latency matters more than packet count: no
// Nagle delay, on accepted sockets as on dialed ones (the dialer sets it).
// CAF 0.17 sets nothing on accepted sockets and has no broker call for it,
// but its default multiplexer names a connection by its socket descriptor.
void set_nodelay(listener_actor* self, caf::io::connection_handle hdl) {
  using caf::io::network::default_multiplexer;
  if (dynamic_cast<default_multiplexer*>(&self->backend()) != nullptr)
    static_cast<void>(caf::io::network::tcp_nodelay(
      static_cast<caf::io::network::native_socket>(hdl.id()), true));
}

// A link cut between two members that both still run (a firewall, one
// path's cable) is found by the kernel: on an idle socket its keepalive
// probes go unanswered, and the socket fails within `timeout`, waking
// nobody meanwhile. Our own probes (failure_detector.hpp) find a stopped
// process, but reach a given member only every few rounds in a big group.
void set_keepalive(listener_actor* self, caf::io::connection_handle hdl,
                   caf::timespan timeout) {
  using caf::io::network::default_multiplexer;
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  if (secs.count() < 2
      || dynamic_cast<default_multiplexer*>(&self->backend()) == nullptr)
    return; // The kernel counts in whole seconds.
  auto fd = static_cast<int>(hdl.id());
  // Silent for half the timeout, then one probe a second for the rest:
  // one lost probe (or its answer) does not end a live link.
  int on = 1;
  int idle = static_cast<int>(secs.count() / 2);
  int interval = 1;
  int count = static_cast<int>(secs.count()) - idle;
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
}

caf::actor start_connection(listener_actor* self,
                            caf::io::connection_handle hdl, bool accepted) {
  auto& st = self->state;
  if (accepted)
    set_nodelay(self, hdl);
  set_keepalive(self, hdl, st.limits.link_timeout);
  auto conn = fork_connection(self, hdl, st.owner, st.limits, accepted);
  self->monitor(conn);
  ++st.open;
  return conn;
}

// A flood of connections costs one close each, and one log line a second.
void refuse_connection(listener_actor* self, caf::io::connection_handle hdl) {
  auto& st = self->state;
  self->close(hdl);
  ++st.refused;
  auto now = self->clock().now();
  if (now - st.last_warning >= std::chrono::seconds(1)) {
    spdlog::warn("refused {} connection(s): {} are open, the maximum",
                 st.refused, st.open);
    st.refused = 0;
    st.last_warning = now;
  }
}

caf::behavior listener(listener_actor* self, connection_options limits,
                       size_t max_connections) {
  self->state.limits = limits;
  self->state.max_connections = max_connections;
  self->set_down_handler([self](caf::down_msg&) { --self->state.open; });
  return {
    [=](atom::listen, uint16_t port, caf::actor owner,
        const std::string& host) {
      return listen(self, port, std::move(owner), host);
    },
    [=](atom::adopt, int fd) -> caf::result<caf::actor, std::string> {
      auto& st = self->state;
      if (!st.owner)
        return caf::make_error(caf::sec::invalid_argument, "not listening");
      auto hdl = self->add_scribe(fd);
      auto host = protocol::normalize_host(self->remote_addr(hdl));
      // Our own dials count, but are never refused: membership asked.
      return {start_connection(self, hdl, false), std::move(host)};
    },
    [=](const caf::io::new_connection_msg& msg) {
      if (self->state.open >= self->state.max_connections)
        refuse_connection(self, msg.handle);
      else
        start_connection(self, msg.handle, true);
    },
    [=](const caf::io::acceptor_closed_msg&) {
      spdlog::error("listener lost its listening socket");
      self->quit(caf::sec::socket_disconnected);
    },
  };
}

} // namespace

caf::actor spawn_listener(caf::actor_system& sys,
                          const connection_options& limits,
                          size_t max_connections) {
  return sys.middleman().spawn_broker(listener, limits, max_connections);
}

} // namespace groupchat
