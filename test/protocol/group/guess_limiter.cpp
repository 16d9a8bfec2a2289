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

CAF_TEST(a host may fail a few handshakes then one per interval) {
  guess_limiter limiter{3, 10s};
  CAF_CHECK(limiter.allows("10.0.0.9", t0));
  CAF_CHECK(!limiter.failed("10.0.0.9", t0));
  CAF_CHECK(!limiter.failed("10.0.0.9", t0));
  CAF_MESSAGE("the third failure uses up the budget");
  CAF_CHECK(limiter.failed("10.0.0.9", t0));
  CAF_CHECK(!limiter.allows("10.0.0.9", t0));
  CAF_CHECK(!limiter.allows("10.0.0.9", t0 + 9s));
  CAF_MESSAGE("one more try after one interval, then none again");
  CAF_CHECK(limiter.allows("10.0.0.9", t0 + 10s));
  CAF_CHECK(limiter.failed("10.0.0.9", t0 + 10s));
  CAF_CHECK(!limiter.allows("10.0.0.9", t0 + 15s));
  CAF_MESSAGE("other hosts are not affected");
  CAF_CHECK(limiter.allows("10.0.0.8", t0 + 15s));
}

CAF_TEST(the budget refills completely) {
  guess_limiter limiter{2, 1s};
  limiter.failed("h", t0);
  limiter.failed("h", t0);
  CAF_CHECK(!limiter.allows("h", t0));
  CAF_CHECK(limiter.allows("h", t0 + 100s));
  CAF_CHECK(!limiter.failed("h", t0 + 100s)); // a full budget again, not 100
  CAF_CHECK(limiter.failed("h", t0 + 100s));
}

CAF_TEST(the hosts remembered are bounded) {
  guess_limiter limiter{2, 10s};
  for (size_t i = 0; i < guess_limiter::max_hosts * 3; ++i) {
    limiter.failed("h" + std::to_string(i), t0 + std::chrono::seconds(i));
    limiter.failed("h" + std::to_string(i), t0 + std::chrono::seconds(i));
  }
  CAF_CHECK_LESS_OR_EQUAL(limiter.size(), guess_limiter::max_hosts);
  CAF_MESSAGE("the newest offender is still refused");
  auto last = "h" + std::to_string(guess_limiter::max_hosts * 3 - 1);
  CAF_CHECK(!limiter.allows(last, t0 + std::chrono::seconds(3 * 1024)));
}

CAF_TEST(an IPv6 network of one site shares one budget) {
  CAF_CHECK_EQUAL(guess_limiter::source_of("10.1.2.3"), "10.1.2.3");
  CAF_CHECK_EQUAL(guess_limiter::source_of("2001:db8:1:2:aaaa::1"),
                  "2001:db8:1:2::/64");
  guess_limiter limiter{1, 10s};
  limiter.failed("2001:db8:1:2::1", t0);
  CAF_CHECK(!limiter.allows("2001:db8:1:2::99", t0));
  CAF_CHECK(limiter.allows("2001:db8:1:3::1", t0));
}
