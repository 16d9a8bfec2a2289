// SPDX-License-Identifier: MIT
// The Membership actor: owns the peer list and drives the join handshake.
// It never touches a socket: it talks to connection actors (one per peer),
// asks the dialer for new connections, and tells the console what happened.
// The logic lives in plain classes (protocol/group/peer_table.hpp,
// protocol/group/join_machine.hpp, protocol/group/failure_detector.hpp); the actor is
// the adapter that wires them to messages and delivers chat.

#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "actors/messages.hpp"
#include "protocol/group/join_machine.hpp"

namespace groupchat {

/// What membership needs to know about this peer and its timeouts.
struct membership_options {
  /// Who we are, the join's deadline and the bounds on strangers and
  /// member lists: what the join machine needs.
  protocol::join_options join;
  /// Upper bound of a frame body; longer chat lines are refused locally.
  size_t max_frame_size = 0;
  /// How often a member probes another (failure_detector.hpp).
  caf::timespan heartbeat_interval;
  /// Silence after which a peer is reported as `lost connection`.
  caf::timespan peer_timeout;
  /// How long a stranger has from its connect to greet.
  caf::timespan greeting_timeout;
  /// Our own lines kept to send again to members that missed them.
  size_t history_lines = 200;
  /// ... and at most this many bytes of their text.
  size_t history_bytes = 4 * 1024 * 1024;
  /// Line times follow the actor clock (tests: simulated time) instead of
  /// the wall clock.
  bool simulated_clock = false;
  /// Called with the number of chat lines that left for the group (or were
  /// refused): the stdin reader reads on only while few lines are under
  /// way, so input waits while a join is in progress or output piles up.
  std::function<void(size_t)> release;
  /// Arms the timer of the rounds: `(tick)` after the delay, replacing what
  /// was armed (main/io_timer.hpp: on the I/O thread without CAF's clock
  /// thread). Unset (the tests), rounds are `delayed_send`s.
  std::function<void(caf::timespan)> arm_tick;
};

/// Spawns the membership actor; see messages.hpp for its interface.
/// Nothing happens until it receives `(start, port, bootstrap_peers)`.
/// It quits after a graceful leave with `exit_reason::user_shutdown`, or, if
/// the group refused the join, with the error `join_refused` or
/// `authentication_failed` (see errors.hpp).
/// With `on_io_thread` (production) it runs on the I/O thread, beside the
/// connections and the console, so a line crosses no thread inside the
/// process; without (the deterministic tests) on the scheduler.
membership_actor spawn_membership(caf::actor_system& sys,
                                  membership_options opts, dialer_actor dialer,
                                  console_actor console,
                                  bool on_io_thread = false);

} // namespace groupchat
