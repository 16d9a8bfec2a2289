// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.group.rejoin

#include "protocol/group/rejoin.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;
using namespace std::chrono_literals;

namespace {

const time_point t0{};

member_info bob() {
  return {"bob", "10.0.0.2", 5002, std::string(64, 'b')};
}

} // namespace

CAF_TEST(a lost member is retried with a growing backoff) {
  rejoin_schedule r{10min, 1s, 30s};
  r.lost(bob(), t0);
  CAF_CHECK(r.due(t0 + 999ms).empty());
  CAF_CHECK_EQUAL(r.due(t0 + 1s).size(), 1u);
  CAF_MESSAGE("in flight: not asked for again until it failed");
  CAF_CHECK(r.due(t0 + 5s).empty());
  CAF_MESSAGE("2 s later (give or take a fifth), then 4 s");
  r.failed(bob().id, t0 + 5s);
  CAF_CHECK(r.due(t0 + 6500ms).empty());
  CAF_CHECK_EQUAL(r.due(t0 + 7500ms).size(), 1u);
  r.failed(bob().id, t0 + 8s);
  CAF_CHECK(r.due(t0 + 11s).empty());
  CAF_CHECK_EQUAL(r.due(t0 + 13s).size(), 1u);
  CAF_MESSAGE("the wait stops growing at 30 s");
  auto t = t0 + 13s;
  for (int i = 0; i < 3; ++i) { // 8 s, 16 s, 30 s
    r.failed(bob().id, t);
    t += 37s;
    CAF_CHECK_EQUAL(r.due(t).size(), 1u);
  }
  for (int i = 0; i < 5; ++i) {
    r.failed(bob().id, t);
    CAF_CHECK(r.due(t + 23s).empty());
    t += 37s;
    CAF_CHECK_EQUAL(r.due(t).size(), 1u);
  }
}

CAF_TEST(a member back or gone is not retried) {
  rejoin_schedule r{10min, 1s, 30s};
  r.lost(bob(), t0);
  r.forget(bob().id);
  CAF_CHECK(r.empty());
  r.lost(bob(), t0);
  CAF_MESSAGE("a new key under the same name retires the old one");
  r.forget_name("Bob", std::string(64, 'c'));
  CAF_CHECK(r.empty());
}

CAF_TEST(a few tries run at once and the rest wait their turn) {
  rejoin_schedule r{10min, 1s, 30s};
  for (char c = 'a'; c < 'a' + 10; ++c)
    r.lost({std::string{c}, "10.0.0.1", 5000, std::string(64, c)}, t0);
  auto first = r.due(t0 + 1s);
  CAF_CHECK_EQUAL(first.size(), rejoin_schedule::max_in_flight);
  CAF_CHECK(r.due(t0 + 2s).empty());
  r.failed(first[0].id, t0 + 2s);
  CAF_CHECK_EQUAL(r.due(t0 + 2s).size(), 1u);
}

CAF_TEST(a loss right after a try keeps its first wait) {
  rejoin_schedule r{10min, 1s, 30s};
  r.lost(bob(), t0);
  r.failed(bob().id, t0); // not in flight: ignored
  CAF_CHECK_EQUAL(r.due(t0 + 1s).size(), 1u);
}

CAF_TEST(the retries end after the window) {
  rejoin_schedule r{1min, 1s, 30s};
  r.lost(bob(), t0);
  auto tries = r.due(t0 + 1s);
  CAF_MESSAGE("a try under way when the window ends ends with it");
  CAF_CHECK(r.due(t0 + 61s).empty());
  CAF_CHECK(r.empty());
}
