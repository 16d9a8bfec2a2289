#include "protocol/rejoin.hpp"

#include <algorithm>

#include "protocol/text.hpp"

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
    lost_.erase(std::min_element(lost_.begin(), lost_.end(),
                                 [](auto& x, auto& y) {
                                   return x.second.lost_at < y.second.lost_at;
                                 }));
}

void rejoin_schedule::forget(const peer_id& id) {
  lost_.erase(id);
}

void rejoin_schedule::forget_name(const std::string& name,
                                  const peer_id& id) {
  auto key = name_key(name);
  for (auto i = lost_.begin(); i != lost_.end();)
    i = i->first != id && name_key(i->second.member.name) == key
          ? lost_.erase(i)
          : std::next(i);
}

std::vector<member_info> rejoin_schedule::due(time_point now) {
  std::vector<member_info> result;
  for (auto i = lost_.begin(); i != lost_.end();) {
    auto& e = i->second;
    if (now - e.lost_at > window_ && !e.in_flight) {
      i = lost_.erase(i);
      continue;
    }
    if (!e.in_flight && e.next_try <= now) {
      e.in_flight = true;
      result.push_back(e.member);
    }
    ++i;
  }
  return result;
}

void rejoin_schedule::failed(const peer_id& id, time_point now) {
  auto i = lost_.find(id);
  if (i == lost_.end())
    return;
  auto& e = i->second;
  e.in_flight = false;
  e.wait = std::min(longest_, e.wait * 2);
  e.next_try = now + e.wait;
}

} // namespace groupchat::protocol
