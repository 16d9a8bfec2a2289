// SPDX-License-Identifier: MIT
// Membership's liveness: the ticks, probes and suspicions of the failure
// detector (protocol/group/failure_detector.hpp, which decides; this only
// carries out). Included by membership_state.hpp only, as a base of the
// state (`State`), so that what keeps the group honest about who is alive
// can be read in one place.

#pragma once

#include <optional>

#include <caf/all.hpp>

#include "actors/messages.hpp"
#include "protocol/group/failure_detector.hpp"
#include "protocol/group/join_machine.hpp"
#include "protocol/group/peer_table.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat::membership_detail {

template <class State>
struct membership_liveness {
  std::optional<protocol::failure_detector> detector;
  /// Whether a tick is scheduled. A peer alone has nothing to check and
  /// nobody to probe: it does not tick, so it never wakes up.
  bool ticking = false;
  /// When the next tick is due: one much later means we were not running.
  protocol::time_point tick_due;

  State& st() {
    return static_cast<State&>(*this);
  }

  // Ticks fall on the failure detector's grid of the wall clock.
  void ensure_ticking() {
    if (ticking || st().join->current() == protocol::phase::leaving)
      return;
    ticking = true;
    auto delay = detector->until_next_round(st().wall_now());
    tick_due = st().now() + delay;
    if (st().opts.arm_tick)
      st().opts.arm_tick(delay);
    else
      st().self->delayed_send(st().self, delay, atom::tick_v);
  }

  // Once a round: retries, our open batch sealed, the answers to the last
  // round's probes judged, this round's probes, now and then our member
  // list.
  void on_tick() {
    auto& s = st();
    ticking = false;
    if (s.join->current() == protocol::phase::leaving
        || (s.peers.empty() && !s.join->rejoining()))
      return; // Alone: the next connection starts the ticks again.
    auto late = s.now() - tick_due;
    detector->excuse(s.peers, late, s.now());
    s.join->on_tick();
    s.out->seal(); // The lines of this period, for newcomers to check.
    auto round = detector->round_of(s.wall_now(), late);
    // One list for the round: walking the table is what an idle round
    // spends most on (its nodes are cold after a second's sleep).
    auto members = s.peers.members();
    judge(members);
    for (auto p :
         detector->probes(members, s.opts.join.self->id(), round, s.now()))
      s.send(p->conn, protocol::make_probe(round));
    if (auto target = detector->next_round(members.size()))
      s.send(members[*target]->conn,
             protocol::make_members(s.join->member_list(false)));
    check_liveness(true);
    ensure_ticking();
  }

  // A probe is answered at once, unless it comes from our partner in its
  // round: our own probe of that round answers it, sent already or at our
  // tick. So is a member that says we answered none of its probes
  // (Lifeguard's refutation: every member that suspects us probes us, so
  // each hears from us; an answer to everyone would give a member
  // repeating it an echo to everyone). Told it of another member, we probe
  // it ourselves, with no round: it answers at once.
  void on_probing(protocol::peer& p, const protocol::message& msg) {
    auto& s = st();
    const auto& self = s.opts.join.self->id();
    if (p.st != protocol::stage::member)
      return s.join->unexpected(p, msg.type);
    if (msg.type == protocol::message_type::probe) {
      if (!detector->crossed(s.peers, self, p, msg.seq, upcoming(), s.now()))
        s.send(p.conn, protocol::make_heartbeat());
      return;
    }
    if (msg.id == self)
      return s.send(p.conn, protocol::make_heartbeat());
    if (auto q = s.peers.find_id(msg.id);
        q != nullptr && detector->suspect(*q, s.now()))
      s.send(q->conn, protocol::make_probe(0));
  }

  // The round of our next tick if it is due within half a round (or
  // overdue: the round it was due for), else 0.
  uint64_t upcoming() {
    auto& s = st();
    if (!ticking)
      return 0;
    auto late = s.now() - tick_due;
    if (-late > detector->half_round())
      return 0;
    return detector->round_of(s.wall_now(), late);
  }

  // Suspects the members that answered none of our probes, and tells
  // every member.
  void judge(const std::vector<protocol::peer*>& members) {
    auto& s = st();
    for (auto p : detector->judge(members, s.now()))
      for (auto q : members)
        s.send(q->conn, protocol::make_suspect(p->id));
  }

  // Reports the connections past their deadline; on a tick, also
  // schedules a check at each deadline that falls before the next tick.
  void check_liveness(bool on_tick) {
    auto& s = st();
    auto now = s.now();
    auto [expired, early] = detector->due(s.peers, now);
    for (auto id : expired)
      if (auto p = s.peers.find(id))
        s.join->on_silent(*p);
    if (!expired.empty())
      s.check_alone(); // Not every round: it lists every member's name.
    if (on_tick)
      for (auto delay : early)
        s.self->delayed_send(s.self, delay, atom::check_v);
  }
};

} // namespace groupchat::membership_detail
