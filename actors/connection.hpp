// The Connection actor: one broker per TCP socket, the only code that touches
// socket I/O. It frames outgoing messages and decodes incoming frames; any
// malformed input drops the connection (and only that connection).

#pragma once

#include <cstddef>

#include <caf/fwd.hpp>
#include <caf/io/connection_handle.hpp>
#include <caf/io/fwd.hpp>

namespace groupchat {

/// Spawns a connection broker that takes over `hdl` from `parent`.
/// @param owner receives the decoded messages (see messages.hpp).
/// @param max_frame_size upper bound for a received frame body.
/// @param accepted whether the socket was accepted (announced to `owner` with
///                 an `incoming` message) or dialed (the dialer tells `owner`).
caf::actor fork_connection(caf::io::broker* parent,
                           caf::io::connection_handle hdl, caf::actor owner,
                           size_t max_frame_size, bool accepted);

} // namespace groupchat
