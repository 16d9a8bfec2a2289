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
    return opts;
  }

  // A stranger from `host` comes in, as the join machine takes it.
  peer& stranger(const std::string& host) {
    if (auto victim = doors.make_room(host))
      victim->st = stage::closing;
    now += 1ms;
    return peers.add(next++, stage::accepted, false, endpoint{host, 0}, now);
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

CAF_TEST(failed handshakes use up the guesses of a host) {
  CAF_CHECK(doors.allows("10.0.0.9", now));
  fail(stranger("10.0.0.9"));
  fail(stranger("10.0.0.9"));
  CAF_CHECK(!doors.allows("10.0.0.9", now));
  CAF_CHECK(doors.allows("10.0.0.8", now));
  CAF_MESSAGE("one more guess per interval");
  now += 10s;
  CAF_CHECK(doors.allows("10.0.0.9", now));
}

CAF_TEST(only failed handshakes of strangers count) {
  auto& dialed = peers.add(next++, stage::greeting, true,
                           endpoint{"10.0.0.9", 5000}, now);
  fail(dialed);
  fail(dialed);
  auto& other = stranger("10.0.0.9");
  doors.on_closed(other, error{ec::invalid_json, "garbage"}, now);
  doors.on_closed(other, std::nullopt, now);
  CAF_CHECK(doors.allows("10.0.0.9", now));
}

CAF_TEST(a host that proves itself is forgiven) {
  auto& p = stranger("10.0.0.9");
  fail(p);
  fail(p);
  CAF_REQUIRE(!doors.allows("10.0.0.9", now));
  doors.on_proven(p);
  CAF_CHECK(doors.allows("10.0.0.9", now));
}

CAF_TEST_FIXTURE_SCOPE_END()
