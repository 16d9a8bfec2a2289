// The Listener actor: owns the listening socket and creates every connection
// broker, for accepted sockets and for sockets the dialer connected.

#pragma once

#include <cstddef>

#include <caf/fwd.hpp>

namespace groupchat {

/// Spawns the listener. It opens no port until it receives
/// `(listen, port, owner)`; see messages.hpp.
/// @param max_frame_size upper bound for a received frame, per connection.
caf::actor spawn_listener(caf::actor_system& sys, size_t max_frame_size);

} // namespace groupchat
