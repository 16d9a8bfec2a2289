// SPDX-License-Identifier: MIT
// The failure detector: SWIM-style probing and per-connection deadlines. A
// plain class over the peer table: the Membership actor asks it, once a
// round (the heartbeat interval) and at the deadlines it names, whom to
// probe, whom to suspect and which connections are lost.
//
// Why probes and not heartbeats to everyone: with a heartbeat per member
// per round, an idle group of N costs N * (N - 1) frames a round, and each
// member's cost grows with the group (52 % of a core for 128 idle members
// on a 2-core machine). Here the members, ordered by key, are paired off
// each round, the pairs turning from round to round, and partners probe
// each other: each probe is the other's answer (they cross), so an idle
// member sends one frame a round and wakes up about twice (its round, its
// partner's probe), whatever the size of the group. While the members
// agree on who is in the group, every member is probed every round. A
// probe from a member that is not our partner (we disagree on the group,
// or on the round) is answered at once.
//
// Any message counts as a sign of life and answers a probe. A member that
// answers no probe by the next round is suspected: the prober tells
// every member (`suspect`), and each of them probes it itself, every round
// (the indirect probes of SWIM: a prober's own broken link or slow moment
// convicts nobody). Each member that then hears nothing from it for the
// rest of `peer_timeout` declares it lost, on its own evidence; a notice
// alone never makes anyone drop anybody. The suspected member, told, says
// it is alive to everyone (Lifeguard's refutation). A round that runs much
// later than due means that we, not the others, were not running
// (Lifeguard's local health): our suspicions are extended by the delay.
//
// The bound (protocol/README.md, "Liveness"): a member that stops is probed
// within a round, suspected a round later and reported lost by the member
// that suspected it at most `peer_timeout` after it stopped (the others
// when its `suspect` reaches them; plus its clock's lead, up to half a
// round, see `crossed`); one that answers a probe within
// `peer_timeout - interval` of the first it missed is never reported lost.
// Judging at the next round rather than half a round after a probe costs
// no wake-up of its own: a member idles between rounds.
//
// A stranger (an accepted connection without a greeting) has
// `greeting_timeout` from its connect to greet, whatever it sends
// meanwhile, and a member we dialed as long to welcome us.

#pragma once

