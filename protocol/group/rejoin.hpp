// SPDX-License-Identifier: MIT
// Members we lost (not ones that left), retried until they are back or
// `rejoin-window` passed: with a backoff from 1 s growing to 30 s, at their
// last known address. Both sides of a blip retry, and gossip connects the
// rest once one pair is back, so a partition heals by itself. A plain
// class, driven by the join machine.

#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "protocol/wire/message.hpp"
#include "protocol/group/peer_table.hpp"

namespace groupchat::protocol {

class rejoin_schedule {
public:
  /// Retries each lost member for `window`, first after `first`, then at
  /// doubling intervals up to `longest`.
  rejoin_schedule(timespan window, timespan first, timespan longest);

  /// Member `m` was lost at `now`.
  void lost(const member_info& m, time_point now);

  /// Member `id` is back, left, or another took its name: not retried.
  void forget(const peer_id& id);

  /// Forgets every lost member named like `name` other than `id` (a
  /// restarted process is a new key under the old name).
  void forget_name(const std::string& name, const peer_id& id);

  /// The members due for a try at `now`; each is in flight until `failed`
  /// or `forget`. Members lost longer than the window are dropped.
  std::vector<member_info> due(time_point now);

  /// A try for `id` failed: the next one after a longer wait.
  void failed(const peer_id& id, time_point now);

  /// Whether a lost member other than `id` goes by a name like `name`.
  bool has_name(const std::string& name, const peer_id& id) const;

  bool contains(const peer_id& id) const {
    return lost_.count(id) > 0;
  }

  bool empty() const noexcept {
    return lost_.empty();
  }

  size_t size() const noexcept {
    return lost_.size();
  }

  /// Lost members remembered at most (the oldest go first).
  static constexpr size_t max_lost = 1024;

  /// Tries under way at once, at most.
  static constexpr size_t max_in_flight = 3;

private:
  struct entry {
    member_info member;
    time_point lost_at;
    time_point next_try;
    timespan wait;
    bool in_flight = false;
  };

  timespan window_;
  timespan first_;
  timespan longest_;
  std::map<peer_id, entry> lost_;
  /// Jitter; seeded the same way everywhere, so tests replay exactly.
  std::minstd_rand rng_;
};

} // namespace groupchat::protocol
