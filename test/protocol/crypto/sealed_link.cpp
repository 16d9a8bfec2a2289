// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.crypto.sealed_link

#include "protocol/crypto/sealed_link.hpp"

#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace groupchat::protocol;

namespace {

group_key key_of(uint8_t fill) {
  group_key key;
  key.bytes.fill(fill);
  return key;
}

// Carries frames between the two ends until neither has more to say;
// returns the bodies each end delivered, in order.
struct wire {
  sealed_link& dialer;
  sealed_link& acceptor;
  std::vector<std::string> dialer_got;
  std::vector<std::string> acceptor_got;
  std::optional<error> failure;

  void carry(std::vector<std::string> frames, bool to_acceptor) {
    for (auto& frame : frames) {
      auto& to = to_acceptor ? acceptor : dialer;
      auto step = to.on_frame(frame);
      if (step.failed) {
        failure = step.failed;
        return;
      }
      if (step.body)
        (to_acceptor ? acceptor_got : dialer_got).emplace_back(*step.body);
      carry(std::move(step.to_write), !to_acceptor);
    }
  }
};

std::string json(const message& msg) {
  return encode(msg);
}

} // namespace

CAF_TEST(an open group seals with its public key) {
  sealed_link dialer{nullptr, false};
  sealed_link acceptor{nullptr, true};
  CAF_CHECK(!dialer.established());
  auto first = dialer.start();
  CAF_REQUIRE_EQUAL(first.size(), 1u);
  CAF_CHECK(is_open_start(first.front()));
  CAF_CHECK(!dialer.outgoing(json(make_hello())));
  wire w{dialer, acceptor, {}, {}, {}};
  w.carry(std::move(first), true);
  CAF_REQUIRE(!w.failure);
  CAF_CHECK(dialer.established());
  CAF_CHECK(acceptor.established());
  CAF_CHECK_EQUAL(w.acceptor_got,
                  (std::vector<std::string>{json(make_hello())}));
  auto body = json(make_chat("hello", 1));
  auto out = dialer.outgoing(body);
  CAF_REQUIRE(out);
  CAF_CHECK_EQUAL(out->size(), body.size() + sealed_link::overhead());
  CAF_CHECK_EQUAL(out->find("hello"), std::string_view::npos);
  // Nothing to guess: a stranger of an open group is charged nothing.
  sealed_link other{nullptr, true};
  sealed_link stranger{nullptr, false};
  CAF_CHECK(!other.on_frame(stranger.start().front()).failed);
  CAF_CHECK(!other.counts_as_guess());
  CAF_CHECK(other.closed_by_peer().has_value());
}

CAF_TEST(an open group and a passphrase tell each other which one lacks it) {
  auto key = key_of(1);
  sealed_link dialer{&key, false};
  sealed_link open{nullptr, true};
  auto step = open.on_frame(dialer.start().front());
  CAF_REQUIRE(step.failed);
  CAF_CHECK(step.failed->detail.find("this group has none")
            != std::string::npos);
  CAF_CHECK_EQUAL(step.failed->code, ec::handshake_failed);
  CAF_REQUIRE_EQUAL(step.to_write.size(), 1u);
  auto none = dialer.on_frame(step.to_write.front());
  CAF_REQUIRE(none.body);
  CAF_CHECK(decode(*none.body)->text.find("no passphrase")
            != std::string::npos);
  // The other way round, the dialer is told, in plaintext, and believes the
  // refusal as the last thing it reads.
  sealed_link protected_{&key, true};
  sealed_link open_dialer{nullptr, false};
  auto told = protected_.on_frame(open_dialer.start().front());
  CAF_REQUIRE(told.failed);
  CAF_REQUIRE_EQUAL(told.to_write.size(), 1u);
  auto heard = open_dialer.on_frame(told.to_write.front());
  CAF_CHECK(!heard.failed);
  CAF_REQUIRE(heard.body);
  auto refuse = decode(*heard.body);
  CAF_REQUIRE(refuse);
  CAF_CHECK(refuse->code == refusal::passphrase_needed);
  CAF_CHECK(!open_dialer.closed_by_peer());
  CAF_CHECK(open_dialer.on_frame(json(make_chat("more", 1))).failed);
}