#include <algorithm>
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

  /// For this many rounds after the members we know last changed: a
  /// settled group has nothing to converge on, and a member list a
  /// round costs what the group's size does (an idle group of 128 spent
  /// a sixth of its time on them).
  static constexpr unsigned gossip_rounds = 60;

  failure_detector(timespan heartbeat_interval, timespan peer_timeout,
                   timespan greeting_timeout)
    : interval_(heartbeat_interval),
      // Probed within a round, suspected a round later: the rest of the
      // timeout is the suspicion's, but never less than half a round, in
      // which the others' probes can be answered (peer_timeout may be as
      // short as two rounds: then a stopped member is reported up to half
      // a round after it).
      confirm_(std::max(peer_timeout - 2 * heartbeat_interval,
                        timespan{heartbeat_interval / 2})),
      greeting_timeout_(greeting_timeout) {
    // nop
  }

  /// Whether connections at stage `st` have a deadline. An entry peer has
  /// the join deadline instead; a closing one counts no more.
  static bool watches(stage st) noexcept {
    return st == stage::accepted || st == stage::greeting
           || st == stage::member;
  }

  /// Whether we suspect member `p`: it answered none of our probes since
  /// the suspicion began.
  static bool suspected(const peer& p) noexcept {
    return p.suspected_at && p.last_seen < *p.suspected_at;
  }

  /// When `p` is lost unless it speaks (`time_point::max()`: never). A
  /// connection nobody proved yet (a stranger that has not greeted, a
  /// member we dialed that has not welcomed us) has `greeting_timeout` from
  /// its connect, whatever it sends meanwhile; a member only a deadline
  /// while suspected.
  time_point deadline(const peer& p) const noexcept {
    if (p.st == stage::accepted || p.st == stage::greeting)
      return p.opened_at + greeting_timeout_;
    return suspected(p) ? *p.suspected_at + confirm_ : time_point::max();
  }

  /// What is due at `now`, in one pass over the connections: the watched
  /// ones past their deadline, and for each whose deadline falls before
  /// the next round the delay until it.
  struct deadlines {
    std::vector<conn_id> expired;
    std::vector<timespan> early;
  };
  deadlines due(const peer_table& peers, time_point now) const;

  /// The watched connections past their deadline at `now`.
  std::vector<conn_id> expired(const peer_table& peers, time_point now) const {
    return due(peers, now).expired;
  }

  /// For every watched connection whose deadline falls after `now` but
  /// before the next round, the delay until that deadline.
  std::vector<timespan> early_checks(const peer_table& peers,
                                     time_point now) const {
    return due(peers, now).early;
  }

  /// Of `members` (peer_table::members, one list for a whole round), the
  /// ones to probe in round `round` (see `round_of`): our partners of the
  /// round, each member we suspect, and each whose probe we left for ours
  /// to answer (`crossed`), even if it is not our partner any more; and
  /// one whose held probe was of another round (the wall clock stepped
  /// meanwhile), whom this probe answers instead. Each is marked as probed
  /// at `now`, but a partner whose probe of the round came first (that was
  /// its answer, and ours is its) and one probed in this round already (a
  /// round ticked twice judges its first probe).
  std::vector<peer*> probes(const std::vector<peer*>& members,
                            const peer_id& self, uint64_t round,
                            time_point now);

  /// Our partners in round `round`: `members` and `self`, ordered by key,
  /// are paired off, the pairs turning each round so that over a round
  /// for every two members (rounded up to odd) every two meet. With an odd
  /// count one member has two partners (and one of those only it). Empty
  /// for no members.
  std::vector<peer*> partners(const std::vector<peer*>& members,
                              const peer_id& self, uint64_t round);

  /// A probe of round `round` came from member `from`, our partner in it,
  /// at `now`: whether our own probe of that round answers it, because it
  /// went out at most half a round ago or because `round` is `upcoming`,
  /// the round of our next tick when that is due within half a round (0:
  /// none). Then we do not
  /// answer, count it as `from`'s answer, and probe `from` at that tick
  /// even if the members change meanwhile. False for a probe without a
  /// round (0) or of any other round, which is answered at once: a clock
  /// ahead by more than half a round costs an answer, not a suspicion.
  bool crossed(peer_table& peers, const peer_id& self, peer& from,
               uint64_t round, uint64_t upcoming, time_point now);

  /// Of `members`, the ones probed in an earlier round (at least half a round before
  /// `now`) that have not answered: each is suspected from `now` (and told
  /// to every member).
  std::vector<peer*> judge(const std::vector<peer*>& members,
                           time_point now) const;

  /// Member `m` says `p` answered none of its probes: we suspect `p` too,
  /// unless we already do. Returns whether we started to (then probe it).
  bool suspect(peer& p, time_point now) const;

  /// Our round ran `late` after it was due: we were not running, so what
  /// we did not hear meanwhile proves nothing. When that is more than a
  /// round, every suspicion is extended by the delay, to begin no later
  /// than `now` (an overloaded member still judges, only later).
  void excuse(peer_table& peers, timespan late, time_point now) const;

  /// Half a round: a probe is judged once it went out at least this long
  /// ago (the next round's, not the one that sent it).
  timespan half_round() const noexcept {
    return interval_ / 2;
  }

  /// Starts a round among `members` members. Returns the index of the
  /// member that gets the gossip of this round, if any: one member every
  /// `gossip_every` rounds, in turn, so the group converges without
  /// everybody sending its whole list to everyone; none once the members
  /// stayed the same for `gossip_rounds` rounds.
  std::optional<size_t> next_round(size_t members);

  /// The members we know changed (joined, left, lost, renamed).
  void members_changed() noexcept {
    settled_ = 0;
  }

  /// How long from `wall` (microseconds since the epoch) to the next round.
  /// Rounds fall on a grid of the wall clock (the multiples of the
  /// interval), the same in every process: the probes and answers of all
  /// members travel together, and a member wakes up once a round for all
  /// of them.
  timespan until_next_round(uint64_t wall) const;

  /// The number of the round at `wall` (the nearest multiple of the
  /// interval): the same in every process whose clock is right, so that
  /// the members probe each other in the same turn.
  uint64_t round_of(uint64_t wall) const;

  /// The number of the round of a tick at `wall` that ran `late` after it
  /// was due (a negative `late`: a tick still to come): the round it was
  /// due for. A late tick taking the next round's number would take that
  /// round's partner's probe as answered by a probe sent before its round
  /// began.
  uint64_t round_of(uint64_t wall, timespan late) const;

private:
  uint64_t interval_micros() const;

  /// Orders `members` by key into `by_key_`, unless they are the members
  /// ordered last: a round and each probe in it would sort the group
  /// again (a tenth of an idle member's time), and members change rarely.
  void order(const std::vector<peer*>& members, const peer_id& self);

  timespan interval_;
  timespan confirm_;
  timespan greeting_timeout_;
  unsigned rounds_ = 0;
  /// Rounds since the members we know last changed.
  unsigned settled_ = 0;
  /// Whether we left a probe of `p` of a round other than `round` for our
  /// own to answer and have not probed `p` since.
  static bool promised(const peer& p, uint64_t round) noexcept;

  /// When we last sent the probes of a round.
  time_point last_probes_at_;
  /// The members last ordered: their connections, in the order given.
  std::vector<conn_id> ordered_conns_;
  peer_id ordered_self_;
  /// Their places in that order, ordered by key, one for each key.
  std::vector<size_t> by_key_;
  /// Our place among them (the number of keys below ours).
  size_t mine_ = 0;
};

} // namespace groupchat::protocol
