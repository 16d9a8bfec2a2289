// The clock every plain class of protocol/ counts in: CAF's actor clock is
// this steady clock (simulated in the deterministic tests), and the actors
// pass their `now` in. Below every folder: any of them may use it.

#pragma once

#include <chrono>

namespace groupchat::protocol {

/// A point on the actor clock.
using time_point = std::chrono::steady_clock::time_point;

/// A duration on that clock (the same type as `caf::timespan`).
using timespan = std::chrono::nanoseconds;

} // namespace groupchat::protocol
