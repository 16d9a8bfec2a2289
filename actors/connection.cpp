#include "actors/connection.hpp"

#include <algorithm>
#include <chrono>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/errors.hpp"
#include "actors/messages.hpp"
#include "protocol/frame.hpp"
#include "protocol/message.hpp"

namespace groupchat {

namespace {

using caf::io::receive_policy;

/// How long a peer with output piling up may take nothing from its socket
/// before it counts as not reading at all.
constexpr auto backlog_grace = std::chrono::seconds(2);


/// Bytes taken from the socket per read.
constexpr size_t read_chunk = 64 * 1024;

struct connection_state {
  static inline constexpr const char* name = "connection";

  /// The socket this broker owns.
  caf::io::connection_handle hdl;

  /// The membership actor: receives every decoded message.
  caf::actor owner;

  /// What this connection may spend.
  connection_options limits;

  /// Token bucket for the message rate: frames we still accept right now,
  /// refilled at `max_messages_per_second` up to twice that.
  double tokens = 0;

  /// When `tokens` was last refilled.
  caf::actor_clock::time_point refilled;

  /// Reading is halted until the token bucket refills: a peer that sends
  /// faster than the rate is slowed down by TCP, never dropped for it.
  bool paused = false;

  /// Output towards the peer is above the high watermark (membership
  /// knows); we watch its progress.
  bool congested = false;

  /// When the socket last took any of our output, while congested.
  caf::actor_clock::time_point last_progress;

  /// "host:port" of the remote side, for log lines.
  std::string remote;

  /// The remote host, normalized: what membership records.
  std::string remote_host;

  /// Splits what the socket delivers into frames.
  protocol::frame_reader reader;

  /// Set once the connection is being dropped: stop consuming input.
  bool dropped = false;

  /// Whether we accepted the socket (else we dialed it).
  bool accepted = false;

  /// The handshake and encryption, in a group with a passphrase.
  std::unique_ptr<protocol::secure_channel> secure;

