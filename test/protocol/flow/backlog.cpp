// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.flow.backlog

#include "protocol/flow/backlog.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;
using namespace std::chrono_literals;

namespace {

using ending = backlog::step::ending;

struct fixture {
  time_point now{};
  backlog out{backlog::limits{1000, 5s, 3s}};
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(backlog_tests, fixture)

CAF_TEST(the owner hears of congestion at half and of relief at a quarter) {
  auto s = out.wrote(500, now);
  CAF_CHECK(!s.congested);
  CAF_CHECK(s.check_after == std::optional<timespan>{backlog::grace});
  s = out.wrote(1, now);
  CAF_CHECK(s.congested == std::optional<bool>{true});
  CAF_MESSAGE("told once, and one check at a time");
  s = out.wrote(100, now);
  CAF_CHECK(!s.congested && !s.check_after);
  CAF_CHECK(!out.took(300, now).congested); // 301 left: above a quarter.
  CAF_CHECK(out.took(100, now).congested == std::optional<bool>{false});
  CAF_CHECK_EQUAL(out.pending(), 201u);
}

CAF_TEST(below the watermark pending output must move too) {
  auto s = out.wrote(100, now);
  CAF_REQUIRE(s.check_after == std::optional<timespan>{backlog::grace});
  now += 2s;
  out.took(1, now);
  s = out.check(now);
  CAF_CHECK(s.end == ending::none);
  CAF_CHECK(s.check_after == std::optional<timespan>{backlog::grace});
  CAF_MESSAGE("a window in which the peer takes nothing drops it");
  now += 2s;
  s = out.check(now);
  CAF_CHECK(s.end == ending::drop);
  CAF_CHECK(s.why.find("took none of our output (99 bytes)")
            != std::string::npos);
}

CAF_TEST(once all is taken nothing is watched) {
  out.wrote(100, now);
  out.took(100, now);
  now += 2s;
  auto s = out.check(now);
  CAF_CHECK(s.end == ending::none && !s.check_after);
  CAF_MESSAGE("the next write starts a window again");
  CAF_CHECK(out.wrote(10, now).check_after);
}

CAF_TEST(eight times the bound drops at once) {
  auto s = out.wrote(8001, now);
  CAF_CHECK(s.end == ending::drop);
  CAF_CHECK(s.why.find("8001 bytes of output pending") != std::string::npos);
}

CAF_TEST(a congested peer must take enough per window) {
  out.wrote(7000, now);
  now += 2s;
  out.took(backlog::min_progress / 2, now);
  CAF_REQUIRE(out.congested());
  auto s = out.check(now);
  CAF_CHECK(s.end == ending::drop);
  CAF_CHECK_EQUAL(s.why, "the peer took 2048 bytes of our output in 2s");
}

CAF_TEST(a congested peer that reads keeps its connection) {
  out.wrote(7000, now);
  now += 2s;
  out.took(backlog::min_progress, now);
  auto s = out.check(now);
  CAF_CHECK(s.end == ending::none);
  CAF_CHECK(s.check_after == std::optional<timespan>{backlog::grace});
}

CAF_TEST(an early check judges only a whole window) {
  out.wrote(600, now);
  now += 500ms;
  auto s = out.check(now);
  CAF_CHECK(s.end == ending::none);
  CAF_CHECK(s.check_after == std::optional<timespan>{1500ms});
}

CAF_TEST(a close with nothing queued ends at once) {
  CAF_CHECK(out.close(false, now).end == ending::shut);
}

CAF_TEST(a close sends what is queued then ends) {
  out.wrote(100, now);
  auto s = out.close(false, now);
  CAF_CHECK(s.end == ending::none);
  CAF_CHECK(s.check_after == std::optional<timespan>{5s});
  CAF_CHECK(out.took(100, now).end == ending::shut);
}

CAF_TEST(a close whose output stands still ends at the drain timeout) {
  out.wrote(100, now);
  out.close(false, now);
  now += 5s;
  auto s = out.check(now);
  CAF_CHECK(s.end == ending::shut);
  CAF_CHECK_EQUAL(s.why, "100 bytes not sent, the peer takes nothing");
}

CAF_TEST(a lingering close waits while the peer talks within a budget) {
  auto s = out.close(true, now);
  CAF_CHECK(s.end == ending::none);
  for (int i = 0; i < 40; ++i) {
    now += 2s;
    out.heard(now);
    s = out.check(now);
    if (s.end != ending::none)
      break;
    CAF_CHECK(s.check_after.has_value());
  }
  CAF_MESSAGE("the whole close ends within 12 times the longer timeout");
  CAF_CHECK(s.end == ending::shut);
  CAF_CHECK(now <= time_point{} + 60s);
}

CAF_TEST(a lingering close ends when the peer goes quiet) {
  out.close(true, now);
  now += 3s;
  CAF_CHECK(out.check(now).end == ending::shut);
}

CAF_TEST_FIXTURE_SCOPE_END()
