// SPDX-License-Identifier: MIT
#include "protocol/group/failure_detector.hpp"

#include <algorithm>

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

peer* failure_detector::turn(std::vector<peer*> members, const peer_id& self,
                             uint64_t round) {
  auto by_key = [](const peer* x, const peer* y) { return x->id < y->id; };
  auto same_key = [](const peer* x, const peer* y) { return x->id == y->id; };
  std::sort(members.begin(), members.end(), by_key);
  members.erase(std::unique(members.begin(), members.end(), same_key),
                members.end());
  if (members.empty())
    return nullptr;
  // Our place among the members and ourselves, ordered by key.
  auto mine = static_cast<size_t>(
    std::count_if(members.begin(), members.end(),
                  [&](const peer* p) { return p->id < self; }));
  auto n = members.size() + 1;
  auto k = 1 + round % members.size();
  auto place = (mine + k) % n; // Never `mine`: k is below n.
  return members[place < mine ? place : place - 1];
}

std::vector<peer*> failure_detector::probes(peer_table& peers,
                                            const peer_id& self, uint64_t round,
                                            time_point now) const {
  auto members = peers.members();
  std::vector<peer*> result;
  for (auto p : members)
    if (suspected(*p))
      result.push_back(p);
  auto next = turn(members, self, round);
  if (next != nullptr && !suspected(*next))
    result.push_back(next);
  for (auto p : result)
    p->probed_at = now;
  return result;
}

std::vector<peer*> failure_detector::judge(peer_table& peers,
                                           time_point now) const {
  std::vector<peer*> result;
  for (auto p : peers.members()) {
    if (!p->probed_at || *p->probed_at + half_round() > now)
      continue;
    auto answered = p->last_seen >= *p->probed_at;
    p->probed_at.reset();
    if (!answered && !suspected(*p)) {
      p->suspected_at = now;
      result.push_back(p);
    }
  }
  return result;
}

bool failure_detector::suspect(peer& p, time_point now) const {
  if (p.st != stage::member || suspected(p))
    return false;
  p.suspected_at = now;
  return true;
}

void failure_detector::excuse(peer_table& peers, timespan late,
                              time_point now) const {
  if (late <= interval_)
    return;
  for (auto p : peers.members())
    if (suspected(*p))
      p->suspected_at = std::min(*p->suspected_at + late, now);
}

std::optional<size_t> failure_detector::next_round(size_t members) {
  ++rounds_;
  if (settled_ < gossip_rounds)
    ++settled_;
  else
    return std::nullopt;
  if (rounds_ % gossip_every != 0 || members == 0)
    return std::nullopt;
  return (rounds_ / gossip_every) % members;
}

uint64_t failure_detector::interval_micros() const {
  return static_cast<uint64_t>(
    std::chrono::duration_cast<std::chrono::microseconds>(interval_).count());
}

timespan failure_detector::until_next_round(uint64_t wall) const {
  auto interval = interval_micros();
  if (interval == 0)
    return timespan{0};
  return std::chrono::microseconds(interval - wall % interval);
}

uint64_t failure_detector::round_of(uint64_t wall) const {
  auto interval = interval_micros();
  return interval == 0 ? 0 : (wall + interval / 2) / interval;
}

} // namespace groupchat::protocol
