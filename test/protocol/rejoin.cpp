#define CAF_SUITE protocol.rejoin

#include "protocol/rejoin.hpp"

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
  r.failed(bob().id, t0 + 5s);
  CAF_CHECK(r.due(t0 + 6s).empty());
  CAF_CHECK_EQUAL(r.due(t0 + 7s).size(), 1u); // 2 s later
  r.failed(bob().id, t0 + 7s);
  CAF_CHECK(r.due(t0 + 10s).empty());
  CAF_CHECK_EQUAL(r.due(t0 + 11s).size(), 1u); // 4 s later
  CAF_MESSAGE("the wait stops growing at 30 s");
  auto t = t0 + 11s;
  for (int i = 0; i < 10; ++i) {
    r.failed(bob().id, t);
    t += 30s;
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

CAF_TEST(the retries end after the window) {
  rejoin_schedule r{1min, 1s, 30s};
  r.lost(bob(), t0);
  auto tries = r.due(t0 + 1s);
  r.failed(bob().id, t0 + 2s);
  CAF_CHECK(r.due(t0 + 61s).empty());
  CAF_CHECK(r.empty());
}
