// SPDX-License-Identifier: MIT
// The Connection broker: its behaviour, reading, frames and the handshake.
// What it writes is in connection_output.cpp; both share
// connection_state.hpp.
#include "actors/connection.hpp"

#include <algorithm>
#include <chrono>

#include <caf/io/network/default_multiplexer.hpp>
#include <spdlog/spdlog.h>

#include "actors/connection_state.hpp"
#include "actors/errors.hpp"
#include "actors/messages.hpp"
#include "actors/send_at_once.hpp"

namespace groupchat::connection_detail {

// Closes the socket and ends this actor with `reason`; input still buffered
// is not consumed. The close itself runs as our next message: inside a read
// CAF still uses the socket's state after our handler returns, and closing
// would free it under its feet.
void shut(connection_actor* self, caf::error reason) {
  auto& st = self->state;
  if (st.dropped)
    return;
  flush_direct(self); // What was written before still goes, as with CAF.
  st.dropped = true;
  // A stranger that could test a guess at the passphrase: membership
  // counts one against its host.
  if (st.link->counts_as_guess() && !reason)
    reason = to_caf_error(
      {protocol::ec::authentication_failed, "the handshake did not complete"});
  st.exit_reason = std::move(reason);
  self->send(self, atom::shut_v);
}

// Drops the socket after a protocol violation. Nothing is flushed: a peer
// that sends garbage gets no further answer.
void drop(connection_actor* self, const protocol::error& err) {
  spdlog::warn("connection {} dropped: {}", self->state.remote,
               err.to_string());
  shut(self);
}

// The peer sends faster than the rate: stop reading its socket until the
// next token is due. Its kernel buffers fill and its writes slow down.
// Reading runs on activity tokens, one read at a time (see `on_data`):
// not renewing the token is what stops it. (CAF 0.17's `halt` cannot be
// undone by `trigger` while the stream is inside a read.)
void pause_reading(connection_actor* self) {
  auto& st = self->state;
  spdlog::trace("connection {} pauses reading", st.remote);
  st.paused = true;
  self->delayed_send(self,
                     st.input_rate->wait() + std::chrono::microseconds(100),
                     atom::resume_v);
}

// Allows the next read, unless reading is paused.
void read_on(connection_actor* self) {
  auto& st = self->state;
  if (!st.paused && !st.dropped && !st.held)
    self->trigger(st.hdl, 1);
}

void start_reading(connection_actor* self) {
  self->configure_read(self->state.hdl,
                       caf::io::receive_policy::at_most(self->state.read_size));
  read_on(self); // One read at a time: see pause_reading.
}

void deliver(connection_actor* self, std::string_view body) {
  auto& st = self->state;
  auto msg = protocol::decode(body);
  if (!msg)
    return drop(self, msg.error());
  if (st.closing) {
    // Nobody listens any more. A peer that leaves too sends nothing after
    // its leave: closing now leaves no input unread, so no RST.
    if (st.lingering && msg->type == protocol::message_type::leave)
      shut(self);
    return;
  }
  spdlog::trace("connection {} received {}", st.remote,
                protocol::to_string(msg->type));
  // The handshake's signatures cover the passphrase handshake too.
  st.link->bind(*msg);
  st.inbound.push_back(std::move(*msg));
}

// What one read brought goes to membership as one message: at a high rate
// a read holds hundreds of frames, and each actor message costs about what
// decoding a frame does. Alone, a message goes as itself.
void send_inbound(connection_actor* self) {
  auto& st = self->state;
  if (st.inbound.empty())
    return;
  if (st.inbound.size() == 1)
    send_at_once(self, st.owner, atom::received_v,
                 std::move(st.inbound.front()));
  else
    send_at_once(self, st.owner, atom::received_v, std::move(st.inbound));
  st.inbound.clear();
}

// The handshake failed. A dialed connection reports it to its owner through
// its exit reason, and membership says what it means (a join that ends, a
// member with another passphrase): here it is only logged at info. An
// accepted one warns in our log, and membership counts it as a guess at
// the passphrase from that host if it was one. In an open group nothing
// authenticates: the handshake just failed.
void auth_failed(connection_actor* self, const protocol::error& why) {
  auto& st = self->state;
  bool key_test = why.code == protocol::ec::authentication_failed;
  auto text = (key_test || st.limits.key ? "authentication failed with "
                                         : "handshake failed with ")
              + st.remote + ": " + why.detail;
  if (st.link->accepted())
    spdlog::warn("{}", text);
  else
    spdlog::info("{}", text);
  shut(self, to_caf_error(why));
}

void on_body(connection_actor* self, std::string_view body) {
  auto& st = self->state;
  bool was_established = st.link->established();
  bool was_answered = st.link->answered();
  auto step = st.link->on_frame(body);
  for (auto& frame : step.to_write)
    write_frame(self, frame);
  if (step.failed)
    return auth_failed(self, *step.failed);
  // A stranger on its way in keeps its place in the pool before idle ones.
  if (st.link->accepted() && !was_answered && st.link->answered())
    self->send(st.owner, atom::answered_v);
  if (!was_established && st.link->established())
    spdlog::debug("connection {} authenticated", st.remote);
  if (step.body)
    deliver(self, *step.body);
}

// Takes the complete frames received so far, one token each; pauses
// reading when the tokens run out.
void take_each_frame(connection_actor* self) {
  auto& st = self->state;
  while (!st.dropped && !st.paused) {
    // Closing, input is only read to its end: no rate applies.
    if (!st.closing && !st.input_rate->available(self->clock().now()))
      return pause_reading(self);
    auto body = st.reader.next();
    if (!body)
      return drop(self, body.error());
    if (body->empty())
      return; // The rest is still on its way.
    st.input_rate->spend();
    on_body(self, *body);
  }
}

void take_frames(connection_actor* self) {
  take_each_frame(self);
  send_inbound(self);
}

// Reading whatever the socket has (instead of exactly the 4-byte prefix,
// then exactly the body) takes one read for many frames instead of two
// reads per frame.
void on_data(connection_actor* self, const std::vector<char>& buf) {
  auto& st = self->state;
  st.output->heard(self->clock().now());
  st.reader.append(buf.data(), buf.size());
  st.full_reads = buf.size() == st.read_size ? st.full_reads + 1 : 0;
  if (st.full_reads >= busy_reads && st.read_size < large_read) {
    st.read_size = large_read; // More was waiting, again and again.
    self->configure_read(st.hdl,
                         caf::io::receive_policy::at_most(st.read_size));
  }
  take_frames(self);
  read_on(self);
}

void on_resume(connection_actor* self) {
  auto& st = self->state;
  if (!st.paused || st.dropped)
    return;
  st.paused = false;
  spdlog::trace("connection {} resumes reading", st.remote);
  take_frames(self);
  read_on(self);
}

void on_close(connection_actor* self, bool linger) {
  auto& st = self->state;
  if (st.closing || st.dropped)
    return;
  st.closing = true;
  st.lingering = linger;
  if (st.paused) { // Input is read to its end now, without a rate.
    st.paused = false;
    take_frames(self);
    read_on(self);
  }
  // Flush before close, or CAF drops what is still queued (e.g. a leave).
  flush_direct(self);
  self->flush(st.hdl);
  apply(self, st.output->close(linger, self->clock().now()));
}

// Takes over the socket: limits, names for the log, the link to the owner,
// reading (unless held) and the handshake.
void init(connection_actor* self, caf::io::connection_handle hdl,
          caf::actor owner, const connection_options& limits, bool accepted) {
  auto& st = self->state;
  st.hdl = hdl;
  st.owner = std::move(owner);
  st.limits = limits;
  st.input_rate.emplace(limits.max_messages_per_second, self->clock().now());
  st.output.emplace(protocol::backlog::limits{
    limits.max_pending_output, limits.drain_timeout, limits.linger_timeout});
  st.link.emplace(limits.key.get(), accepted, limits.sessions.get());
  // CAF's own multiplexer names a connection by its socket descriptor.
  if (dynamic_cast<caf::io::network::default_multiplexer*>(
        &self->system().middleman().backend())
      != nullptr)
    st.fd = static_cast<int>(hdl.id());
  st.remote_host = protocol::normalize_host(self->remote_addr(hdl));
  st.remote = protocol::to_string(
    protocol::endpoint{st.remote_host, self->remote_port(hdl)});
  // Linked: when membership quits, no socket outlives it. What was
  // gathered for the socket still goes (CAF sends its own buffer too).
  self->link_to(st.owner);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    flush_direct(self);
    if (msg.reason)
      self->quit(std::move(msg.reason));
  });
  // Configuring the read starts reading (CAF launches the stream).
  st.held = !accepted || limits.key != nullptr;
  if (!st.held)
    start_reading(self);
  // Every write is reported: the backlog counts what the peer has not taken.
  self->ack_writes(hdl, true);
  // A stranger sends small frames until it greets (see `admit`).
  // Encryption adds a few bytes to every body.
  st.reader = protocol::frame_reader{
    (accepted ? std::min(limits.max_stranger_frame_size, limits.max_frame_size)
              : limits.max_frame_size)
    + st.link->overhead()};
  // Membership counts strangers from their connect on, the passphrase
  // handshake included; it sees their messages only after the handshake.
  if (accepted)
    self->send(st.owner, atom::incoming_v, st.remote_host);
  // The handshake's first frames and its deadline.
  for (auto& body : st.link->start())
    write_frame(self, body);
  self->delayed_send(self, limits.handshake_timeout, atom::timeout_v,
                     uint64_t{0});
}

