// SPDX-License-Identifier: MIT
// Deterministic tests of how the Connection broker reads, on CAF's test
// multiplexer: framing across reads, limits, the rate, the peer closing.

#define CAF_SUITE actors.connection
#define FAIL(msg) CAF_FAIL(msg)

#include "actors/connection_fixture.hpp"

CAF_TEST_FIXTURE_SCOPE(connection_tests, fixture)

CAF_TEST(a frame split across reads is reassembled) {
  auto bytes = frame(protocol::make_chat("split", 1));
  feed(bytes.substr(0, 2));
  feed(bytes.substr(2, 5));
  CAF_CHECK(received.empty());
  feed(bytes.substr(7));
  CAF_REQUIRE_EQUAL(received.size(), 1u);
  CAF_CHECK_EQUAL(received[0].text, "split");
}

CAF_TEST(several frames in one read arrive in order and in one message) {
  // One at a time: each frame seals the next message of the stream.
  auto frames = frame(protocol::make_chat("one", 1));
  frames += frame(protocol::make_chat("two", 2));
  frames += frame(protocol::make_leave());
  feed(frames);
  CAF_CHECK_EQUAL(deliveries, 1u);
  CAF_REQUIRE_EQUAL(received.size(), 3u);
  CAF_CHECK_EQUAL(received[0].text, "one");
  CAF_CHECK_EQUAL(received[1].text, "two");
  CAF_CHECK(received[2] == protocol::make_leave());
}

CAF_TEST(an oversize length prefix drops the connection) {
  std::string header(protocol::length_prefix_size, '\0');
  protocol::write_length(max_frame_size + 1, header.data());
  feed(header);
  CAF_CHECK(received.empty());
  CAF_CHECK(connection_is_down());
}

CAF_TEST(invalid JSON drops the connection) {
  feed(sealed("{\"type\":"));
  CAF_CHECK(received.empty());
  CAF_CHECK(connection_is_down());
}

// How a lingering close ends when the peer closes or leaves too is tested
// end to end (e2e.test_leave, e2e.test_flow): here, with CAF 0.17's test
// multiplexer, a broker that quits on such input after a flush is never
// freed (LeakSanitizer), which the real multiplexer does not show.
CAF_TEST(a lingering close gives up on a peer that neither closes nor talks) {
  caf::anon_send(connection, atom::send_v, protocol::make_leave());
  caf::anon_send(connection, atom::close_v, true);
  sched.run();
  mpx.flush_runnables();
  CAF_CHECK(!connection_is_down());
  advance_time(4s);
  sched.run();
  CAF_CHECK(!connection_is_down());
  CAF_MESSAGE("the linger timeout (5 s) of silence ends it");
  advance_time(2s);
  sched.run();
  mpx.flush_runnables();
  sched.run();
  CAF_CHECK(connection_is_down());
}

CAF_TEST(a peer sending faster than the rate is slowed down not dropped) {
  std::string burst;
  for (size_t i = 1; i <= 3 * rate; ++i)
    burst += frame(protocol::make_chat("x", i));
  auto began = sched.clock().now();
  CAF_MESSAGE("the bucket holds 200 messages; the other 100 take a second "
              "of simulated time, read as their tokens come");
  feed(burst);
  CAF_REQUIRE_EQUAL(received.size(), 3 * rate);
  for (size_t i = 0; i < received.size(); ++i)
    CAF_CHECK_EQUAL(received[i].seq, i + 1);
  CAF_CHECK(sched.clock().now() - began >= std::chrono::milliseconds(990));
  CAF_CHECK(!connection_is_down());
}

CAF_TEST(an admitted peer may send frames up to the maximum) {
  caf::anon_send(connection, atom::admit_v);
  run();
  feed(frame(protocol::make_chat(std::string(70, 'y'), 1)));
  CAF_CHECK_EQUAL(received.size(), 1u);
  CAF_CHECK(!connection_is_down());
}

CAF_TEST(a stranger sending a frame larger than a greeting is dropped) {
  feed(frame(protocol::make_chat(std::string(40, 'x'), 1)));
  CAF_CHECK_EQUAL(received.size(), 1u);
  feed(frame(protocol::make_chat(std::string(70, 'y'), 2)));
  CAF_CHECK_EQUAL(received.size(), 1u);
  CAF_CHECK(connection_is_down());
}

CAF_TEST(the remote side closing ends the connection actor) {
  mpx.impl_ptr(socket)->io_failure(&mpx, caf::io::network::operation::read);
  run();
  CAF_CHECK(connection_is_down());
}

CAF_TEST_FIXTURE_SCOPE_END()
