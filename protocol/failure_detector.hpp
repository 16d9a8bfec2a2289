// The failure detector: heartbeat rounds and per-peer deadlines. A plain
// class over the peer table: the Membership actor asks it, once a heartbeat
// interval and at the deadlines it names, which connections went silent.
//
// A peer sends something at least once a heartbeat interval (a heartbeat
// when it has nothing to say). A connection silent for `peer_timeout` is
// lost: a stopped process, a pulled cable, a stranger that never greets.
// Deadlines are checked exactly: a deadline that falls between two rounds
// gets a check of its own.

#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "protocol/peer_table.hpp"

namespace groupchat::protocol {

class failure_detector {
public:
  /// Every this many rounds, one member gets our member list (gossip), so
  /// that members that joined concurrently learn of each other.
  static constexpr unsigned gossip_every = 5;

  failure_detector(timespan heartbeat_interval, timespan peer_timeout)
    : interval_(heartbeat_interval), timeout_(peer_timeout) {
    // nop
  }

  /// Whether connections at stage `st` have a deadline. An entry peer has
  /// the join deadline instead; a closing one counts no more.
  static bool watches(stage st) noexcept {
    return st == stage::accepted || st == stage::greeting
           || st == stage::member;
  }

  /// The watched connections silent for the peer timeout at `now`.
  std::vector<conn_id> expired(const peer_table& peers, time_point now) const;

  /// For every watched connection whose deadline falls after `now` but
  /// before the next round, the delay until that deadline.
  std::vector<timespan> early_checks(const peer_table& peers,
                                     time_point now) const;

  /// Starts a heartbeat round among `members` members. Returns the index of
  /// the member that gets the gossip of this round, if any: one member a
  /// round, in turn, so the group converges without everybody sending its
  /// whole list to everyone.
  std::optional<size_t> next_round(size_t members);

  timespan interval() const noexcept {
    return interval_;
  }

private:
  timespan interval_;
  timespan timeout_;
  unsigned rounds_ = 0;
};

} // namespace groupchat::protocol
