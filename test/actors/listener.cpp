// SPDX-License-Identifier: MIT
// Tests of the Listener. Opening the port, the answers to `listen` and
// `adopt`, and the bound on connections run deterministically on CAF's
// test multiplexer; adopting a real socket (add_scribe(fd), which the test
// multiplexer cannot do) and the address of an accepted peer run on
// 127.0.0.1 in a real actor system, with a deadline on every wait.

#define CAF_SUITE actors.listener
#define FAIL(msg) CAF_FAIL(msg)

#include "actors/listener.hpp"

#include <poll.h>

#include <caf/test/io_dsl.hpp>

#include "actors/messages.hpp"
#include "live_system.hpp"
#include "protocol/crypto/secure.hpp"
#include "protocol/wire/frame.hpp"
#include "protocol/wire/message.hpp"

using namespace groupchat;
using namespace groupchat::testing;
using namespace std::chrono_literals;
using protocol::message;

namespace {

connection_options limits() {
  connection_options opts;
  opts.max_frame_size = 1024;
  opts.max_pending_output = 64 * 1024;
  opts.max_messages_per_second = 100;
  opts.handshake_timeout = 5s;
  opts.drain_timeout = 1s;
  opts.linger_timeout = 1s;
  return opts;
}

// Membership as the connections see it: it forwards what they report to
// `test` (and survives their end: they are linked to it).
caf::behavior forwarder(caf::event_based_actor* self, caf::actor test) {
  self->set_exit_handler([](caf::exit_msg&) {});
  return {
    [=](atom::incoming, const std::string& host) {
      self->send(test, atom::incoming_v, host, self->current_sender());
    },
    [=](atom::received, const message& msg) {
      self->send(test, atom::received_v, msg.text);
    },
    [=](atom::received, const std::vector<message>& msgs) {
      for (auto& msg : msgs)
        self->send(test, atom::received_v, msg.text);
    },
  };
}

struct simulated : test_node_fixture<> {
  caf::io::accept_handle acceptor = caf::io::accept_handle::from_int(1);
  caf::actor owner = sys.spawn(forwarder, caf::actor_cast<caf::actor>(self));
  caf::actor listener = spawn_listener(sys, limits(), 1);
  std::vector<caf::actor> connections;

  ~simulated() override {
    for (auto& hdl : connections)
      caf::anon_send_exit(hdl, caf::exit_reason::kill);
    for (auto& hdl : {listener, owner})
      caf::anon_send_exit(hdl, caf::exit_reason::kill);
    run();
  }

