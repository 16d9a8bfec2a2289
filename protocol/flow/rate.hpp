// SPDX-License-Identifier: MIT
// The rate at which one peer's frames are taken: a token bucket refilled
// at `per_second`, bursts of up to twice that. A peer that sends faster is
// read more slowly (its kernel buffers fill and its writes slow down),
// never dropped for it. A plain class; the Connection actor pauses reading
// for `wait()` when no token is left.

#pragma once

#include <chrono>
#include <cstddef>

#include "protocol/time.hpp"

namespace groupchat::protocol {

class rate {
public:
  /// A full bucket at `now`.
  rate(size_t per_second, time_point now);

  /// Refills the bucket; returns whether a frame may be taken now.
  bool available(time_point now);

  /// A frame was taken.
  void spend() noexcept {
    tokens_ -= 1;
  }

  /// How long until the next token, once `available` said no.
  timespan wait() const;

private:
  double per_second_;
  double tokens_;
  time_point refilled_;
};

} // namespace groupchat::protocol
