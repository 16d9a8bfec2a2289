// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.group.guess_limiter

#include "protocol/group/guess_limiter.hpp"

#include <string>

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;
using namespace std::chrono_literals;

namespace {

const time_point t0{};

} // namespace

CAF_TEST(a source may make a few guesses then one per interval) {
  guess_limiter limiter{3, 10s};
  for (int i = 0; i < 3; ++i)
    CAF_CHECK(limiter.charge("10.0.0.9", t0));
  CAF_CHECK(!limiter.charge("10.0.0.9", t0));
  CAF_CHECK_EQUAL(limiter.wait_for("10.0.0.9", t0), timespan{10s});
  CAF_CHECK(!limiter.charge("10.0.0.9", t0 + 9s));
  CAF_CHECK(limiter.charge("10.0.0.9", t0 + 10s));
  CAF_CHECK(!limiter.charge("10.0.0.9", t0 + 15s));
  CAF_CHECK(limiter.charge("10.0.0.8", t0 + 15s));
  CAF_CHECK_EQUAL(limiter.wait_for("10.0.0.8", t0 + 15s), timespan{0});
}

CAF_TEST(a refund gives a guess back and never more than the budget) {
  guess_limiter limiter{2, 10s};
  CAF_CHECK(limiter.charge("h", t0));
  CAF_CHECK(limiter.charge("h", t0));
  limiter.refund("h", t0);
  CAF_CHECK(limiter.charge("h", t0));
  CAF_CHECK(!limiter.charge("h", t0));
  limiter.refund("h", t0);
  limiter.refund("h", t0);
  limiter.refund("h", t0);
  CAF_CHECK(limiter.charge("h", t0));
  CAF_CHECK(limiter.charge("h", t0));
  CAF_CHECK(!limiter.charge("h", t0));
}

CAF_TEST(the budget refills completely and no further) {
  guess_limiter limiter{2, 1s};
  limiter.charge("h", t0);
  limiter.charge("h", t0);
  CAF_CHECK(!limiter.charge("h", t0));
  CAF_CHECK(limiter.charge("h", t0 + 100s));
  CAF_CHECK(limiter.charge("h", t0 + 100s));
  CAF_CHECK(!limiter.charge("h", t0 + 100s)); // a full budget, not 100
}

CAF_TEST(an IPv6 network of one site shares one budget) {
  CAF_CHECK_EQUAL(guess_limiter::source_of("10.1.2.3"), "10.1.2.3");
  CAF_CHECK_EQUAL(guess_limiter::source_of("2001:db8:1:2:aaaa::1"),
                  "2001:db8:1:2::/64");
  guess_limiter limiter{1, 10s};
  CAF_CHECK(limiter.charge("2001:db8:1:2::1", t0));
  CAF_CHECK(!limiter.charge("2001:db8:1:2::99", t0));
  CAF_CHECK(limiter.charge("2001:db8:1:3::1", t0));
}

CAF_TEST(a rotation through the / 64s of a / 48 gets four budgets) {
  guess_limiter limiter{1, 10s};
  CAF_MESSAGE("a /56 holds two budgets");
  CAF_CHECK(limiter.charge("2001:db8:0:1::1", t0));
  CAF_CHECK(limiter.charge("2001:db8:0:2::1", t0));
  CAF_CHECK(!limiter.charge("2001:db8:0:3::1", t0));
  CAF_MESSAGE("a /48 four");
  CAF_CHECK(limiter.charge("2001:db8:0:101::1", t0));
  CAF_CHECK(limiter.charge("2001:db8:0:102::1", t0));
  CAF_CHECK(!limiter.charge("2001:db8:0:201::1", t0));
  CAF_MESSAGE("another /48 has its own");
  CAF_CHECK(limiter.charge("2001:db8:1:1::1", t0));
}

CAF_TEST(the whole group has a budget too) {
  guess_limiter limiter{1, 10s};
  int answered = 0;
  for (int i = 0; i < 100; ++i)
    answered += limiter.charge("10.0." + std::to_string(i) + ".1", t0) ? 1 : 0;
  CAF_CHECK_EQUAL(answered, 64);
}

CAF_TEST(a full table never forgets a throttled source) {
  guess_limiter limiter{1, 1h};
  CAF_CHECK(limiter.charge("10.0.0.1", t0));
  // Refunds keep the budget of everyone from running out.
  for (size_t i = 0; i < guess_limiter::max_sources * 2; ++i) {
    auto host = "h" + std::to_string(i);
    if (limiter.charge(host, t0))
      limiter.refund(host, t0);
  }
  CAF_CHECK_LESS_OR_EQUAL(limiter.size(), guess_limiter::max_sources);
  CAF_CHECK(!limiter.charge("10.0.0.1", t0));
}
