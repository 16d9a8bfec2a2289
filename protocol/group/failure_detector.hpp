// SPDX-License-Identifier: MIT
// The failure detector: heartbeat rounds and per-peer deadlines. A plain
// class over the peer table: the Membership actor asks it, once a heartbeat
// interval and at the deadlines it names, which connections went silent.
//
// A peer sends something at least once a heartbeat interval (a heartbeat
// when it has nothing to say). A connection silent for `peer_timeout` is
// lost: a stopped process, a pulled cable. A stranger (an accepted
// connection without a greeting) has `greeting_timeout` from its connect to
// greet, whatever it sends meanwhile, and a member we dialed as long to
// welcome us. Deadlines are checked exactly: a
// deadline that falls between two rounds gets a check of its own.

#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "protocol/group/peer_table.hpp"

namespace groupchat::protocol {

class failure_detector {
public:
  /// Every this many rounds, one member gets our member list (gossip), so
  /// that members that joined concurrently learn of each other.
  static constexpr unsigned gossip_every = 5;

  failure_detector(timespan heartbeat_interval, timespan peer_timeout,
                   timespan greeting_timeout)
    : interval_(heartbeat_interval), timeout_(peer_timeout),
      greeting_timeout_(greeting_timeout) {
    // nop
  }

  /// Whether connections at stage `st` have a deadline. An entry peer has
  /// the join deadline instead; a closing one counts no more.
  static bool watches(stage st) noexcept {
    return st == stage::accepted || st == stage::greeting
           || st == stage::member;
  }

  /// When `p` is lost unless it speaks. A connection nobody proved yet (a
  /// stranger that has not greeted, a member we dialed that has not
  /// welcomed us) has `greeting_timeout` from its connect, whatever it
  /// sends meanwhile.
  time_point deadline(const peer& p) const noexcept {
    return p.st == stage::accepted || p.st == stage::greeting
             ? p.opened_at + greeting_timeout_
             : p.last_seen + timeout_;
  }

  /// The watched connections past their deadline at `now`.
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

  /// How long from `wall` (microseconds since the epoch) to the next round.
  /// Rounds fall on a grid of the wall clock (the multiples of the
  /// interval), the same in every process: the heartbeats of all members
  /// arrive together, and a member wakes up once a round for all of them
  /// instead of once for each (31 times a second in a group of 32, each
  /// wake-up costing about what a line costs).
  timespan until_next_round(uint64_t wall) const;

private:
  timespan interval_;
  timespan timeout_;
  timespan greeting_timeout_;
  unsigned rounds_ = 0;
};

} // namespace groupchat::protocol
