#include "actors/listener.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/connection.hpp"
#include "actors/messages.hpp"

namespace groupchat {

namespace {

struct listener_state {
  static inline constexpr const char* name = "listener";

  /// Receives the messages of every connection this listener creates.
  caf::actor owner;

  /// Upper bound for a received frame, handed to each connection.
  size_t max_frame_size = 0;
};

using listener_actor = caf::stateful_actor<listener_state, caf::io::broker>;

caf::result<uint16_t> listen(listener_actor* self, uint16_t port,
                             caf::actor owner) {
  // Our own doorman, not middleman::spawn_server: only this way do we get
  // SO_REUSEADDR, so a restarted peer can reuse its port during TIME_WAIT.
  auto res = self->add_tcp_doorman(port, nullptr, true);
  if (!res)
    return std::move(res.error());
  self->state.owner = std::move(owner);
  spdlog::debug("listener opened port {}", res->second);
  return res->second;
}

caf::behavior listener(listener_actor* self, size_t max_frame_size) {
  self->state.max_frame_size = max_frame_size;
  return {
    [=](atom::listen, uint16_t port, caf::actor owner) {
      return listen(self, port, std::move(owner));
    },
    [=](atom::adopt, int fd) -> caf::result<caf::actor> {
      auto& st = self->state;
      if (!st.owner)
        return caf::make_error(caf::sec::invalid_argument, "not listening");
      auto hdl = self->add_scribe(fd);
      return fork_connection(self, hdl, st.owner, st.max_frame_size, false);
    },
    [=](const caf::io::new_connection_msg& msg) {
      auto& st = self->state;
      fork_connection(self, msg.handle, st.owner, st.max_frame_size, true);
    },
    [=](const caf::io::acceptor_closed_msg&) {
      spdlog::error("listener lost its listening socket");
      self->quit(caf::sec::socket_disconnected);
    },
  };
}

} // namespace

caf::actor spawn_listener(caf::actor_system& sys, size_t max_frame_size) {
  return sys.middleman().spawn_broker(listener, max_frame_size);
}

} // namespace groupchat