// The peer closed its end.
void on_closed(connection_actor* self) {
  auto& st = self->state;
  if (auto why = st.link->closed_by_peer())
    return auth_failed(self, *why);
  spdlog::debug("connection {} closed by peer", st.remote);
  st.dropped = true;
  self->quit();
}

caf::behavior connection(connection_actor* self, caf::io::connection_handle hdl,
                         caf::actor owner, connection_options limits,
                         bool accepted) {
  init(self, hdl, std::move(owner), limits, accepted);
  return {
    [=](const caf::io::new_data_msg& msg) { on_data(self, msg.buf); },
    [=](atom::send, const protocol::message& msg) {
      on_send(self, msg, nothing_waits(self));
    },
    // A body encoded once by the sender for all its members.
    [=](atom::send, const std::string& body) {
      send_body(self, body, nothing_waits(self));
    },
    [=](atom::check) { check_progress(self); },
    [=](atom::flush) { flush_direct(self); },
    [=](atom::resume) { on_resume(self); },
    [=](atom::start) {
      if (self->state.held) {
        self->state.held = false;
        start_reading(self);
      }
    },
    [=](atom::admit) {
      auto& st = self->state;
      st.reader.set_max(st.limits.max_frame_size + st.link->overhead());
    },
    [=](const caf::io::data_transferred_msg& msg) {
      on_transferred(self, msg);
    },
    // Reading stopped because we did not renew its token: we know.
    [=](const caf::io::connection_passivated_msg&) {},
    [=](atom::close, bool linger) { on_close(self, linger); },
    [=](atom::shut) {
      auto& st = self->state;
      self->close(st.hdl);
      self->quit(std::move(st.exit_reason));
    },
    [=](atom::timeout, uint64_t) {
      if (auto why = self->state.link->timed_out())
        auth_failed(self, *why);
    },
    [=](const caf::io::connection_closed_msg&) { on_closed(self); },
  };
}

} // namespace groupchat::connection_detail

namespace groupchat {

caf::actor fork_connection(caf::io::broker* parent,
                           caf::io::connection_handle hdl, caf::actor owner,
                           const connection_options& limits, bool accepted) {
  return parent->fork(connection_detail::connection, hdl, std::move(owner),
                      limits, accepted);
}

} // namespace groupchat
