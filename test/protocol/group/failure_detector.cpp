// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.group.failure_detector

#include "protocol/group/failure_detector.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;
using namespace std::chrono_literals;

namespace {

const time_point t0{};

struct fixture {
  peer_table peers;
  failure_detector detector{1s, 5s, 2s};

  peer& add(conn_id conn, stage st, timespan last_seen) {
    return peers.add(conn, st, false, {"10.0.0.1", 5001}, t0 + last_seen);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(failure_detector_tests, fixture)

CAF_TEST(a member is lost only when a suspicion runs out) {
  auto& p = add(1, stage::member, 0s);
  CAF_MESSAGE("silence alone convicts nobody: it is probed first");
  CAF_CHECK(detector.expired(peers, t0 + 1h).empty());
  CAF_MESSAGE("suspected at 1s: lost 3s later (5s - 2 rounds)");
  CAF_CHECK(detector.suspect(p, t0 + 1s));
  CAF_CHECK(!detector.suspect(p, t0 + 2s)); // Already suspected.
  CAF_CHECK(detector.expired(peers, t0 + 3999ms).empty());
  CAF_CHECK_EQUAL(detector.expired(peers, t0 + 4s), std::vector<conn_id>{1});
}

CAF_TEST(any word from a suspected member ends the suspicion) {
  auto& p = add(1, stage::member, 0s);
  detector.suspect(p, t0 + 1s);
  p.last_seen = t0 + 3s;
  CAF_CHECK(!failure_detector::suspected(p));
  CAF_CHECK(detector.expired(peers, t0 + 1h).empty());
  CAF_MESSAGE("a later suspicion starts anew");
  CAF_CHECK(detector.suspect(p, t0 + 10s));
  CAF_CHECK(detector.expired(peers, t0 + 12999ms).empty());
  CAF_CHECK_EQUAL(detector.expired(peers, t0 + 13s).size(), 1u);
}

CAF_TEST(a stranger has the greeting timeout from its connect) {
  auto& p = add(1, stage::accepted, 0s);
  CAF_MESSAGE("what it sends meanwhile (a hello, say) does not extend it");
  p.last_seen = t0 + 1900ms;
  CAF_CHECK(detector.expired(peers, t0 + 1999ms).empty());
  CAF_CHECK_EQUAL(detector.expired(peers, t0 + 2s), std::vector<conn_id>{1});
  CAF_MESSAGE("once it greeted, it is a member: probed, not timed");
  peer_table::promote(p, "9", t0 + 1900ms);
  CAF_CHECK(detector.expired(peers, t0 + 1h).empty());
}

CAF_TEST(
  a member we dialed has the greeting timeout from its connect to welcome) {
  auto& p = add(1, stage::greeting, 0s);
  CAF_MESSAGE("whatever it sends before its welcome does not extend it");
  p.last_seen = t0 + 1900ms;
  CAF_CHECK(detector.expired(peers, t0 + 1999ms).empty());
  CAF_CHECK_EQUAL(detector.expired(peers, t0 + 2s), std::vector<conn_id>{1});
}

CAF_TEST(strangers and greetings have deadlines entries and closing ones not ) {
  add(1, stage::accepted, 0s);
  add(2, stage::greeting, 0s);
  add(3, stage::entry, 0s);
  add(4, stage::closing, 0s);
  detector.suspect(add(5, stage::member, 0s), t0 + 1s);
  CAF_CHECK_EQUAL(detector.expired(peers, t0 + 1h),
                  (std::vector<conn_id>{1, 2, 5}));
}

CAF_TEST(deadlines before the next round get a check of their own) {
  detector.suspect(add(1, stage::member, -1s), t0 + 2s); // deadline 5s
  detector.suspect(add(2, stage::member, -1s), t0 + 2300ms); // 5.3s
  detector.suspect(add(3, stage::member, -1s), t0 + 4s); // 7s: later
  add(4, stage::entry, 0s); // no deadline
  add(5, stage::member, 0s); // not suspected: no deadline
  auto checks = detector.early_checks(peers, t0 + 4500ms);
  CAF_CHECK_EQUAL(checks, (std::vector<timespan>{500ms, 800ms}));
  CAF_MESSAGE("a deadline that has passed is for expired, not a check");
  CAF_CHECK_EQUAL(detector.early_checks(peers, t0 + 5s),
                  (std::vector<timespan>{300ms}));
}

CAF_TEST(gossip goes to one member every fifth round in turn) {
  std::vector<std::optional<size_t>> targets;
  for (int round = 1; round <= 15; ++round)
    targets.push_back(detector.next_round(2));
  for (int round = 1; round <= 15; ++round)
    if (round % 5 != 0)
      CAF_CHECK(!targets[round - 1].has_value());
  CAF_CHECK_EQUAL(*targets[4], 1u);
  CAF_CHECK_EQUAL(*targets[9], 0u);
  CAF_CHECK_EQUAL(*targets[14], 1u);
  CAF_MESSAGE("nobody to gossip with: no target");
  for (int round = 0; round < 5; ++round)
    CAF_CHECK(!detector.next_round(0).has_value());
}

CAF_TEST(gossip stops once the members stay the same) {
  size_t lists = 0;
  for (unsigned round = 0; round < 3 * failure_detector::gossip_rounds; ++round)
    lists += detector.next_round(4).has_value() ? 1 : 0;
  CAF_CHECK_EQUAL(lists, failure_detector::gossip_rounds
                           / failure_detector::gossip_every);
  CAF_MESSAGE("a change starts it again");
  detector.members_changed();
  lists = 0;
  for (unsigned round = 0; round < failure_detector::gossip_rounds; ++round)
    lists += detector.next_round(4).has_value() ? 1 : 0;
  CAF_CHECK_EQUAL(lists, failure_detector::gossip_rounds
                           / failure_detector::gossip_every);
}

CAF_TEST(rounds fall on a grid of the wall clock) {
  // Interval 1 s: from 12.25 s past the epoch the next round is at 13 s.
  CAF_CHECK_EQUAL(detector.until_next_round(12'250'000), timespan{750ms});
  CAF_CHECK_EQUAL(detector.until_next_round(13'000'000), timespan{1s});
  failure_detector never{0s, 5s, 2s};
  CAF_CHECK_EQUAL(never.until_next_round(12'250'000), timespan{0});
}

namespace {

// `n` members, each with its own table of the others.
struct tables_of {
  std::vector<std::string> ids;
  std::vector<peer_table> tables;
  std::vector<std::vector<peer*>> members;
  std::vector<failure_detector> detectors;

  explicit tables_of(size_t n)
    : tables(n), members(n), detectors(n, failure_detector{1s, 5s, 2s}) {
    for (size_t i = 0; i < n; ++i)
      ids.push_back(std::to_string(i) + "k"); // In key order.
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j)
        if (j != i) {
          auto& p = tables[i].add(j + 1, stage::greeting, false, {}, t0);
          peer_table::promote(p, ids[j], t0);
          members[i].push_back(&p);
        }
  }

  // Member `i`'s partners in `round`, by ID.
  std::set<std::string> partners(size_t i, uint64_t round) {
    std::set<std::string> result;
    for (auto p : detectors[i].partners(members[i], ids[i], round))
      result.insert(p->id);
    return result;
  }
};

} // namespace

CAF_TEST(partners pair off each round and every two meet) {
  // In every round each member has a partner, partners are mutual (so each
  // probe is the other's answer), and with an odd count exactly one member
  // has two; over as many rounds as the odd one of n and n - 1, every two
  // members meet.
  for (size_t n = 2; n <= 9; ++n) {
    tables_of group{n};
    auto rounds = n % 2 == 1 ? n : n - 1;
    std::map<std::string, std::set<std::string>> met;
    for (uint64_t round = 1000; round < 1000 + rounds; ++round) {
      size_t doubles = 0;
      for (size_t i = 0; i < n; ++i) {
        auto mine = group.partners(i, round);
        CAF_CHECK(!mine.empty());
        CAF_CHECK_EQUAL(mine.count(group.ids[i]), 0u);
        doubles += mine.size() == 2 ? 1 : 0;
        for (auto& id : mine) {
          auto j = static_cast<size_t>(std::stoul(id));
          CAF_CHECK_EQUAL(group.partners(j, round).count(group.ids[i]), 1u);
          met[group.ids[i]].insert(id);
        }
      }
      CAF_CHECK_EQUAL(doubles, n % 2);
    }
    for (auto& id : group.ids)
      CAF_CHECK_EQUAL(met[id].size(), n - 1);
  }
  CAF_CHECK(detector.partners({}, "1a", 7).empty());
}

CAF_TEST(partners follow the members as they change) {
  // The order by key is kept from call to call: a member gone and one
  // come (its key between ours and the others') give the pairs a detector
  // that never saw the old members gives.
  tables_of group{5};
  auto& kept = group.detectors[0];
  auto members = group.members[0];
  CAF_CHECK_EQUAL(kept.partners(members, "0k", 3).size(), 1u);
  members.pop_back();
  auto& p = group.tables[0].add(99, stage::greeting, false, {}, t0);
  peer_table::promote(p, "0m", t0);
  members.push_back(&p);
  for (uint64_t round = 3; round < 8; ++round) {
    failure_detector fresh{1s, 5s, 2s};
    CAF_CHECK(kept.partners(members, "0k", round)
              == fresh.partners(members, "0k", round));
  }
}

CAF_TEST(a probe from our partner is answered by our own) {
  tables_of group{4};
  auto partner = detector.partners(group.members[0], "0k", 9).at(0);
  auto other = group.members[0][0] == partner ? group.members[0][1]
                                              : group.members[0][0];
  auto& table = group.tables[0];
  CAF_MESSAGE("not our partner in that round, or no round: answered");
  CAF_CHECK(!detector.crossed(table, "0k", *other, 9, 9, t0 + 9s));
  CAF_CHECK(!detector.crossed(table, "0k", *partner, 0, 9, t0 + 9s));
  CAF_MESSAGE("a round not ours within half a round (a clock far ahead, a "
              "round we skip): answered");
  CAF_CHECK(!detector.crossed(table, "0k", *partner, 9, 0, t0 + 9s));
  CAF_CHECK(!detector.crossed(table, "0k", *partner, 9, 8, t0 + 9s));
  CAF_MESSAGE("our partner's came first: probed, but nothing to judge");
  CAF_CHECK(detector.crossed(table, "0k", *partner, 9, 9, t0 + 9s));
  auto probes = detector.probes(table.members(), "0k", 9, t0 + 9s);
  CAF_REQUIRE_EQUAL(probes.size(), 1u);
  CAF_CHECK_EQUAL(probes[0], partner);
  CAF_CHECK(!partner->probed_at);
  CAF_MESSAGE("ours came first: its probe is its answer, judged next round");
  probes = detector.probes(table.members(), "0k", 10, t0 + 10s);
  CAF_REQUIRE_EQUAL(probes.size(), 1u);
  auto first = probes[0]->probed_at;
  CAF_CHECK(first.has_value());
  CAF_CHECK(detector.crossed(table, "0k", *probes[0], 10, 11, t0 + 10100ms));
  CAF_MESSAGE("ours went out more than half a round before (a clock behind "
              "by more): answered");
  CAF_CHECK(!detector.crossed(table, "0k", *probes[0], 10, 11, t0 + 10600ms));
  CAF_MESSAGE("a round ticked twice judges its first probe");
  detector.probes(table.members(), "0k", 10, t0 + 10400ms);
  CAF_CHECK(probes[0]->probed_at == first);
}

CAF_TEST(a probe left for ours to answer gets it though the members change) {
  tables_of group{4};
  auto& table = group.tables[0];
  auto members = group.members[0];
  auto partner = detector.partners(members, "0k", 9).at(0);
  CAF_REQUIRE(detector.crossed(table, "0k", *partner, 9, 9, t0 + 8900ms));
  // A member joins before our tick, and pairs us with another member.
  auto& p = table.add(99, stage::greeting, false, {}, t0);
  peer_table::promote(p, "0a", t0);
  members.push_back(&p);
  auto now_paired = detector.partners(members, "0k", 9);
  CAF_CHECK(std::find(now_paired.begin(), now_paired.end(), partner)
            == now_paired.end());
  auto probes = detector.probes(members, "0k", 9, t0 + 9s);
  CAF_CHECK(std::find(probes.begin(), probes.end(), partner) != probes.end());
  CAF_MESSAGE("the wall clock stepped before our tick: it gets the probe of "
              "the round we tick instead");
  auto held = detector.partners(members, "0k", 10).at(0);
  CAF_REQUIRE(detector.crossed(table, "0k", *held, 10, 10, t0 + 9900ms));
  uint64_t ticked = 11; // A round in which `held` is not our partner.
  auto paired_with = [&](uint64_t round) {
    auto xs = detector.partners(members, "0k", round);
    return std::find(xs.begin(), xs.end(), held) != xs.end();
  };
  while (paired_with(ticked))
    ++ticked;
  probes = detector.probes(members, "0k", ticked, t0 + 10s);
  CAF_CHECK(std::find(probes.begin(), probes.end(), held) != probes.end());
}

CAF_TEST(a probe unanswered by the next round makes a suspect) {
  auto& quiet = add(1, stage::member, 0s);
  auto& talks = add(2, stage::member, 0s);
  for (auto p : {&quiet, &talks})
    p->probed_at = t0 + 1s;
  talks.last_seen = t0 + 1200ms;
  CAF_CHECK(detector.judge(peers.members(), t0 + 1499ms).empty());
  auto suspects = detector.judge(peers.members(), t0 + 2s);
  CAF_REQUIRE_EQUAL(suspects.size(), 1u);
  CAF_CHECK_EQUAL(suspects[0]->conn, 1u);
  CAF_CHECK(failure_detector::suspected(quiet));
  CAF_CHECK(!failure_detector::suspected(talks));
  CAF_MESSAGE("suspected members are probed every round, and judged once");
  auto probes = detector.probes(peers.members(), "0", 2, t0 + 2s);
  CAF_CHECK(std::find(probes.begin(), probes.end(), &quiet) != probes.end());
  CAF_CHECK(detector.judge(peers.members(), t0 + 3s).empty());
  CAF_CHECK(failure_detector::suspected(quiet));
}

CAF_TEST(a round that runs late extends the suspicions) {
  // Lifeguard's local health: we were not running, the others were.
  auto& p = add(1, stage::member, 0s);
  detector.suspect(p, t0 + 1s);
  detector.excuse(peers, 900ms, t0 + 2s); // Within a round: as it was.
  CAF_CHECK_EQUAL(detector.expired(peers, t0 + 4s).size(), 1u);
  CAF_MESSAGE("10s late at 2s: the suspicion begins again at 2s, no later");
  detector.excuse(peers, 10s, t0 + 2s);
  CAF_CHECK(detector.expired(peers, t0 + 4999ms).empty());
  CAF_CHECK_EQUAL(detector.expired(peers, t0 + 5s).size(), 1u);
}

CAF_TEST(a suspicion lasts at least half a round) {
  // Two rounds of timeout leave nothing after the probe and the judging:
  // the others' probes still get half a round to be answered.
  failure_detector tight{1s, 2s, 2s};
  auto& p = add(1, stage::member, 0s);
  tight.suspect(p, t0 + 1s);
  CAF_CHECK(tight.expired(peers, t0 + 1499ms).empty());
  CAF_CHECK_EQUAL(tight.expired(peers, t0 + 1500ms).size(), 1u);
}

CAF_TEST(round numbers are the nearest multiple of the interval) {
  CAF_CHECK_EQUAL(detector.round_of(12'999'000), 13u);
  CAF_CHECK_EQUAL(detector.round_of(13'000'000), 13u);
  CAF_CHECK_EQUAL(detector.round_of(13'400'000), 13u);
  CAF_MESSAGE("a tick keeps the round it was due for, late or still to come");
  CAF_CHECK_EQUAL(detector.round_of(13'600'000, 700ms), 13u);
  CAF_CHECK_EQUAL(detector.round_of(13'400'000, -600ms), 14u);
  CAF_CHECK_EQUAL(detector.round_of(400'000, 1s), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
