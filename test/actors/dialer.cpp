// SPDX-License-Identifier: MIT
// Tests of the Dialer. Its connects run on detached threads of their own,
// which CAF's test coordinator cannot host, so these run in a real actor
// system against sockets on 127.0.0.1, with a deadline on every wait. The
// listener is a stand-in that reports each adopted socket to the test and
// answers when the test says so.

#define CAF_SUITE actors.dialer

#include "actors/dialer.hpp"

#include <deque>

#include <caf/test/unit_test.hpp>

#include "actors/errors.hpp"
#include "actors/messages.hpp"
#include "live_system.hpp"

using namespace groupchat;
using namespace groupchat::testing;
using namespace std::chrono_literals;

namespace {

// Adopted sockets whose answer waits; closed when answered or at the end.
struct fake_listener_state {
  struct held_adopt {
    int fd;
    caf::response_promise promise;
  };
  std::deque<held_adopt> held;

  ~fake_listener_state() {
    for (auto& x : held)
      ::close(x.fd);
  }
};

// Tells `test` of each `(adopt, fd)` and holds the answer: `resume`
// answers the oldest with a connection, `close` with an error.
caf::behavior fake_listener(caf::stateful_actor<fake_listener_state>* self,
                            caf::actor test) {
  auto answer_oldest = [self](auto... xs) {
    auto& held = self->state.held;
    held.front().promise.deliver(xs...);
    ::close(held.front().fd);
    held.pop_front();
  };
  return {
    [=](atom::adopt, int fd) {
      self->state.held.push_back({fd, self->make_response_promise()});
      self->send(test, atom::adopt_v, fd);
    },
    [=](atom::resume) {
      answer_oldest(caf::actor_cast<caf::actor>(self),
                    std::string{"127.0.0.1"});
    },
    [=](atom::close) {
      answer_oldest(caf::make_error(caf::sec::invalid_argument));
    },
  };
}

struct fixture : live_system {
  caf::actor listener;
  dialer_actor dialer;
  /// A socket listening on 127.0.0.1:`port`, never accepting.
  uint16_t port = 0;
  int server = -1;

  fixture() {
    server = bound_socket(port, 16);
    CAF_REQUIRE_GREATER_OR_EQUAL(server, 0);
    listener = sys.spawn(fake_listener, caf::actor_cast<caf::actor>(self));
    dialer = spawn_dialer(sys, listener, 5s);
  }

  ~fixture() {
    caf::anon_send_exit(dialer, caf::exit_reason::kill);
    caf::anon_send_exit(listener, caf::exit_reason::kill);
    ::close(server);
  }

  /// The error a connect to `host:to` ends with (within `patience`).
  protocol::error failed_connect(const std::string& host, uint16_t to) {
    protocol::error result{protocol::ec{}, "no answer"}; // No code.
    self->request(dialer, patience, atom::connect_v, host, to)
      .receive([](caf::actor&, std::string&) { CAF_FAIL("connected"); },
               [&](caf::error& err) {
                 if (auto x = from_caf_error(err))
                   result = *x;
                 else
                   result.detail = caf::to_string(err);
               });
    return result;
  }

  /// The socket the next adopt carries (within `patience`), or -1.
  int next_adopt() {
    int result = -1;
    self->receive([&](atom::adopt, int fd) { result = fd; },
                  caf::after(patience) >> [] {});
    return result;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(dialer_tests, fixture)

CAF_TEST(an unresolvable host fails with connect_failed) {
  auto err = failed_connect("host.invalid", port);
  CAF_CHECK_EQUAL(err.code, protocol::ec::connect_failed);
  CAF_CHECK(!err.detail.empty());
  CAF_MESSAGE("detail: " << err.detail);
}

CAF_TEST(a port nobody listens on fails with connect_failed) {
  uint16_t closed_port = 0;
  int bound = bound_socket(closed_port, -1); // Bound, not listening.
  auto err = failed_connect("127.0.0.1", closed_port);
  ::close(bound);
  CAF_CHECK_EQUAL(err.code, protocol::ec::connect_failed);
  CAF_CHECK_EQUAL(err.detail, "Connection refused");
}

CAF_TEST(a connected socket goes to the listener and its answer back) {
  auto answer = self->request(dialer, patience, atom::connect_v,
                              std::string{"127.0.0.1"}, port);
  auto fd = next_adopt();
  CAF_REQUIRE_GREATER_OR_EQUAL(fd, 0);
  CAF_CHECK_EQUAL(peer_port(fd), port);
  self->send(listener, atom::resume_v);
  answer.receive(
    [&](caf::actor& conn, std::string& host) {
      CAF_CHECK_EQUAL(conn, listener);
      CAF_CHECK_EQUAL(host, "127.0.0.1");
    },
    [](caf::error& err) { CAF_FAIL("connect failed: " << err); });
}

// Four connects run at once and 1024 wait: so the 1029th connect is refused
// at once, and the fifth starts when one of the first four ends.
CAF_TEST(at most four connects run at once and the rest wait their turn) {
  for (int i = 0; i < 1028; ++i)
    self->send(dialer, atom::connect_v, std::string{"127.0.0.1"}, port);
  auto err = failed_connect("127.0.0.1", port);
  CAF_CHECK_EQUAL(err.code, protocol::ec::connect_failed);
  CAF_CHECK_EQUAL(err.detail, "too many connects waiting");
  CAF_MESSAGE("four reach the listener while none was answered");
  for (int i = 0; i < 4; ++i)
    CAF_REQUIRE_GREATER_OR_EQUAL(next_adopt(), 0);
  CAF_MESSAGE("one ends (with an error): the fifth starts");
  self->send(listener, atom::close_v);
  CAF_CHECK_GREATER_OR_EQUAL(next_adopt(), 0);
}

CAF_TEST(a connect that gets no answer gives up at its timeout) {
  // A full accept queue on Linux drops further SYNs: the connect hangs.
  uint16_t busy_port = 0;
  int busy = bound_socket(busy_port, 0);
  int first = connect_to(busy_port); // Fills the queue of one.
  CAF_REQUIRE_GREATER_OR_EQUAL(first, 0);
  caf::anon_send_exit(dialer, caf::exit_reason::kill);
  dialer = spawn_dialer(sys, listener, 300ms);
  auto began = std::chrono::steady_clock::now();
  auto err = failed_connect("127.0.0.1", busy_port);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - began)
                .count();
  ::close(first);
  ::close(busy);
  CAF_CHECK_EQUAL(err.code, protocol::ec::connect_failed);
  CAF_CHECK_EQUAL(err.detail, "connect timed out");
  CAF_CHECK_GREATER_OR_EQUAL(took, 250); // Its clock counts whole ms.
  CAF_CHECK_LESS(took, 5000);
}

CAF_TEST_FIXTURE_SCOPE_END()
