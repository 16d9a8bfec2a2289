// SPDX-License-Identifier: MIT
// What the two halves of a Connection broker share, and nothing else
// includes: its state, and the functions one half calls in the other.
// connection.cpp has the behaviour, reading, frames and the handshake;
// connection_output.cpp writing and the backlog of what the peer has not
// taken yet.

#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/connection.hpp"
#include "actors/send_at_once.hpp"
#include "actors/tidy_broker.hpp"
#include "protocol/crypto/sealed_link.hpp"
#include "protocol/flow/backlog.hpp"
#include "protocol/flow/rate.hpp"
#include "protocol/wire/frame.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat::connection_detail {

/// Bytes taken from the socket per read: a connection starts with few and
/// takes many once `busy_reads` reads in a row filled its buffer (a busy
/// member: hundreds of frames a read, one message to Membership; not one
/// large member list). CAF keeps a read buffer of this size per
/// connection, zeroed, so touched in full: 64 KiB for each of 63 members
/// was most of what a peer of a group of 64 held.
constexpr size_t small_read = 4 * 1024;
constexpr size_t large_read = 64 * 1024;
constexpr size_t busy_reads = 16;

/// The largest buffer of gathered frames kept for the next turn.
constexpr size_t kept_output = 16 * 1024;

struct connection_state {
  static inline constexpr const char* name = "connection";

  /// Bytes taken per read now: `small_read`, then `large_read`.
  size_t read_size = small_read;
  /// Reads in a row that filled the buffer.
  size_t full_reads = 0;

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

// -- connection.cpp -----------------------------------------------------------

/// Closes the socket and ends the actor with `reason` (see the definition).
void shut(connection_actor* self, caf::error reason = caf::error{});

/// Drops the socket after a protocol violation, unflushed.
void drop(connection_actor* self, const protocol::error& err);

// -- connection_output.cpp ----------------------------------------------------

/// Writes one frame with body `body`; `last`: nothing else waits in the
/// mailbox, so the frame goes at once instead of being gathered.
void write_frame(connection_actor* self, std::string_view body,
                 bool last = false);

/// Sends the frames gathered for the socket.
void flush_direct(connection_actor* self);

/// Writes a plaintext body: sealed once the handshake completed, queued
/// before.
void send_body(connection_actor* self, std::string_view body,
               bool last = false);

/// Encodes and sends `msg` (`last` as for `write_frame`).
void on_send(connection_actor* self, const protocol::message& msg,
             bool last = false);

/// Carries out what the backlog asks (flow/backlog.hpp).
void apply(connection_actor* self, protocol::backlog::step step);

/// CAF reports what the socket took.
void on_transferred(connection_actor* self,
                    const caf::io::data_transferred_msg& msg);

/// The backlog's progress check is due.
void check_progress(connection_actor* self);

} // namespace groupchat::connection_detail
