// SPDX-License-Identifier: MIT
// The Connection actor: one broker per TCP socket, the only code that touches
// socket I/O. It frames outgoing messages and decodes incoming frames; any
// malformed input drops the connection (and only that connection).

#pragma once

#include <cstddef>
#include <memory>

#include <caf/fwd.hpp>
#include <caf/io/connection_handle.hpp>
#include <caf/io/fwd.hpp>
#include <caf/timespan.hpp>

#include "protocol/crypto/secure.hpp"

namespace groupchat {

/// How a connection behaves: what it may make this process spend (exceeding
/// any limit drops the connection, and only it, with a warning), and whether
/// it is encrypted.
struct connection_options {
  /// Upper bound for a frame body, in bytes.
  size_t max_frame_size = 0;
  /// Output queued but not yet taken by the kernel, in bytes. Above half of
  /// it the owner is told (`congested`) and stops taking input until it is
  /// below a quarter; a peer that takes less than 4 KiB of it in two
  /// seconds meanwhile, or lets eight times it pile up, is dropped.
  size_t max_pending_output = 0;
  /// Frames per second a peer may send on average; bursts of up to twice
  /// this many pass. A faster peer is read more slowly, never dropped.
  size_t max_messages_per_second = 0;
  /// Largest frame body a stranger (an accepted socket) may send until
  /// membership admits it (`admit`, after its greeting): handshake
  /// messages, `hello` and `greeting` are far smaller.
  size_t max_stranger_frame_size = 1024;
  /// Deadline for the handshake.
  caf::timespan handshake_timeout{0};
  /// After `close`, what is queued is still sent; a peer that takes none of
  /// it for this long is closed anyway.
  caf::timespan drain_timeout{0};
  /// After a lingering `close` (we leave), how long the peer may send
  /// nothing without closing its end before we close ours.
  caf::timespan linger_timeout{0};
  /// How long a link may stay idle without the kernel's keepalive probes
  /// being acknowledged before the socket fails (0: no keepalive).
  caf::timespan link_timeout{0};
  /// The passphrase's key; null for a group without a passphrase, whose
  /// connections use the public `open_group_key`. Either way every
  /// connection starts with the handshake and every frame is encrypted; an
  /// accepted connection of a group with a passphrase is held until its
  /// owner admits it (a guess is charged).
  std::shared_ptr<const protocol::group_key> key;
  /// The handshakes this process started and has not finished, shared by
  /// all its connections: one of them coming back to our listener is
  /// refused (null: not checked).
  std::shared_ptr<protocol::own_sessions> sessions;
};

/// Spawns a connection broker that takes over `hdl` from `parent`.
/// @param owner receives the decoded messages (see messages.hpp).
/// @param accepted whether the socket was accepted (announced to `owner` with
///                 an `incoming` message, after the handshake if there is
///                 one) or dialed (the dialer tells `owner`). The dialing
///                 side initiates the handshake. A failed handshake ends a
///                 dialed connection with the exit reason
///                 `authentication_failed` (see errors.hpp), so that its
///                 owner can report it. A dialed connection reads
///                 nothing until its owner sends `start`.
caf::actor fork_connection(caf::io::broker* parent,
                           caf::io::connection_handle hdl, caf::actor owner,
                           const connection_options& limits, bool accepted);

} // namespace groupchat
