// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.group.failure_detector

#include "protocol/group/failure_detector.hpp"

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

CAF_TEST(a peer is lost exactly at its deadline) {
  add(1, stage::member, 0s);
  CAF_CHECK(detector.expired(peers, t0 + 4999ms).empty());
  CAF_CHECK_EQUAL(detector.expired(peers, t0 + 5s), std::vector<conn_id>{1});
}

CAF_TEST(hearing from a peer moves its deadline) {
  auto& p = add(1, stage::member, 0s);
  p.last_seen = t0 + 3s;
  CAF_CHECK(detector.expired(peers, t0 + 7s).empty());
  CAF_CHECK_EQUAL(detector.expired(peers, t0 + 8s).size(), 1u);
}

CAF_TEST(a stranger has the greeting timeout from its connect) {
  auto& p = add(1, stage::accepted, 0s);
  CAF_MESSAGE("what it sends meanwhile (a hello, say) does not extend it");
  p.last_seen = t0 + 1900ms;
  CAF_CHECK(detector.expired(peers, t0 + 1999ms).empty());
  CAF_CHECK_EQUAL(detector.expired(peers, t0 + 2s), std::vector<conn_id>{1});
  CAF_MESSAGE("once it greeted, the peer timeout counts from its last word");
  peer_table::promote(p, "9", t0 + 1900ms);
  CAF_CHECK(detector.expired(peers, t0 + 6899ms).empty());
  CAF_CHECK_EQUAL(detector.expired(peers, t0 + 6900ms).size(), 1u);
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
  add(5, stage::member, 0s);
  CAF_CHECK_EQUAL(detector.expired(peers, t0 + 1h),
                  (std::vector<conn_id>{1, 2, 5}));
}

CAF_TEST(deadlines before the next round get a check of their own) {
  add(1, stage::member, 0s); // deadline 5s
  add(2, stage::member, 300ms); // deadline 5.3s
  add(3, stage::member, 2s); // deadline 7s: a later round sees it
  add(4, stage::entry, 0s); // no deadline
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

CAF_TEST(rounds fall on a grid of the wall clock) {
  // Interval 1 s: from 12.25 s past the epoch the next round is at 13 s.
  CAF_CHECK_EQUAL(detector.until_next_round(12'250'000), timespan{750ms});
  CAF_CHECK_EQUAL(detector.until_next_round(13'000'000), timespan{1s});
  failure_detector never{0s, 5s, 2s};
  CAF_CHECK_EQUAL(never.until_next_round(12'250'000), timespan{0});
}

CAF_TEST_FIXTURE_SCOPE_END()
