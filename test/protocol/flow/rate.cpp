// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.flow.rate

#include "protocol/flow/rate.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;
using namespace std::chrono_literals;

CAF_TEST(a burst of twice the rate passes then one per interval) {
  time_point now{};
  rate r{10, now};
  size_t taken = 0;
  while (r.available(now) && taken < 100) {
    r.spend();
    ++taken;
  }
  CAF_CHECK_EQUAL(taken, 20u);
  CAF_MESSAGE("the next token is a tenth of a second away");
  CAF_CHECK(r.wait() > 99ms && r.wait() <= 100ms);
  CAF_CHECK(!r.available(now + 50ms));
  CAF_CHECK(r.available(now + 100ms));
}

CAF_TEST(an idle peer never holds more than a burst) {
  time_point now{};
  rate r{10, now};
  size_t taken = 0;
  now += 1h;
  while (r.available(now) && taken < 100) {
    r.spend();
    ++taken;
  }
  CAF_CHECK_EQUAL(taken, 20u);
}
