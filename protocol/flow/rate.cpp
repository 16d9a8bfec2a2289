// SPDX-License-Identifier: MIT
#include "protocol/flow/rate.hpp"

#include <algorithm>

namespace groupchat::protocol {

rate::rate(size_t per_second, time_point now)
  : per_second_(static_cast<double>(per_second)), tokens_(2 * per_second_),
    refilled_(now) {
  // nop
}

bool rate::available(time_point now) {
  std::chrono::duration<double> elapsed = now - refilled_;
  tokens_ = std::min(2 * per_second_, tokens_ + elapsed.count() * per_second_);
  refilled_ = now;
  return tokens_ >= 1;
}

timespan rate::wait() const {
  std::chrono::duration<double> wait{(1 - tokens_) / per_second_};
  return std::chrono::duration_cast<timespan>(wait);
}

} // namespace groupchat::protocol
