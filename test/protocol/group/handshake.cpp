// SPDX-License-Identifier: MIT
// The handshake on one connection, both ends played by two objects with
// the messages carried between them by hand (the transport), and by an
// attacker who replays, relays or alters them.

#define CAF_SUITE protocol.group.handshake

#include "protocol/group/handshake.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

using state = handshake::state;

struct fixture {
  identity alice; // accepts
  identity bob; // dials
  handshake accepting;
  handshake dialing;

  // Steps 0 and 3: bob's signed greeting for alice.
  message greeting(handshake& acc, handshake& dial) {
    auto challenge = acc.challenge();
    CAF_REQUIRE(dial.on_challenge(challenge));
    auto msg = make_greeting("bob", 5001, bob.id(), {}, 7);
    CAF_REQUIRE(dial.sign_greeting(bob, alice.id(), msg));
    return msg;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(handshake_tests, fixture)

CAF_TEST(both ends prove their keys step by step) {
  CAF_CHECK(accepting.current() == state::fresh);
  auto msg = greeting(accepting, dialing);
  CAF_CHECK(accepting.current() == state::challenged);
  CAF_CHECK(dialing.current() == state::greeted);
  CAF_CHECK(accepting.check_greeting(alice.id(), msg));
  CAF_CHECK(accepting.current() == state::proven);
  auto welcome = make_welcome("alice", alice.id(), {}, 3);
  CAF_CHECK(accepting.sign_welcome(alice, bob.id(), welcome));
  CAF_CHECK(dialing.check_welcome(bob.id(), welcome));
  CAF_CHECK(dialing.current() == state::proven);
  CAF_CHECK_EQUAL(accepting.greeting_nonce(), dialing.greeting_nonce());
  CAF_CHECK_EQUAL(accepting.challenge_nonce(), dialing.challenge_nonce());
}

CAF_TEST(a greeting relayed onto another connection fails) {
  auto msg = greeting(accepting, dialing);
  handshake other_acc;
  handshake other_dial;
  greeting(other_acc, other_dial); // Another connection, its own nonce.
  CAF_CHECK(!other_acc.check_greeting(alice.id(), msg));
  CAF_CHECK(other_acc.current() == state::failed);
}

CAF_TEST(a greeting meant for another key fails) {
  auto challenge = accepting.challenge();
  CAF_REQUIRE(dialing.on_challenge(challenge));
  auto msg = make_greeting("bob", 5001, bob.id(), {}, 0);
  identity carol;
  CAF_REQUIRE(dialing.sign_greeting(bob, carol.id(), msg));
  CAF_CHECK(!accepting.check_greeting(alice.id(), msg));
}

CAF_TEST(changing what a greeting says breaks its proof) {
  auto msg = greeting(accepting, dialing);
  msg.name = "mallory";
  CAF_CHECK(!accepting.check_greeting(alice.id(), msg));
  handshake acc2;
  handshake dial2;
  auto again = greeting(acc2, dial2);
  again.seq = 1000;
  CAF_CHECK(!acc2.check_greeting(alice.id(), again));
}

CAF_TEST(a key claimed by someone else does not verify) {
  auto msg = greeting(accepting, dialing);
  identity mallory;
  msg.id = mallory.id();
  CAF_CHECK(!accepting.check_greeting(alice.id(), msg));
}

CAF_TEST(the channel binding is signed) {
  auto challenge = accepting.challenge();
  challenge.channel = std::string(64, '1');
  CAF_REQUIRE(dialing.on_challenge(challenge));
  auto msg = make_greeting("bob", 5001, bob.id(), {}, 0);
  CAF_REQUIRE(dialing.sign_greeting(bob, alice.id(), msg));
  CAF_MESSAGE("it arrives on a channel with another binding");
  msg.channel = std::string(64, '2');
  CAF_CHECK(!accepting.check_greeting(alice.id(), msg));
}

CAF_TEST(steps out of order fail) {
  auto msg = make_greeting("bob", 5001, bob.id(), {}, 0);
  CAF_CHECK(!dialing.sign_greeting(bob, alice.id(), msg));
  CAF_CHECK(dialing.current() == state::failed);
  CAF_MESSAGE("a second challenge");
  handshake twice;
  auto challenge = accepting.challenge();
  CAF_CHECK(twice.on_challenge(challenge));
  CAF_CHECK(!twice.on_challenge(challenge));
  CAF_MESSAGE("a welcome before our greeting, or signed by nobody proven");
  handshake early;
  auto welcome = make_welcome("alice", alice.id(), {}, 0);
  CAF_CHECK(!early.check_welcome(bob.id(), welcome));
  handshake unproven;
  unproven.challenge();
  CAF_CHECK(!unproven.sign_welcome(alice, bob.id(), welcome));
}

CAF_TEST(a welcome from the wrong key fails) {
  auto msg = greeting(accepting, dialing);
  CAF_REQUIRE(accepting.check_greeting(alice.id(), msg));
  identity mallory;
  auto welcome = make_welcome("alice", alice.id(), {}, 0);
  welcome.proof = mallory.prove("anything");
  CAF_CHECK(!dialing.check_welcome(bob.id(), welcome));
  CAF_CHECK(dialing.current() == state::failed);
}

CAF_TEST_FIXTURE_SCOPE_END()
