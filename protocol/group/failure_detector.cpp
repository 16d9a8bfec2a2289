// SPDX-License-Identifier: MIT
#include "protocol/group/failure_detector.hpp"

namespace groupchat::protocol {

std::vector<conn_id> failure_detector::expired(const peer_table& peers,
                                               time_point now) const {
  std::vector<conn_id> result;
  for (auto& [conn, p] : peers.all())
    if (watches(p.st) && deadline(p) <= now)
      result.push_back(conn);
  return result;
}

std::vector<timespan> failure_detector::early_checks(const peer_table& peers,
                                                     time_point now) const {
  std::vector<timespan> result;
  for (auto& [conn, p] : peers.all()) {
    auto t = deadline(p);
    if (watches(p.st) && t > now && t < now + interval_)
      result.push_back(t - now);
  }
  return result;
}

std::optional<size_t> failure_detector::next_round(size_t members) {
  ++rounds_;
  if (rounds_ % gossip_every != 0 || members == 0)
    return std::nullopt;
  return (rounds_ / gossip_every) % members;
}

timespan failure_detector::until_next_round(uint64_t wall) const {
  auto interval = static_cast<uint64_t>(
    std::chrono::duration_cast<std::chrono::microseconds>(interval_).count());
  if (interval == 0)
    return timespan{0};
  return std::chrono::microseconds(interval - wall % interval);
}

} // namespace groupchat::protocol
