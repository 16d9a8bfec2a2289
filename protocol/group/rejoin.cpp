// SPDX-License-Identifier: MIT
#include "protocol/group/rejoin.hpp"

#include <algorithm>
#include <random>

#include "protocol/wire/text.hpp"

namespace groupchat::protocol {

rejoin_schedule::rejoin_schedule(timespan window, timespan first,
                                 timespan longest)
  : window_(window), first_(first), longest_(longest) {
  // nop
}

void rejoin_schedule::lost(const member_info& m, time_point now) {
  if (window_ <= timespan::zero() || m.id.empty() || m.host.empty())
    return;
  lost_[m.id] = entry{m, now, now + first_, first_, false};
  if (lost_.size() > max_lost)
    lost_.erase(
      std::min_element(lost_.begin(), lost_.end(), [](auto& x, auto& y) {
        return x.second.lost_at < y.second.lost_at;
      }));
}

void rejoin_schedule::forget(const peer_id& id) {
  lost_.erase(id);
}

void rejoin_schedule::forget_name(const std::string& name, const peer_id& id) {
  auto key = name_key(name);
  for (auto i = lost_.begin(); i != lost_.end();)
    i = i->first != id && name_key(i->second.member.name) == key
          ? lost_.erase(i)
          : std::next(i);
}

bool rejoin_schedule::has_name(const std::string& name,
                               const peer_id& id) const {
  auto key = name_key(name);
  for (auto& [other, e] : lost_)
    if (other != id && name_key(e.member.name) == key)
      return true;
  return false;
}

std::vector<member_info> rejoin_schedule::due(time_point now) {
  std::vector<member_info> result;
  size_t in_flight = 0;
  for (auto i = lost_.begin(); i != lost_.end();) {
    if (now - i->second.lost_at > window_)
      i = lost_.erase(i);
    else
      in_flight += (i++)->second.in_flight ? 1 : 0;
  }
  // A few at a time: retries must not take every connect worker from
  // joins and gossip, and the rest wait their turn.
  for (auto& [id, e] : lost_) {
    if (in_flight >= max_in_flight)
      break;
    if (!e.in_flight && e.next_try <= now) {
      e.in_flight = true;
      ++in_flight;
      result.push_back(e.member);
    }
  }
  return result;
}

void rejoin_schedule::failed(const peer_id& id, time_point now) {
  auto i = lost_.find(id);
  if (i == lost_.end())
    return;
  auto& e = i->second;
  if (!e.in_flight)
    return; // Lost again just now: its first try stands.
  e.in_flight = false;
  e.wait = std::min(longest_, e.wait * 2);
  // Both sides retry on the same schedule: a little jitter keeps their
  // connects from crossing every time.
  std::uniform_int_distribution<int> percent{80, 120};
  e.next_try = now + e.wait * percent(rng_) / 100;
}

} // namespace groupchat::protocol
