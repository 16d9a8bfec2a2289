// The Membership actor: owns the peer list and drives the join handshake.
// It never touches a socket: it talks to connection actors (one per peer),
// asks the dialer for new connections, and tells the console what happened.

#pragma once

#include <cstddef>
#include <string>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

namespace groupchat {

/// What membership needs to know about this peer and its timeouts.
struct membership_options {
  /// Our display name, already validated.
  std::string name;
  /// How long an entry peer may take to send the member list, and how long
  /// the greetings of a join may take all together.
  caf::timespan join_timeout;
  /// How long a graceful leave may take to flush before we quit anyway.
  caf::timespan leave_timeout;
  /// Upper bound of a frame body; longer chat lines are refused locally.
  size_t max_frame_size = 0;
};

/// Spawns the membership actor; see messages.hpp for its interface.
/// Nothing happens until it receives `(start, port, bootstrap_peers)`.
/// It quits after a graceful leave.
caf::actor spawn_membership(caf::actor_system& sys, membership_options opts,
                            caf::actor dialer, caf::actor console);

} // namespace groupchat
