// SPDX-License-Identifier: MIT
#include "protocol/group/failure_detector.hpp"

#include <algorithm>

namespace groupchat::protocol {

failure_detector::deadlines failure_detector::due(const peer_table& peers,
                                                  time_point now) const {
  deadlines result;
  for (auto& [conn, p] : peers.all()) {
    if (!watches(p.st))
      continue;
    auto t = deadline(p);
    if (t <= now)
      result.expired.push_back(conn);
    else if (t < now + interval_)
      result.early.push_back(t - now);
  }
  return result;
}

namespace {

// The places paired with place `x` in round `k` among `n` places (n >= 2):
// the circle method of round-robin tournaments. With m the odd one of n
// and n - 1, places x and y below m meet when x + y = 2k (mod m); the
// place that meets itself so (x = k mod m) meets place m when n is even,
// and when n is odd, having nobody, meets place k + 1 (mod m), which then
// has two. Over m rounds every two places meet.
std::vector<size_t> paired(size_t x, size_t n, uint64_t round) {
  auto m = n % 2 == 1 ? n : n - 1;
  auto k = static_cast<size_t>(round % m);
  auto after_k = (k + 1) % m;
  if (x == m)
    return {k};
  if (x == k)
    return {n % 2 == 0 ? m : after_k};
  std::vector<size_t> result{(2 * k + 2 * m - x) % m};
  if (n % 2 == 1 && x == after_k)
    result.push_back(k);
  return result;
}

} // namespace

std::vector<peer*> failure_detector::partners(const std::vector<peer*>& members,
                                              const peer_id& self,
                                              uint64_t round) {
  order(members, self);
  std::vector<peer*> result;
  if (by_key_.empty())
    return result;
  for (auto place : paired(mine_, by_key_.size() + 1, round))
    result.push_back(members[by_key_[place < mine_ ? place : place - 1]]);
  return result;
}

void failure_detector::order(const std::vector<peer*>& members,
                             const peer_id& self) {
  std::vector<conn_id> conns;
  conns.reserve(members.size());
  for (auto p : members)
    conns.push_back(p->conn);
  if (conns == ordered_conns_ && self == ordered_self_)
    return; // Connection IDs are never reused: the same members.
  by_key_.resize(members.size());
  for (size_t i = 0; i < members.size(); ++i)
    by_key_[i] = i;
  auto id = [&](size_t i) -> const peer_id& { return members[i]->id; };
  std::sort(by_key_.begin(), by_key_.end(),
            [&](size_t x, size_t y) { return id(x) < id(y); });
  // Two connections to one member (a moment while one of them closes)
  // are one place.
  by_key_.erase(std::unique(by_key_.begin(), by_key_.end(),
                            [&](size_t x, size_t y) { return id(x) == id(y); }),
                by_key_.end());
  // Our place among the members and ourselves, ordered by key.
  mine_ = static_cast<size_t>(std::count_if(
    by_key_.begin(), by_key_.end(), [&](size_t i) { return id(i) < self; }));
  ordered_conns_ = std::move(conns);
  ordered_self_ = self;
}

std::vector<peer*> failure_detector::probes(const std::vector<peer*>& members,
                                            const peer_id& self, uint64_t round,
                                            time_point now) {
  std::vector<peer*> result;
  // Each suspect, and each member whose probe of this round we left for
  // ours to answer, even if the members changed since and it is not our
  // partner any more.
  auto owed = [&](const peer& p) {
    return suspected(p) || p.crossed == round || promised(p, round);
  };
  for (auto p : members)
    if (owed(*p))
      result.push_back(p);
  for (auto p : partners(members, self, round))
    if (!owed(*p)) // In already.
      result.push_back(p);
  // A partner whose probe of this round came first has answered: ours is
  // its answer, and there is nothing to judge. A round ticked twice (the
  // wall clock stepped back) judges the probe it sent first.
  for (auto p : result) {
    if (p->crossed != round && p->probed_round != round)
      p->probed_at = now;
    p->probed_round = round;
  }
  last_probes_at_ = now;
  return result;
}

bool failure_detector::crossed(peer_table& peers, const peer_id& self,
                               peer& from, uint64_t round, uint64_t upcoming,
                               time_point now) {
  if (round == 0 || from.st != stage::member)
    return false;
  // Ours went out within the last half round, or goes out within the next
  // (the sender holds ours on the same terms). A probe of any other round
  // or time (a clock off by more, a round we are going to skip or is
  // over) is answered at once.
  auto ours_went_out = from.probed_round == round
                       && now <= last_probes_at_ + half_round();
  if (!ours_went_out && round != upcoming)
    return false;
  // Only a partner counts our probe as its answer (one we probed because
  // we suspect it may have sent its own for another reason).
  auto ours = partners(peers.members(), self, round);
  if (std::find(ours.begin(), ours.end(), &from) == ours.end())
    return false;
  if (!ours_went_out)
    from.crossed = round; // Ours goes out at our tick.
  return true;
}

bool failure_detector::promised(const peer& p, uint64_t round) noexcept {
  return p.crossed != 0 && p.crossed != round && p.crossed > p.probed_round;
}

std::vector<peer*> failure_detector::judge(const std::vector<peer*>& members,
                                           time_point now) const {
  std::vector<peer*> result;
  for (auto p : members) {
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

uint64_t failure_detector::round_of(uint64_t wall, timespan late) const {
  auto micros = [](timespan x) {
    return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(x).count());
  };
  if (late < timespan{0})
    return round_of(wall + micros(-late));
  return round_of(wall - std::min(wall, micros(late)));
}

} // namespace groupchat::protocol
