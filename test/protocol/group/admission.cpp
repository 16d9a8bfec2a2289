// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.group.admission

#include "protocol/group/admission.hpp"

#include <caf/test/unit_test.hpp>

#include "protocol/group/join_machine.hpp"

using namespace groupchat::protocol;
using namespace std::chrono_literals;

namespace {

struct fixture {
  peer_table peers;
  time_point now{};
  conn_id next = 1;
  admission doors{options(), peers};

  static join_options options() {
    join_options opts;
    opts.max_strangers = 4;
    opts.max_strangers_per_host = 2;
    opts.max_failed_handshakes = 2;
    opts.failed_handshake_interval = 10s;
    opts.guarded = true;
    return opts;
  }

  // A stranger from `host` comes in, as the join machine takes it.
  peer& stranger(const std::string& host) {
    if (auto victim = doors.make_room(host))
      victim->st = stage::closing;
    now += 1ms;
    return peers.add(next++, stage::accepted, false, endpoint{host, 0}, now);
  }

  // A stranger from `host` asks to come in: charged a guess, or refused
  // (null).
  peer* knock(const std::string& host) {
    if (!doors.allows(host, now))
      return nullptr;
    auto& p = stranger(host);
    p.charged = true;
    return &p;
  }

  void fail(const peer& p) {
    doors.on_closed(p, error{ec::authentication_failed, "wrong"}, now);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(admission_tests, fixture)

CAF_TEST(one host cannot take the whole pool) {
  auto& a1 = stranger("10.0.0.1");
  stranger("10.0.0.1");
  CAF_MESSAGE("the third from the same host closes its oldest");
  stranger("10.0.0.1");
  CAF_CHECK(a1.st == stage::closing);
  CAF_CHECK_EQUAL(peers.strangers_from("10.0.0.1"), 2u);
}

CAF_TEST(a full pool makes room with its oldest stranger) {
  auto& oldest = stranger("10.0.0.1");
  stranger("10.0.0.2");
  stranger("10.0.0.3");
  stranger("10.0.0.4");
  CAF_CHECK(doors.make_room("10.0.0.5") == &oldest);
}

CAF_TEST(strangers that never started a handshake make room first) {
  auto& joining = stranger("10.0.0.1");
  joining.started = true;
  auto& idle = stranger("10.0.0.2");
  stranger("10.0.0.3");
  stranger("10.0.0.4");
  CAF_CHECK(doors.make_room("10.0.0.5") == &idle);
  CAF_MESSAGE("when all started, the oldest goes");
  idle.started = true;
  peers.find(3)->started = true;
  peers.find(4)->started = true;
  CAF_CHECK(doors.make_room("10.0.0.5") == &joining);
}

CAF_TEST(the pool per host counts an IPv6 network as one host) {
  auto& first = stranger("2001:db8:1:2::1");
  stranger("2001:db8:1:2::2");
  stranger("2001:db8:1:2::3");
  CAF_CHECK(first.st == stage::closing);
  CAF_CHECK_EQUAL(peers.strangers_from("2001:db8:1:2::99"), 2u);
  CAF_CHECK_EQUAL(peers.strangers_from("2001:db8:1:3::1"), 0u);
}

CAF_TEST(parallel handshakes get no more answers than the budget) {
  CAF_CHECK(knock("10.0.0.9") != nullptr);
  CAF_CHECK(knock("10.0.0.9") != nullptr);
  CAF_MESSAGE("none has failed yet: a third is refused all the same");
  CAF_CHECK(knock("10.0.0.9") == nullptr);
  CAF_CHECK(knock("10.0.0.8") != nullptr);
}

CAF_TEST(a stranger that made no guess gets its charge back) {
  auto p = knock("10.0.0.9");
  knock("10.0.0.9");
  doors.on_closed(*p, std::nullopt, now);
  CAF_CHECK(knock("10.0.0.9") != nullptr);
  CAF_CHECK(knock("10.0.0.9") == nullptr);
}

CAF_TEST(failed guesses stay charged and come back one per interval) {
  fail(*knock("10.0.0.9"));
  fail(*knock("10.0.0.9"));
  CAF_CHECK(!doors.allows("10.0.0.9", now));
  now += 10s;
  CAF_CHECK(knock("10.0.0.9") != nullptr);
  CAF_CHECK(knock("10.0.0.9") == nullptr);
}

CAF_TEST(only strangers are charged) {
  auto& dialed = peers.add(next++, stage::greeting, true,
                           endpoint{"10.0.0.9", 5000}, now);
  fail(dialed);
  fail(dialed);
  CAF_CHECK(doors.allows("10.0.0.9", now));
}

CAF_TEST(a stranger that proves the passphrase gets its guess back) {
  fail(*knock("10.0.0.9"));
  auto p = knock("10.0.0.9");
  CAF_REQUIRE(p != nullptr);
  CAF_REQUIRE(knock("10.0.0.9") == nullptr);
  doors.on_proven(*p, now);
  CAF_CHECK(knock("10.0.0.9") != nullptr);
  CAF_MESSAGE("only its own: the failure of another from there stands");
  CAF_CHECK(knock("10.0.0.9") == nullptr);
}

CAF_TEST(a group without a passphrase charges nothing) {
  auto opts = options();
  opts.guarded = false;
  admission open{opts, peers};
  for (int i = 0; i < 100; ++i)
    CAF_CHECK(open.allows("10.0.0.9", now));
}

CAF_TEST(a throttled host is told the wait in whole seconds) {
  CAF_CHECK_EQUAL(throttled_reason(1500ms),
                  "too many failed attempts from your address, try again in "
                  "2 s");
  CAF_CHECK_EQUAL(throttled_reason(0ms),
                  "too many failed attempts from your address, try again in "
                  "1 s");
}

CAF_TEST_FIXTURE_SCOPE_END()
