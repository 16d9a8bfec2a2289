// The Membership actor: owns the peer list and drives the join handshake.
// It never touches a socket: it talks to connection actors (one per peer),
// asks the dialer for new connections, and tells the console what happened.
// The logic lives in plain classes (protocol/peer_table.hpp,
// protocol/join_machine.hpp, protocol/failure_detector.hpp); the actor is
// the adapter that wires them to messages and delivers chat.

#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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
  /// Upper bound of a frame body; longer chat lines are refused locally.
  size_t max_frame_size = 0;
  /// How often members are sent a heartbeat (and liveness is checked).
  caf::timespan heartbeat_interval;
  /// Silence after which a peer is reported as `lost connection`.
  caf::timespan peer_timeout;
  /// How long a stranger has from its connect to greet.
  caf::timespan greeting_timeout;
  /// Strangers (connections without a greeting) at most, in all and from
  /// one host; members lists of more than `max_members` are refused.
  size_t max_strangers = 64;
  size_t max_strangers_per_host = 16;
  size_t max_members = 256;
  /// Our peer ID, random per process (1 to 2^53 - 1). Two connections
  /// between the same pair of peers are resolved by it: the connection
  /// dialed by the peer with the lower ID survives.
  uint64_t id = 0;
  /// Called with the number of chat lines that left for the group (or were
  /// refused): the stdin reader reads on only while few lines are under
  /// way, so input waits while a join is in progress or output piles up.
  std::function<void(size_t)> release;
};

/// Returns a fresh random peer ID.
uint64_t random_peer_id();

/// Spawns the membership actor; see messages.hpp for its interface.
/// Nothing happens until it receives `(start, port, bootstrap_peers)`.
/// It quits after a graceful leave with `exit_reason::user_shutdown`, or, if
/// the group refused the join, with the error `join_refused` or
/// `authentication_failed` (see errors.hpp).
caf::actor spawn_membership(caf::actor_system& sys, membership_options opts,
                            caf::actor dialer, caf::actor console);

} // namespace groupchat
