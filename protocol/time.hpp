// SPDX-License-Identifier: MIT
// The clock every plain class of protocol/ counts in: CAF's actor clock is
// this steady clock (simulated in the deterministic tests), and the actors
// pass their `now` in. Below every folder: any of them may use it.

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace groupchat::protocol {

/// A point on the actor clock.
using time_point = std::chrono::steady_clock::time_point;

/// A duration on that clock (the same type as `caf::timespan`).
using timespan = std::chrono::nanoseconds;

/// The wall clock, in microseconds since the Unix epoch, as lines carry
/// it: the system clock itself in real use (a suspended laptop must not
/// shift the times of its lines); in the deterministic tests, where all
/// simulated peers share one clock, the `simulated` time read as one.
inline uint64_t wall_micros(std::optional<time_point> simulated = {}) {
  using std::chrono::system_clock;
  auto t = simulated ? system_clock::time_point{}
                         + std::chrono::duration_cast<system_clock::duration>(
                           simulated->time_since_epoch())
                     : system_clock::now();
  return static_cast<uint64_t>(
    std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch())
      .count());
}

} // namespace groupchat::protocol
