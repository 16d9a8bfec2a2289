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

CAF_TEST(each member is probed by exactly one member a round) {
  // Five members, each with its own table of the other four: in every
  // round the probes form a permutation (no member probed twice, none
  // left out), and over four rounds each probes every other once.
  std::vector<std::string> ids{"1a", "2b", "3c", "4d", "5e"};
  std::vector<peer_table> tables(ids.size());
  std::vector<std::vector<peer*>> members(ids.size());
  for (size_t i = 0; i < ids.size(); ++i)
    for (size_t j = 0; j < ids.size(); ++j)
      if (j != i) {
        auto& p = tables[i].add(j + 1, stage::greeting, false, {}, t0);
        peer_table::promote(p, ids[j], t0);
        members[i].push_back(&p);
      }
  std::map<std::string, std::set<std::string>> probed;
  for (uint64_t round = 100; round < 104; ++round) {
    std::set<std::string> targets;
    for (size_t i = 0; i < ids.size(); ++i) {
      auto target = failure_detector::turn(members[i], ids[i], round);
      CAF_REQUIRE(target != nullptr);
      CAF_CHECK_NOT_EQUAL(target->id, ids[i]);
      targets.insert(target->id);
      probed[ids[i]].insert(target->id);
    }
    CAF_CHECK_EQUAL(targets.size(), ids.size());
  }
  for (auto& id : ids)
    CAF_CHECK_EQUAL(probed[id].size(), ids.size() - 1);
  CAF_CHECK(failure_detector::turn({}, "1a", 7) == nullptr);
}

CAF_TEST(a probe unanswered by the next round makes a suspect) {
  auto& quiet = add(1, stage::member, 0s);
  auto& talks = add(2, stage::member, 0s);
  for (auto p : {&quiet, &talks})
    p->probed_at = t0 + 1s;
  talks.last_seen = t0 + 1200ms;
  CAF_CHECK(detector.judge(peers, t0 + 1499ms).empty());
  auto suspects = detector.judge(peers, t0 + 2s);
  CAF_REQUIRE_EQUAL(suspects.size(), 1u);
  CAF_CHECK_EQUAL(suspects[0]->conn, 1u);
  CAF_CHECK(failure_detector::suspected(quiet));
  CAF_CHECK(!failure_detector::suspected(talks));
  CAF_MESSAGE("suspected members are probed every round, and judged once");
  auto probes = detector.probes(peers, "0", 2, t0 + 2s);
  CAF_CHECK(std::find(probes.begin(), probes.end(), &quiet) != probes.end());
  CAF_CHECK(detector.judge(peers, t0 + 3s).empty());
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
}

CAF_TEST_FIXTURE_SCOPE_END()
