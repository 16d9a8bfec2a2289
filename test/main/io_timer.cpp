// SPDX-License-Identifier: MIT
#define CAF_SUITE main.io_timer

#include "main/io_timer.hpp"

#include <caf/test/unit_test.hpp>

#include "actors/messages.hpp"
#include "live_system.hpp"

using namespace groupchat;
using namespace std::chrono_literals;

namespace {

struct fixture {
  // Declared first: it outlives the actor system, as in main.cpp.
  io_timer timer;
  testing::live_system live;

  fixture() {
    CAF_REQUIRE(timer.start(live.sys));
    timer.aim(caf::actor_cast<caf::actor>(live.self));
  }

  ~fixture() {
    timer.stop();
  }

  /// The ticks that arrive within `wait`.
  size_t ticks(caf::timespan wait) {
    size_t n = 0;
    bool more = true;
    while (more)
      live.self->receive([&](atom::tick) { ++n; },
                         caf::after(wait) >> [&] { more = false; });
    return n;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(io_timer_tests, fixture)

CAF_TEST(an armed timer ticks once) {
  timer.arm(20ms);
  size_t n = 0;
  live.self->receive([&](atom::tick) { ++n; },
                     caf::after(testing::patience) >> [] {});
  CAF_CHECK_EQUAL(n, 1u);
  CAF_CHECK_EQUAL(ticks(200ms), 0u);
}

CAF_TEST(arming again replaces the time) {
  timer.arm(1h);
  timer.arm(10ms);
  size_t n = 0;
  live.self->receive([&](atom::tick) { ++n; },
                     caf::after(testing::patience) >> [] {});
  CAF_CHECK_EQUAL(n, 1u);
  CAF_MESSAGE("armed for later, then for now: one tick, now");
  timer.arm(1h);
  timer.arm(0ms);
  CAF_CHECK_EQUAL(ticks(200ms), 1u);
}

CAF_TEST(a stopped timer ticks no more) {
  timer.arm(50ms);
  timer.stop();
  CAF_CHECK_EQUAL(ticks(300ms), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