CAF_TEST(a stranger not yet answered can be refused in plaintext only) {
  auto key = key_of(1);
  sealed_link acceptor{&key, true};
  auto refusal = json(make_refuse(refusal::throttled, "try again in 9 s"));
  auto out = acceptor.outgoing(refusal);
  CAF_REQUIRE(out);
  CAF_CHECK_EQUAL(*out, refusal);
  CAF_CHECK(!acceptor.outgoing(json(make_hello())));
  CAF_MESSAGE("once answered, even a refusal waits for the seal");
  sealed_link dialer{&key, false};
  auto step = acceptor.on_frame(dialer.start().front());
  CAF_REQUIRE(!step.failed);
  CAF_CHECK(!acceptor.outgoing(refusal));
  CAF_MESSAGE("the dialer reads it as the last thing");
  sealed_link joiner{&key, false};
  joiner.start();
  auto heard = joiner.on_frame(refusal);
  CAF_REQUIRE(heard.body);
  CAF_CHECK(decode(*heard.body)->code == refusal::throttled);
}

CAF_TEST(only a failure that can mean another passphrase is one) {
  auto key = key_of(1);
  CAF_MESSAGE("a dialer whose first message got no answer learns nothing");
  sealed_link dialer{&key, false};
  auto first = dialer.start();
  auto closed = dialer.closed_by_peer();
  auto late = dialer.timed_out();
  CAF_REQUIRE(closed && late);
  CAF_CHECK_EQUAL(closed->code, ec::handshake_failed);
  CAF_CHECK_EQUAL(late->code, ec::handshake_failed);
  CAF_MESSAGE("a wrong confirmation is a key test whenever it comes");
  auto other = key_of(2);
  sealed_link responder{&other, true};
  auto answer = responder.on_frame(first.front());
  CAF_REQUIRE_EQUAL(answer.to_write.size(), 1u);
  auto wrong = dialer.on_frame(answer.to_write.front());
  CAF_REQUIRE(wrong.failed);
  CAF_CHECK_EQUAL(wrong.failed->code, ec::authentication_failed);
  CAF_MESSAGE("with the public key, nothing is a key test");
  sealed_link open{nullptr, false};
  open.start();
  auto open_closed = open.closed_by_peer();
  CAF_REQUIRE(open_closed);
  CAF_CHECK_EQUAL(open_closed->code, ec::handshake_failed);
  CAF_CHECK(!open.tests_key());
  sealed_link junk{&key, true};
  auto bad = junk.on_frame(std::string(49, '\x05'));
  CAF_REQUIRE(bad.failed);
  CAF_CHECK_EQUAL(bad.failed->code, ec::handshake_failed);
  CAF_CHECK(!junk.counts_as_guess());
}

CAF_TEST(a dialer believes no refusal that a close would not say) {
  sealed_link dialer{nullptr, false};
  dialer.start();
  auto forged = dialer.on_frame(
    json(make_refuse(refusal::not_that_peer, "stop retrying")));
  CAF_CHECK(forged.failed);
  CAF_CHECK(!forged.body);
}

CAF_TEST(a dialer believes no plaintext but a refusal) {
  sealed_link dialer{nullptr, false};
  dialer.start();
  auto chat = dialer.on_frame(json(make_chat("injected", 1)));
  CAF_REQUIRE(chat.failed);
  CAF_CHECK(!chat.body);
  sealed_link acceptor{nullptr, true};
  // An older, plaintext peer is told to upgrade.
  auto old = acceptor.on_frame(json(make_hello()));
  CAF_REQUIRE(old.failed);
  CAF_REQUIRE_EQUAL(old.to_write.size(), 1u);
  auto refuse = decode(old.to_write.front());
  CAF_REQUIRE(refuse);
  CAF_CHECK(refuse->text.find("protocol 3") != std::string::npos);
}

CAF_TEST(bodies sent before the handshake wait and go sealed after it) {
  auto key = key_of(7);
  sealed_link dialer{&key, false};
  sealed_link acceptor{&key, true};
  CAF_CHECK_EQUAL(dialer.overhead(), seal_overhead);
  CAF_CHECK(!dialer.outgoing("early one"));
  CAF_CHECK(!dialer.outgoing("early two"));
  CAF_CHECK(!acceptor.outgoing("from the acceptor"));
  wire w{dialer, acceptor, {}, {}, {}};
  w.carry(dialer.start(), true);
  CAF_REQUIRE(!w.failure);
  CAF_CHECK(dialer.established());
  CAF_CHECK(acceptor.established());
  CAF_CHECK_EQUAL(w.acceptor_got,
                  (std::vector<std::string>{"early one", "early two"}));
  CAF_CHECK_EQUAL(w.dialer_got,
                  (std::vector<std::string>{"from the acceptor"}));
  auto later = dialer.outgoing("later");
  CAF_REQUIRE(later);
  CAF_CHECK_EQUAL(later->find("later"), std::string_view::npos);
  w.carry({std::string{*later}}, true);
  CAF_CHECK_EQUAL(w.acceptor_got.back(), "later");
  CAF_CHECK(!acceptor.counts_as_guess());
  CAF_CHECK(!dialer.closed_by_peer());
  CAF_CHECK(!dialer.timed_out());
}