  /// Bodies to send once the handshake completes.
  std::vector<std::string> queued;
};

using connection_actor = caf::stateful_actor<connection_state, caf::io::broker>;

void check_backlog(connection_actor* self);

// Closes the socket at once and ends this actor with `reason`; input still
// buffered is not consumed.
void shut(connection_actor* self, caf::error reason = caf::error{}) {
  self->state.dropped = true;
  self->close(self->state.hdl);
  self->quit(std::move(reason));
}

// Drops the socket after a protocol violation. Nothing is flushed: a peer
// that sends garbage gets no further answer.
void drop(connection_actor* self, const protocol::error& err) {
  spdlog::warn("connection {} dropped: {}", self->state.remote,
               err.to_string());
  shut(self);
}

// Refills the token bucket; returns whether a frame may be taken now.
bool refill(connection_actor* self) {
  auto& st = self->state;
  auto now = self->clock().now();
  auto rate = static_cast<double>(st.limits.max_messages_per_second);
  std::chrono::duration<double> elapsed = now - st.refilled;
  st.tokens = std::min(2 * rate, st.tokens + elapsed.count() * rate);
  st.refilled = now;
  return st.tokens >= 1;
}

// The peer sends faster than the rate: stop reading its socket until the
// next token is due. Its kernel buffers fill and its writes slow down.
void pause_reading(connection_actor* self) {
  auto& st = self->state;
  st.paused = true;
  self->halt(st.hdl);
  auto rate = static_cast<double>(st.limits.max_messages_per_second);
  std::chrono::duration<double> wait{(1 - st.tokens) / rate};
  self->delayed_send(self,
                     std::chrono::duration_cast<caf::timespan>(wait)
                       + std::chrono::microseconds(100),
                     atom::resume_v);
}

void write_frame(connection_actor* self, std::string_view body) {
  char header[protocol::length_prefix_size];
  protocol::write_length(static_cast<uint32_t>(body.size()), header);
  auto& st = self->state;
  self->write(st.hdl, sizeof(header), header);
  self->write(st.hdl, body.size(), body.data());
  self->flush(st.hdl);
  check_backlog(self);
}

// Writes a plaintext body: sealed once the handshake completed, queued
// before.
void send_body(connection_actor* self, std::string_view body) {
  auto& st = self->state;
  if (!st.secure)
    return write_frame(self, body);
  if (!st.secure->established()) {
    st.queued.emplace_back(body);
    return;
  }
  write_frame(self, st.secure->seal(body));
}

void deliver(connection_actor* self, std::string_view body) {
  auto& st = self->state;
  auto msg = protocol::decode(body);
  if (!msg)
    return drop(self, msg.error());
  spdlog::trace("connection {} received {}", st.remote,
                protocol::to_string(msg->type));
  self->send(st.owner, atom::received_v, std::move(*msg));
}

// The handshake failed. A dialed connection reports it to its owner through
// its exit reason; an accepted one warns in our log. A peer that spoke
// plaintext JSON is told why, in plaintext, before we close.
void auth_failed(connection_actor* self, std::string_view first_body,
                 const std::string& why) {
  auto& st = self->state;
  auto text = "authentication failed with " + st.remote + ": " + why;
  if (!st.accepted) {
    spdlog::error("{}", text);
    shut(self, to_caf_error({protocol::ec::authentication_failed, why}));
    return;
  }
  spdlog::warn("{}", text);
  if (!first_body.empty() && first_body.front() == '{') {
    auto refuse = protocol::make_refuse(
      "authentication failed: this group needs a passphrase");
    write_frame(self, protocol::encode(refuse));
  }
  shut(self);
}

void on_established(connection_actor* self) {
  auto& st = self->state;
  spdlog::debug("connection {} authenticated", st.remote);
  for (auto& body : st.queued)
    write_frame(self, st.secure->seal(body));
  st.queued.clear();
}

void on_body(connection_actor* self, std::string_view body) {
  auto& st = self->state;
  if (!st.secure) {
    if (protocol::is_handshake_start(body))
      return auth_failed(self, {},
                         "the peer has a passphrase, this group has none");
    return deliver(self, body);
  }
  bool was_established = st.secure->established();
  auto out = st.secure->on_frame(body);
  if (!out)
    return auth_failed(self, was_established ? std::string_view{} : body,
                       out.error().detail);
  for (auto& reply : out->to_send)
    write_frame(self, reply);
  if (!was_established && st.secure->established())
    on_established(self);
  if (out->has_plaintext)
    deliver(self, out->plaintext);
}

// Takes the complete frames received so far, one token each; pauses
// reading when the tokens run out.
void take_frames(connection_actor* self) {
  auto& st = self->state;
  while (!st.dropped && !st.paused) {
    if (!refill(self))
      return pause_reading(self);
    auto body = st.reader.next();
    if (!body)
      return drop(self, body.error());
    if (body->empty())
      return; // The rest is still on its way.
    st.tokens -= 1;
    on_body(self, *body);
  }
}

// Reading whatever the socket has (instead of exactly the 4-byte prefix,
// then exactly the body) takes one read for many frames instead of two
// reads per frame.
void on_data(connection_actor* self, const std::vector<char>& buf) {
  self->state.reader.append(buf.data(), buf.size());
  take_frames(self);
}

void on_resume(connection_actor* self) {
  auto& st = self->state;
  if (!st.paused || st.dropped)
    return;
  st.paused = false;
  self->trigger(st.hdl);
  take_frames(self);
}

// Output the peer has not taken yet waits in CAF's write buffers. Above
// the high watermark (half the bound) membership is told, so that it stops
// taking input until the backlog drains below the low watermark (a
// quarter): a sender slows down to its slowest reader instead of piling up
// memory. A peer that takes nothing at all for `backlog_grace` meanwhile is
// dropped (a stopped process, a dead link); eight times the bound drops at
// once, which caps the memory a peer can tie up.
void check_backlog(connection_actor* self) {
  auto& st = self->state;
  auto pending = self->wr_buf(st.hdl).size();
  auto bound = st.limits.max_pending_output;
  if (pending > 8 * bound)
    return drop(self, {protocol::ec::output_overflow,
                       std::to_string(pending)
                         + " bytes of output pending: the peer does not "
                           "read"});
  if (st.congested || pending <= bound / 2)
    return;
  st.congested = true;
  st.last_progress = self->clock().now();
  self->ack_writes(st.hdl, true);
  self->send(st.owner, atom::congested_v, true);
  self->delayed_send(self, backlog_grace, atom::check_v);
}

void on_transferred(connection_actor* self,
                    const caf::io::data_transferred_msg& msg) {
  auto& st = self->state;
  if (!st.congested)
    return;
  if (msg.written > 0)
    st.last_progress = self->clock().now();
  if (msg.remaining > st.limits.max_pending_output / 4)
    return;
  st.congested = false;
  self->ack_writes(st.hdl, false);
  self->send(st.owner, atom::congested_v, false);
}

// A congested peer must take something within `backlog_grace`.
void check_progress(connection_actor* self) {
  auto& st = self->state;
  if (!st.congested || st.dropped)
    return;
  auto idle = self->clock().now() - st.last_progress;
  if (idle >= backlog_grace)
    return drop(self, {protocol::ec::output_overflow,
                       "the peer took none of our output for "
                         + caf::deep_to_string(backlog_grace)});
  self->delayed_send(self, backlog_grace - idle, atom::check_v);
}

void on_send(connection_actor* self, const protocol::message& msg) {
  auto& st = self->state;
  auto body = protocol::encode(msg);
  if (body.size() > st.limits.max_frame_size) {
    // The sender checks sizes first; reaching this is a bug, not an attack.
    spdlog::error("connection {} cannot send {}: {} bytes", st.remote,
                  protocol::to_string(msg.type), body.size());
    return;
  }
  send_body(self, body);
}

caf::behavior connection(connection_actor* self, caf::io::connection_handle hdl,
                         caf::actor owner, connection_options limits,
                         bool accepted) {
  auto& st = self->state;
  st.hdl = hdl;
  st.owner = std::move(owner);
  st.limits = limits;
  st.tokens = 2.0 * static_cast<double>(limits.max_messages_per_second);
  st.refilled = self->clock().now();
  st.accepted = accepted;
  st.remote_host = protocol::normalize_host(self->remote_addr(hdl));
  st.remote = protocol::to_string(
    protocol::endpoint{st.remote_host, self->remote_port(hdl)});
  // Linked: when membership quits, no socket outlives it.
  self->link_to(st.owner);
  self->configure_read(hdl, receive_policy::at_most(read_chunk));
  // A stranger sends small frames until it greets (see `admit`).
  // Encryption adds a few bytes to every body.
  st.reader = protocol::frame_reader{
    (accepted ? std::min(limits.max_stranger_frame_size, limits.max_frame_size)
              : limits.max_frame_size)
    + (limits.key ? protocol::seal_overhead : 0)};
  // Membership counts strangers from their connect on, the passphrase
  // handshake included; it sees their messages only after the handshake.
  if (accepted)
    self->send(st.owner, atom::incoming_v, st.remote_host);
  if (limits.key) {
    using role = protocol::secure_channel::role;
    st.secure = std::make_unique<protocol::secure_channel>(
      *limits.key, accepted ? role::responder : role::initiator);
    for (auto& body : st.secure->start())
      write_frame(self, body);
    self->delayed_send(self, limits.handshake_timeout, atom::timeout_v,
                       uint64_t{0});
  }
  return {
    [=](const caf::io::new_data_msg& msg) { on_data(self, msg.buf); },
    [=](atom::send, const protocol::message& msg) { on_send(self, msg); },
    // A body encoded once by the sender for all its members.
    [=](atom::send, const std::string& body) { send_body(self, body); },
    [=](atom::check) { check_progress(self); },
    [=](atom::resume) { on_resume(self); },
    [=](atom::admit) {
      auto& st = self->state;
      st.reader.set_max(st.limits.max_frame_size
                        + (st.secure ? protocol::seal_overhead : 0));
    },
    [=](const caf::io::data_transferred_msg& msg) {
      on_transferred(self, msg);
    },
    [=](atom::close) {
      // Flush before close, or CAF drops what is still queued (e.g. a leave).
      self->flush(self->state.hdl);
      self->close(self->state.hdl);
      self->quit();
    },
    [=](atom::timeout, uint64_t) {
      if (!self->state.secure->established())
        auth_failed(self, {}, "the handshake timed out");
    },
    [=](const caf::io::connection_closed_msg&) {
      auto& st = self->state;
      if (st.secure && !st.secure->established())
        return auth_failed(self, {},
                           "the peer closed the connection during the "
                           "handshake (no passphrase, or another one?)");
      spdlog::debug("connection {} closed by peer", st.remote);
      self->quit();
    },
  };
}

} // namespace

caf::actor fork_connection(caf::io::broker* parent,
                           caf::io::connection_handle hdl, caf::actor owner,
                           const connection_options& limits, bool accepted) {
  return parent->fork(connection, hdl, std::move(owner), limits, accepted);
}

} // namespace groupchat
