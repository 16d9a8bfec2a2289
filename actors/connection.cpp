// SPDX-License-Identifier: MIT
#include "actors/connection.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>
#include <vector>

#include <sys/socket.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/io/network/default_multiplexer.hpp>
#include <spdlog/spdlog.h>

#include "actors/errors.hpp"
#include "actors/messages.hpp"
#include "actors/tidy_broker.hpp"
#include "protocol/crypto/sealed_link.hpp"
#include "protocol/flow/backlog.hpp"
#include "protocol/flow/rate.hpp"
#include "protocol/wire/frame.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat {

namespace {

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

  /// The rate at which frames are taken (flow/rate.hpp).
  std::optional<protocol::rate> input_rate;
  /// Reading is halted until the token bucket refills: a peer that sends
  /// faster than the rate is slowed down by TCP, never dropped for it.
  bool paused = false;

  /// A dialed connection reads nothing until its owner adopted it (`start`):
  /// the owner learns of it from the dialer, another sender, and what we
  /// deliver earlier (a member's challenge) would find it unknown. An
  /// accepted one in a passphrase group waits too, until membership let its
  /// host try (too many failed guesses: it is closed unanswered).
  bool held = false;

  /// Output not yet taken by the peer's socket, and what to do about it
  /// (flow/backlog.hpp). CAF reports each write: `ack_writes`.
  std::optional<protocol::backlog> output;

  /// Membership closed us: we quit once the output is all sent (and, if
  /// lingering, once the peer closed its end too).
  bool closing = false;

  /// We leave: after our last byte went out, keep reading until the peer,
  /// having read our `leave`, closes. Closing a socket with unread input
  /// makes the kernel send RST, and a peer that gets RST throws away what
  /// it had not read yet: the last lines and the leave itself.
  bool lingering = false;

  /// "host:port" of the remote side, for log lines.
  std::string remote;
  /// The remote host, normalized: what membership records.
  std::string remote_host;

  /// Splits what the socket delivers into frames.
  protocol::frame_reader reader;

  /// Set once the connection is being dropped: stop consuming input.
  bool dropped = false;
  /// Why we quit once dropped (an authentication failure, for its owner).
  caf::error exit_reason;

  /// The handshake and encryption (with the passphrase, or the open
  /// groups' public key).
  std::optional<protocol::sealed_link> link;

  /// The socket's descriptor, for writing without CAF while its write
  /// buffer is empty (see `write_frame`); -1 where the multiplexer is not
  /// CAF's own (the test multiplexer's handles are not descriptors).
  int fd = -1;
  /// Frames gathered to be written straight to the socket (see
  /// `write_frame`).
  std::string direct;

  /// Messages decoded from one read, for membership in one message.
  std::vector<protocol::message> inbound;
};

using connection_actor = caf::stateful_actor<connection_state, tidy_broker>;

void apply(connection_actor* self, protocol::backlog::step step);
void flush_direct(connection_actor* self);

// Closes the socket and ends this actor with `reason`; input still buffered
// is not consumed. The close itself runs as our next message: inside a read
// CAF still uses the socket's state after our handler returns, and closing
// would free it under its feet.
void shut(connection_actor* self, caf::error reason = caf::error{}) {
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
                       caf::io::receive_policy::at_most(read_chunk));
  read_on(self); // One read at a time: see pause_reading.
}

// Hands bytes (a header and a body, or the rest of gathered frames) to
// CAF's write buffer, which `pending` counts.
void write_buffered(connection_actor* self, std::string_view first,
                    std::string_view second = {}) {
  auto& st = self->state;
  self->write(st.hdl, first.size(), first.data());
  if (!second.empty())
    self->write(st.hdl, second.size(), second.data());
  self->flush(st.hdl);
  apply(self,
        st.output->wrote(first.size() + second.size(), self->clock().now()));
}

