// The Connection actor: one broker per TCP socket, the only code that touches
// socket I/O. It frames outgoing messages and decodes incoming frames; any
// malformed input drops the connection (and only that connection).

#pragma once

#include <cstddef>

#include <caf/fwd.hpp>
#include <caf/io/connection_handle.hpp>
#include <caf/io/fwd.hpp>

namespace groupchat {

/// What one connection may make this process spend. Exceeding any limit
/// drops the connection (and only it) with a warning.
struct connection_limits {
  /// Upper bound for a frame body, in bytes.
  size_t max_frame_size = 0;
  /// Upper bound for output queued but not yet taken by the kernel, in
  /// bytes: a peer that stops reading cannot make us buffer without end.
  /// A backlog above it for two seconds, or above eight times it at any
  /// moment, drops the peer.
  size_t max_pending_output = 0;
  /// Frames per second a peer may send on average; bursts of up to twice
  /// this many pass.
  size_t max_messages_per_second = 0;
};

/// Spawns a connection broker that takes over `hdl` from `parent`.
/// @param owner receives the decoded messages (see messages.hpp).
/// @param accepted whether the socket was accepted (announced to `owner` with
///                 an `incoming` message) or dialed (the dialer tells `owner`).
caf::actor fork_connection(caf::io::broker* parent,
                           caf::io::connection_handle hdl, caf::actor owner,
                           const connection_limits& limits, bool accepted);

} // namespace groupchat
