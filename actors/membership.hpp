// The Membership actor: owns the peer list and drives the join handshake.
// It never touches a socket: it talks to connection actors (one per peer),
// asks the dialer for new connections, and tells the console what happened.

#pragma once

#include <cstddef>
#include <cstdint>
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
  /// How often members are sent a heartbeat (and liveness is checked).
  caf::timespan heartbeat_interval;
  /// Silence after which a peer is reported as `lost connection`.
  caf::timespan peer_timeout;
  /// Our peer ID, random per process (1 to 2^53 - 1). Two connections
  /// between the same pair of peers are resolved by it: the connection
  /// dialed by the peer with the lower ID survives.
  uint64_t id = 0;
  /// Benchmark hook (0: off): report every N-th chat line sent and
  /// received, and the line "last", on stderr with a CLOCK_MONOTONIC stamp
  /// ("bench sent SEQ NS", "bench recv NAME SEQ NS COUNT"); received chat
  /// lines are then not shown, since the benchmark measures the peer, not
  /// the terminal. Set from GROUPCHAT_BENCH_EVERY by bench/run.py.
  uint64_t bench_every = 0;
};

/// Returns a fresh random peer ID.
uint64_t random_peer_id();

/// Spawns the membership actor; see messages.hpp for its interface.
/// Nothing happens until it receives `(start, port, bootstrap_peers)`.
/// It quits after a graceful leave with `exit_reason::user_shutdown`, or with
/// an error whose context is a sentence if the group refused the join.
caf::actor spawn_membership(caf::actor_system& sys, membership_options opts,
                            caf::actor dialer, caf::actor console);

} // namespace groupchat