CAF_TEST(the handshake binds identity proofs to this connection) {
  auto key = key_of(7);
  sealed_link dialer{&key, false};
  sealed_link acceptor{&key, true};
  wire w{dialer, acceptor, {}, {}, {}};
  w.carry(dialer.start(), true);
  auto challenge = make_hello();
  challenge.type = message_type::challenge;
  auto chat = make_hello();
  chat.type = message_type::chat;
  dialer.bind(challenge);
  dialer.bind(chat);
  CAF_CHECK(!challenge.channel.empty());
  CAF_CHECK(chat.channel.empty());
  auto other = make_hello();
  other.type = message_type::greeting;
  acceptor.bind(other);
  CAF_CHECK_EQUAL(other.channel, challenge.channel);
  // Another connection has another binding, in an open group too.
  sealed_link open_dialer{nullptr, false};
  sealed_link open_acceptor{nullptr, true};
  wire o{open_dialer, open_acceptor, {}, {}, {}};
  o.carry(open_dialer.start(), true);
  auto open_welcome = make_hello();
  open_welcome.type = message_type::welcome;
  open_dialer.bind(open_welcome);
  CAF_CHECK(!open_welcome.channel.empty());
  CAF_CHECK_NOT_EQUAL(open_welcome.channel, challenge.channel);
}

CAF_TEST(a stranger that got an answer and went away used a guess) {
  auto key = key_of(7);
  sealed_link guesser{&key, false};
  sealed_link acceptor{&key, true};
  CAF_CHECK(!acceptor.counts_as_guess());
  auto step = acceptor.on_frame(guesser.start().front());
  CAF_REQUIRE(!step.failed);
  CAF_CHECK(!step.to_write.empty());
  CAF_CHECK(acceptor.counts_as_guess());
  auto closed = acceptor.closed_by_peer();
  CAF_REQUIRE(closed);
  CAF_CHECK_EQUAL(closed->code, ec::authentication_failed);
  CAF_CHECK(acceptor.timed_out().has_value());
  // The dialing side answers nobody's guesses.
  CAF_CHECK(!guesser.counts_as_guess());
}

CAF_TEST(a wrong passphrase fails and counts) {
  auto right = key_of(1);
  auto wrong = key_of(2);
  sealed_link dialer{&wrong, false};
  sealed_link acceptor{&right, true};
  wire w{dialer, acceptor, {}, {}, {}};
  w.carry(dialer.start(), true);
  CAF_REQUIRE(w.failure);
  CAF_CHECK_EQUAL(w.failure->code, ec::authentication_failed);
  CAF_CHECK(!dialer.established());
  CAF_CHECK(acceptor.counts_as_guess());
}

CAF_TEST(a plaintext peer of a sealed group is told why in plaintext) {
  auto key = key_of(1);
  sealed_link acceptor{&key, true};
  auto step = acceptor.on_frame(json(make_hello()));
  CAF_REQUIRE(step.failed);
  CAF_REQUIRE_EQUAL(step.to_write.size(), 1u);
  auto refuse = decode(step.to_write.front());
  CAF_REQUIRE(refuse);
  CAF_CHECK(refuse->type == message_type::refuse);
  CAF_CHECK(refuse->code == refusal::passphrase_needed);
  // A dialed connection tells nobody: it only gives up.
  sealed_link dialer{&key, false};
  dialer.start();
  auto mine = dialer.on_frame(json(make_hello()));
  CAF_REQUIRE(mine.failed);
  CAF_CHECK(mine.to_write.empty());
  // Binary garbage gets no answer either.
  sealed_link other{&key, true};
  auto garbage = other.on_frame(std::string(40, '\x07'));
  CAF_REQUIRE(garbage.failed);
  CAF_CHECK(garbage.to_write.empty());
}