  /// What the listener answers to `xs` (the answer's first element).
  template <class T, class... Ts>
  caf::expected<T> ask(Ts... xs) {
    caf::expected<T> result{caf::make_error(caf::sec::request_timeout)};
    auto answer = self->request(listener, caf::infinite, xs...);
    run();
    answer.receive([&](T& x) { result = std::move(x); },
                   [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  /// Accepts connection `id`; returns whether membership heard of it.
  bool accept(int id) {
    auto hdl = caf::io::connection_handle::from_int(id);
    mpx.add_pending_connect(acceptor, hdl);
    mpx.accept_connection(acceptor);
    // Fires no timer: `run` would end the connection at the deadline of
    // its handshake.
    do {
      sched.run();
      mpx.flush_runnables();
    } while (sched.run() > 0);
    bool heard = false;
    self->receive(
      [&](atom::incoming, const std::string&, caf::strong_actor_ptr& conn) {
        connections.push_back(caf::actor_cast<caf::actor>(conn));
        heard = true;
      },
      caf::after(0s) >> [] {});
    return heard;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(simulated_listener_tests, simulated)

CAF_TEST(listen answers the port it opened) {
  mpx.provide_acceptor(5000, acceptor);
  auto port = ask<uint16_t>(atom::listen_v, uint16_t{5000}, owner,
                            std::string{});
  CAF_REQUIRE(port);
  CAF_CHECK_EQUAL(*port, 5000u);
  CAF_CHECK(mpx.is_known_handle(acceptor));
}

CAF_TEST(listen on a port that cannot be opened answers an error) {
  auto port = ask<uint16_t>(atom::listen_v, uint16_t{6000}, owner,
                            std::string{});
  CAF_REQUIRE(!port);
  CAF_CHECK_EQUAL(port.error(), caf::sec::cannot_open_port);
}

CAF_TEST(adopt before listen answers an error) {
  auto conn = ask<caf::actor>(atom::adopt_v, -1);
  CAF_REQUIRE(!conn);
  CAF_CHECK_EQUAL(conn.error(), caf::sec::invalid_argument);
}

CAF_TEST(beyond the maximum an accepted socket is closed at once) {
  mpx.provide_acceptor(5000, acceptor);
  CAF_REQUIRE(
    ask<uint16_t>(atom::listen_v, uint16_t{5000}, owner, std::string{}));
  CAF_CHECK(accept(2));
  CAF_CHECK(!accept(3));
  CAF_CHECK(mpx.stopped_reading(caf::io::connection_handle::from_int(3)));
  CAF_MESSAGE("the first peer hangs up: there is room again");
  mpx.impl_ptr(caf::io::connection_handle::from_int(2))
    ->io_failure(&mpx, caf::io::network::operation::read);
  run();
  CAF_CHECK(accept(4));
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

struct live : live_system {
  caf::actor owner = sys.spawn(forwarder, caf::actor_cast<caf::actor>(self));
  caf::actor listener = spawn_listener(sys, limits(), 16);
  uint16_t port = 0;

  live() {
    self
      ->request(listener, patience, atom::listen_v, uint16_t{0}, owner,
                std::string{})
      .receive([&](uint16_t bound) { port = bound; },
               [](caf::error& err) { CAF_FAIL("cannot listen: " << err); });
    CAF_REQUIRE_NOT_EQUAL(port, 0u);
  }

  ~live() {
    // The connections are linked to the owner: they end with it.
    for (auto& hdl : {listener, owner})
      caf::anon_send_exit(hdl, caf::exit_reason::kill);
  }

  /// Reads `n` bytes from `fd` within `patience`.
  static std::string read_bytes(int fd, size_t n) {
    std::string result;
    auto deadline = std::chrono::steady_clock::now() + patience;
    while (result.size() < n && std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{fd, POLLIN, 0};
      if (::poll(&pfd, 1, 100) <= 0)
        continue;
      char buf[4096];
      auto got = ::read(fd, buf, std::min(sizeof(buf), n - result.size()));
      if (got <= 0)
        break;
      result.append(buf, static_cast<size_t>(got));
    }
    return result;
  }
};

/// The next frame's body from `fd`.
std::string read_frame(int fd) {
  auto header = live::read_bytes(fd, protocol::length_prefix_size);
  CAF_REQUIRE_EQUAL(header.size(), protocol::length_prefix_size);
  return live::read_bytes(fd, protocol::read_length(header.data()));
}

void write_frame(int fd, std::string_view body) {
  auto bytes = protocol::make_frame(body);
  CAF_REQUIRE_EQUAL(::write(fd, bytes.data(), bytes.size()),
                    static_cast<ssize_t>(bytes.size()));
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(live_listener_tests, live)

CAF_TEST(a peer accepted over IPv4 is reported by its plain address) {
  int peer = connect_to(port);
  CAF_REQUIRE_GREATER_OR_EQUAL(peer, 0);
  std::string host = "(none)";
  caf::strong_actor_ptr conn;
  self->receive(
    [&](atom::incoming, std::string& x, caf::strong_actor_ptr& from) {
      host = x;
      conn = std::move(from);
    },
    caf::after(patience) >> [] {});
  CAF_CHECK_EQUAL(host, "127.0.0.1");
  CAF_MESSAGE("the peer hangs up: the connection ends");
  self->monitor(conn);
  ::close(peer);
  bool ended = false;
  self->receive([&](caf::down_msg&) { ended = true; },
                caf::after(patience) >> [] {});
  CAF_CHECK(ended);
}

CAF_TEST(adopt wraps a connected socket in a connection) {
  uint16_t server_port = 0;
  int server = bound_socket(server_port, 4);
  int dialed = connect_to(server_port);
  int far = ::accept(server, nullptr, nullptr);
  CAF_REQUIRE_GREATER_OR_EQUAL(far, 0);
  caf::actor conn;
  self->request(listener, patience, atom::adopt_v, dialed)
    .receive(
      [&](caf::actor& x, std::string& host) {
        conn = std::move(x);
        CAF_CHECK_EQUAL(host, "127.0.0.1");
      },
      [](caf::error& err) { CAF_FAIL("adopt failed: " << err); });
  CAF_MESSAGE("what we send waits for the handshake, then goes sealed");
  caf::anon_send(conn, atom::send_v, protocol::make_chat("out", 1));
  CAF_MESSAGE("once started, it reads: the handshake, then the peer's frames");
  caf::anon_send(conn, atom::start_v);
  protocol::secure_channel responder{protocol::open_group_key(),
                                     protocol::secure_channel::role::responder};
  auto step2 = responder.on_frame(read_frame(far));
  CAF_REQUIRE(step2);
  write_frame(far, step2->to_send.front());
  CAF_REQUIRE(responder.on_frame(read_frame(far)));
  CAF_REQUIRE(responder.established());
  auto out = responder.on_frame(read_frame(far));
  CAF_REQUIRE(out && out->has_plaintext);
  CAF_CHECK_EQUAL(out->plaintext,
                  protocol::encode(protocol::make_chat("out", 1)));
  write_frame(far,
              responder.seal(protocol::encode(protocol::make_chat("in", 1))));
  std::string text = "(nothing)";
  self->receive([&](atom::received, std::string& x) { text = x; },
                caf::after(patience) >> [] {});
  CAF_CHECK_EQUAL(text, "in");
  ::close(far);
  ::close(server);
}

CAF_TEST_FIXTURE_SCOPE_END()
