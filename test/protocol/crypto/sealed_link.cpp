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

CAF_TEST(an open link passes bodies through unchanged) {
  sealed_link link{nullptr, true};
  CAF_CHECK(!link.sealed());
  CAF_CHECK(link.established());
  CAF_CHECK(link.start().empty());
  CAF_CHECK_EQUAL(link.overhead(), 0u);
  auto body = json(make_hello());
  auto out = link.outgoing(body);
  CAF_REQUIRE(out);
  CAF_CHECK_EQUAL(*out, body);
  CAF_CHECK(out->data() == body.data()); // Not copied.
  auto step = link.on_frame(body);
  CAF_CHECK(!step.failed);
  CAF_REQUIRE(step.body);
  CAF_CHECK_EQUAL(*step.body, body);
  CAF_CHECK(!link.counts_as_guess());
  CAF_CHECK(!link.closed_by_peer());
  CAF_CHECK(!link.timed_out());
}

CAF_TEST(an open link tells a peer with a passphrase from garbage) {
  auto key = key_of(1);
  sealed_link dialer{&key, false};
  sealed_link open{nullptr, true};
  auto step = open.on_frame(dialer.start().front());
  CAF_REQUIRE(step.failed);
  CAF_CHECK_EQUAL(step.failed->code, ec::authentication_failed);
  CAF_CHECK(step.failed->detail.find("this group has none")
            != std::string::npos);
  CAF_CHECK(step.to_write.empty());
  // Garbage is the wire format's to reject, when it decodes the body.
  auto garbage = open.on_frame("not json");
  CAF_CHECK(!garbage.failed);
  CAF_CHECK(garbage.body.has_value());
}

CAF_TEST(bodies sent before the handshake wait and go sealed after it) {
  auto key = key_of(7);
  sealed_link dialer{&key, false};
  sealed_link acceptor{&key, true};
  CAF_CHECK(dialer.sealed());
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
  sealed_link open{nullptr, false};
  auto unbound = make_hello();
  unbound.type = message_type::welcome;
  open.bind(unbound);
  CAF_CHECK(unbound.channel.empty());
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
