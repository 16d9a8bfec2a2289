// SPDX-License-Identifier: MIT
// A one-shot timer on CAF's I/O thread: a timerfd watched by CAF's
// multiplexer, that sends its target `(tick)` when it fires. Membership's
// rounds use it instead of `delayed_send`.
//
// Why: CAF 0.17 runs every `delayed_send` through a clock thread of its
// own, woken once to take the timer and once to fire it, which then wakes
// the I/O thread through a pipe: three thread wake-ups for a round, where a
// timerfd costs one. An idle member's cost is its wake-ups (about 120 us
// each on this project's VM), so this is most of what an idle group costs.

#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

namespace groupchat {

class io_timer {
public:
  io_timer();
  ~io_timer();

  io_timer(const io_timer&) = delete;
  io_timer& operator=(const io_timer&) = delete;

  /// Watches the timer on the I/O thread of `sys`. False if that cannot
  /// be done (no timerfd, not CAF's default multiplexer): then nobody may
  /// call `arm`.
  bool start(caf::actor_system& sys);

  /// From now on `target` gets `(tick)` each time the timer fires (set on
  /// the I/O thread, before anything that thread runs later).
  void aim(caf::actor target);

  /// Arms the timer to fire once, `delay` from now, replacing what was
  /// armed (from any thread: it is one system call).
  void arm(caf::timespan delay);

  /// Stops watching and lets go of the target, before the actor system
  /// ends (waits for the I/O thread, within bounds). The timer itself must
  /// outlive the actor system, as the stdin reader does.
  void stop();

private:
  class handler;
  std::unique_ptr<handler> handler_;
  bool stopped_ = false;
};

} // namespace groupchat
