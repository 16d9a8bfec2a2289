#include "actors/connection.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/messages.hpp"
#include "protocol/frame.hpp"
#include "protocol/message.hpp"

namespace groupchat {

namespace {

using caf::io::receive_policy;

struct connection_state {
  static inline constexpr const char* name = "connection";

  /// The socket this broker owns.
  caf::io::connection_handle hdl;

  /// The membership actor: receives every decoded message.
  caf::actor owner;

  /// Upper bound for a frame body.
  size_t max_frame_size = 0;

  /// "host:port" of the remote side, for log lines.
  std::string remote;

  /// Whether the next read is a length prefix (else a body).
  bool awaiting_header = true;
};

using connection_actor = caf::stateful_actor<connection_state, caf::io::broker>;

void await_header(connection_actor* self) {
  self->state.awaiting_header = true;
  self->configure_read(self->state.hdl,
                       receive_policy::exactly(protocol::header_size));
}

// Drops the socket after a protocol violation. Nothing is flushed: a peer
// that sends garbage gets no further answer.
void drop(connection_actor* self, const protocol::error& err) {
  spdlog::warn("connection {} dropped: {}", self->state.remote,
               err.to_string());
  self->close(self->state.hdl);
  self->quit();
}

void on_data(connection_actor* self, const std::vector<char>& buf) {
  auto& st = self->state;
  if (st.awaiting_header) {
    if (buf.size() != protocol::header_size)
      return drop(self, {protocol::ec::truncated_frame, "short header"});
    auto length = protocol::check_length(protocol::read_length(buf.data()),
                                         st.max_frame_size);
    if (!length)
      return drop(self, length.error());
    // Only now, with the length checked, does CAF size the body buffer.
    st.awaiting_header = false;
    self->configure_read(st.hdl, receive_policy::exactly(*length));
    return;
  }
  auto msg = protocol::decode(std::string_view{buf.data(), buf.size()});
  if (!msg)
    return drop(self, msg.error());
  spdlog::trace("connection {} received {}", st.remote,
                protocol::to_string(msg->type));
  self->send(st.owner, atom::received_v, std::move(*msg));
  await_header(self);
}

void on_send(connection_actor* self, const protocol::message& msg) {
  auto& st = self->state;
  auto frame = protocol::encode_frame(msg, st.max_frame_size);
  if (!frame) {
    // The sender checks sizes first; reaching this is a bug, not an attack.
    spdlog::error("connection {} cannot send {}: {}", st.remote,
                  protocol::to_string(msg.type), frame.error().to_string());
    return;
  }
  self->write(st.hdl, frame->size(), frame->data());
  self->flush(st.hdl);
}

caf::behavior connection(connection_actor* self, caf::io::connection_handle hdl,
                         caf::actor owner, size_t max_frame_size,
                         bool accepted) {
  auto& st = self->state;
  st.hdl = hdl;
  st.owner = std::move(owner);
  st.max_frame_size = max_frame_size;
  auto host = protocol::normalize_host(self->remote_addr(hdl));
  st.remote = protocol::to_string(
    protocol::endpoint{host, self->remote_port(hdl)});
  // Linked: when membership quits, no socket outlives it.
  self->link_to(st.owner);
  if (accepted)
    self->send(st.owner, atom::incoming_v, host);
  await_header(self);
  return {
    [=](const caf::io::new_data_msg& msg) { on_data(self, msg.buf); },
    [=](atom::send, const protocol::message& msg) { on_send(self, msg); },
    [=](atom::close) {
      // Flush before close, or CAF drops what is still queued (e.g. a leave).
      self->flush(self->state.hdl);
      self->close(self->state.hdl);
      self->quit();
    },
    [=](const caf::io::connection_closed_msg&) {
      spdlog::debug("connection {} closed by peer", self->state.remote);
      self->quit();
    },
  };
}

} // namespace

caf::actor fork_connection(caf::io::broker* parent,
                           caf::io::connection_handle hdl, caf::actor owner,
                           size_t max_frame_size, bool accepted) {
  return parent->fork(connection, hdl, std::move(owner), max_frame_size,
                      accepted);
}

} // namespace groupchat
