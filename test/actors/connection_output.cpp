// SPDX-License-Identifier: MIT
// Deterministic tests of what the Connection broker writes: frames, sealed;
// what close flushes; the backlog's progress checks.

#define CAF_SUITE actors.connection_output
#define FAIL(msg) CAF_FAIL(msg)

#include "actors/connection_fixture.hpp"

CAF_TEST_FIXTURE_SCOPE(connection_output_tests, fixture)

CAF_TEST(sent messages are framed and written) {
  caf::anon_send(connection, atom::send_v,
                 protocol::make_refuse(protocol::refusal::other, "name taken"));
  run();
  CAF_CHECK_EQUAL(output(), plain(protocol::make_refuse(
                              protocol::refusal::other, "name taken")));
}

CAF_TEST(close flushes what was sent before it) {
  caf::anon_send(connection, atom::send_v, protocol::make_leave());
  caf::anon_send(connection, atom::close_v, false);
  run();
  CAF_CHECK_EQUAL(output(), plain(protocol::make_leave()));
  CAF_CHECK(connection_is_down());
}

CAF_TEST(a congestion check left from an earlier spell judges no short window) {
  // Nothing reads the output here: `pending` grows with every frame, and
  // CAF's reports of what the socket took are sent by hand.
  // Delivers what is under way without firing timers (run() would).
  auto deliver = [this] {
    sched.run();
    mpx.flush_runnables();
    sched.run();
  };
  auto pile_up = [&] {
    for (int i = 0; i < 20; ++i) // 20 frames of 124 bytes: above 2 KiB.
      caf::anon_send(connection, atom::send_v, std::string(120, 'x'));
    deliver();
  };
  auto taken = [&](size_t n) {
    caf::anon_send(connection, caf::io::data_transferred_msg{socket, n, 0});
    deliver();
  };
  auto wait = [&](caf::timespan t) {
    advance_time(t);
    deliver();
  };
  CAF_MESSAGE("a first spell of congestion schedules a check in 2 s");
  pile_up();
  CAF_REQUIRE(congested);
  wait(1500ms);
  CAF_MESSAGE("the peer takes most of it: the spell ends");
  taken(2000);
  CAF_REQUIRE(!congested);
  wait(400ms);
  CAF_MESSAGE("a second spell starts 0.1 s before the first check is due");
  pile_up();
  CAF_REQUIRE(congested);
  wait(200ms);
  CAF_CHECK(!connection_is_down());
  CAF_MESSAGE("the peer takes nothing for a whole window: dropped");
  wait(2s);
  CAF_CHECK(connection_is_down());
}

CAF_TEST_FIXTURE_SCOPE_END()