// Frames go straight to the socket while CAF holds none of our output (so
// the order of bytes is kept): CAF's own path costs a round through the
// event loop and two epoll_ctl calls per write (it asks for the socket to
// become writable, writes, and stops asking). They are gathered and sent
// with one system call once the messages already in our mailbox are done
// (the `flush` we send ourselves comes after them): a line alone costs one
// send, and at a high rate many lines share one, which wakes the peer once
// for all of them.
void write_frame(connection_actor* self, std::string_view body) {
  char header[protocol::length_prefix_size];
  protocol::write_length(static_cast<uint32_t>(body.size()), header);
  auto& st = self->state;
  if (st.fd >= 0 && st.output->pending() == 0) {
    if (st.direct.empty())
      self->send(self, atom::flush_v);
    st.direct.append(header, sizeof(header));
    st.direct.append(body);
    return;
  }
  write_buffered(self, {header, sizeof(header)}, body);
}

// Sends the gathered frames without blocking; what the socket does not take
// goes to CAF, and so does an error, for CAF's write to find: it ends the
// connection as any other error does.
void flush_direct(connection_actor* self) {
  auto& st = self->state;
  if (st.direct.empty())
    return;
  std::string data;
  data.swap(st.direct);
  // Once dropped, CAF may have closed the descriptor, and its number may
  // name another socket by now.
  if (st.dropped)
    return;
  ssize_t n;
  do {
    n = ::send(st.fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  auto done = n > 0 ? static_cast<size_t>(n) : size_t{0};
  if (done < data.size())
    write_buffered(self, std::string_view{data}.substr(done));
}

// Writes a plaintext body: sealed once the handshake completed, queued
// before.
void send_body(connection_actor* self, std::string_view body) {
  if (auto frame = self->state.link->outgoing(body))
    write_frame(self, *frame);
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
    self->send(st.owner, atom::received_v, std::move(st.inbound.front()));
  else
    self->send(st.owner, atom::received_v, std::move(st.inbound));
  st.inbound.clear();
}

// The handshake failed. A dialed connection reports it to its owner through
// its exit reason; an accepted one warns in our log, and membership counts
// it as a guess at the passphrase from that host.
void auth_failed(connection_actor* self, const protocol::error& why,
                 bool silent_peer = false) {
  auto& st = self->state;
  auto text = "authentication failed with " + st.remote + ": " + why.detail;
  if (st.link->accepted())
    spdlog::warn("{}", text);
  else if (silent_peer) // Stopped, or away: membership says what it means.
    spdlog::info("{}", text);
  else
    spdlog::error("{}", text);
  shut(self, to_caf_error(why));
}

void on_body(connection_actor* self, std::string_view body) {
  auto& st = self->state;
  bool was_established = st.link->established();
  auto step = st.link->on_frame(body);
  for (auto& frame : step.to_write)
    write_frame(self, frame);
  if (step.failed)
    return auth_failed(self, *step.failed);
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

// Carries out what the backlog asks (flow/backlog.hpp).
void apply(connection_actor* self, protocol::backlog::step step) {
  auto& st = self->state;
  if (step.congested)
    self->send(st.owner, atom::congested_v, *step.congested);
  if (step.check_after)
    self->delayed_send(self, *step.check_after, atom::check_v);
  using ending = protocol::backlog::step::ending;
  if (step.end == ending::drop)
    return drop(self, {protocol::ec::output_overflow, step.why});
  if (step.end == ending::shut) {
    if (!step.why.empty())
      spdlog::warn("connection {}: {}", st.remote, step.why);
    shut(self);
  }
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

void on_transferred(connection_actor* self,
                    const caf::io::data_transferred_msg& msg) {
  auto& st = self->state;
  auto written = msg.written > 0 ? static_cast<size_t>(msg.written) : 0;
  apply(self, st.output->took(written, self->clock().now()));
}

void check_progress(connection_actor* self) {
  auto& st = self->state;
  auto step = st.output->check(self->clock().now());
  if (!st.dropped)
    apply(self, std::move(step));
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
    [=](atom::send, const protocol::message& msg) { on_send(self, msg); },
    // A body encoded once by the sender for all its members.
    [=](atom::send, const std::string& body) { send_body(self, body); },
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
        auth_failed(self, *why, true);
    },
    [=](const caf::io::connection_closed_msg&) { on_closed(self); },
  };
}

} // namespace

caf::actor fork_connection(caf::io::broker* parent,
                           caf::io::connection_handle hdl, caf::actor owner,
                           const connection_options& limits, bool accepted) {
  return parent->fork(connection, hdl, std::move(owner), limits, accepted);
}

} // namespace groupchat
