// SPDX-License-Identifier: MIT
// Deterministic tests of the Listener and Connection brokers on CAF's test
// multiplexer: framing across reads, limits, flushing on close.

#define CAF_SUITE actors.connection
#define FAIL(msg) CAF_FAIL(msg)

#include "actors/connection.hpp"

#include <caf/test/io_dsl.hpp>

#include "actors/listener.hpp"
#include "actors/messages.hpp"
#include "protocol/crypto/secure.hpp"
#include "protocol/wire/frame.hpp"
#include "protocol/wire/message.hpp"

using namespace groupchat;
using protocol::message;
using namespace std::chrono_literals;

namespace {

constexpr uint16_t port = 5000;
constexpr size_t max_frame_size = 128;
constexpr size_t rate = 100; // messages per second, bursts of 200
constexpr size_t stranger_frame_size = 96;

struct fixture : test_node_fixture<> {
  caf::io::accept_handle acceptor = caf::io::accept_handle::from_int(1);
  caf::io::connection_handle socket = caf::io::connection_handle::from_int(2);
  caf::actor listener;
  caf::actor owner;
  caf::actor connection;
  std::vector<std::string> incoming;
  std::vector<message> received;
  bool congested = false;
  /// Messages membership got: a read's frames come in one.
  size_t deliveries = 0;
  /// The far end of the socket: every connection is sealed (protocol 3),
  /// an open group's with its public key.
  protocol::secure_channel peer{protocol::open_group_key(),
                                protocol::secure_channel::role::initiator};

  fixture() {
    // The fixture goes in as an argument: CAF 0.17 dereferences a null
    // pointer (UBSan) when spawning a function without arguments.
    owner = sys.spawn(
      [](caf::event_based_actor* owner_self, fixture* fix) {
        owner_self->set_exit_handler([](caf::exit_msg&) {});
        return caf::behavior{
          [=](atom::incoming, const std::string& host) {
            fix->incoming.push_back(host);
            fix->connection
              = caf::actor_cast<caf::actor>(owner_self->current_sender());
          },
          [=](atom::received, const message& msg) {
            fix->received.push_back(msg);
            ++fix->deliveries;
          },
          [=](atom::received, const std::vector<message>& msgs) {
            fix->received.insert(fix->received.end(), msgs.begin(), msgs.end());
            ++fix->deliveries;
          },
          [=](atom::congested, bool yes) { fix->congested = yes; },
        };
      },
      this);
    mpx.provide_acceptor(port, acceptor);
    connection_options limits;
    limits.max_frame_size = max_frame_size;
    limits.max_pending_output = 4096;
    limits.max_messages_per_second = rate;
    limits.max_stranger_frame_size = stranger_frame_size;
    limits.handshake_timeout = 1s;
    limits.drain_timeout = 500ms;
    limits.linger_timeout = 5s;
    listener = spawn_listener(sys, limits, 16);
    self->send(listener, atom::listen_v, port, owner);
    run();
    self->receive([](uint16_t bound) { CAF_CHECK_EQUAL(bound, port); });
    CAF_MESSAGE("a peer connects");
    mpx.add_pending_connect(acceptor, socket);
    mpx.accept_connection(acceptor);
    settle();
    CAF_REQUIRE_EQUAL(incoming.size(), 1u);
    CAF_REQUIRE(connection != nullptr);
    self->monitor(connection);
    CAF_MESSAGE("it completes the handshake");
    feed(protocol::make_frame(peer.start().front()), false);
    auto written = raw_output();
    auto answer = peer.on_frame(next_frame(written));
    CAF_REQUIRE(answer);
    CAF_REQUIRE(peer.established());
    feed(protocol::make_frame(answer->to_send.front()), false);
  }

  ~fixture() override {
    for (auto& hdl : {listener, owner, connection})
      caf::anon_send_exit(hdl, caf::exit_reason::kill);
    run();
    // Timers still pending (a progress check, say) hold their receiver:
    // fire them at the dead actors, so nothing outlives the system.
    advance_time(std::chrono::minutes(1));
    run();
  }

  /// Runs what is under way, firing no timer (`run` fires them all: the
  /// handshake's deadline too).
  void settle() {
    do {
      sched.run();
      mpx.flush_runnables();
    } while (sched.run() > 0);
  }

  void feed(const std::string& bytes, bool fire_timers = true) {
    mpx.virtual_send(socket, std::vector<char>(bytes.begin(), bytes.end()));
    if (fire_timers)
      run();
    else
      settle();
  }

  /// What the connection wrote since the last call, reported taken by the
  /// socket (the test multiplexer reports nothing itself).
  std::string raw_output() {
    auto& buf = mpx.output_buffer(socket);
    std::string result(buf.begin(), buf.end());
    buf.clear();
    if (!result.empty()) {
      caf::anon_send(connection,
                     caf::io::data_transferred_msg{socket, result.size(), 0});
      settle();
    }
    return result;
  }

  /// Takes the first frame's body off `bytes`.
  static std::string next_frame(std::string& bytes) {
    CAF_REQUIRE(bytes.size() >= protocol::length_prefix_size);
    auto size = protocol::read_length(bytes.data());
    CAF_REQUIRE(bytes.size() >= protocol::length_prefix_size + size);
    auto body = bytes.substr(protocol::length_prefix_size, size);
    bytes.erase(0, protocol::length_prefix_size + size);
    return body;
  }

  /// What the connection wrote, opened and framed again in plaintext.
  std::string output() {
    auto bytes = raw_output();
    std::string plain;
    while (!bytes.empty()) {
      auto opened = peer.on_frame(next_frame(bytes));
      CAF_REQUIRE(opened && opened->has_plaintext);
      plain += protocol::make_frame(opened->plaintext);
    }
    return plain;
  }

  bool connection_is_down() {
    bool down = false;
    self->receive([&](caf::down_msg&) { down = true; },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return down;
  }

  /// `msg` as the peer sends it. Frames must be fed in the order they
  /// were made: each seals the next message of the stream.
  std::string frame(const message& msg) {
    return sealed(protocol::encode(msg));
  }

  std::string sealed(std::string_view body) {
    return protocol::make_frame(peer.seal(body));
  }

  /// `msg` as `output` shows it.
  static std::string plain(const message& msg) {
    return protocol::make_frame(protocol::encode(msg));
  }
};

} // namespace

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

CAF_TEST(the remote side closing ends the connection actor) {
  mpx.impl_ptr(socket)->io_failure(&mpx, caf::io::network::operation::read);
  run();
  CAF_CHECK(connection_is_down());
}

CAF_TEST_FIXTURE_SCOPE_END()
