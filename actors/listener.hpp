// SPDX-License-Identifier: MIT
// The Listener actor: owns the listening socket and creates every connection
// broker, for accepted sockets and for sockets the dialer connected.

#pragma once

#include <cstddef>

#include <caf/fwd.hpp>

#include "actors/connection.hpp"

namespace groupchat {

/// Spawns the listener. It opens no port until it receives
/// `(listen, port, owner)`; see messages.hpp.
/// @param limits what each connection may spend.
/// @param max_connections open connections (accepted and dialed) at most;
///                        further accepted sockets are closed at once.
caf::actor spawn_listener(caf::actor_system& sys,
                          const connection_options& limits,
                          size_t max_connections);

} // namespace groupchat
