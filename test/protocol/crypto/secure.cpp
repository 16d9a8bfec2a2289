// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.crypto.secure

#include "protocol/crypto/secure.hpp"

#include <caf/test/unit_test.hpp>

#include <optional>

#include <sodium.h>

using namespace groupchat::protocol;

namespace {

using role = secure_channel::role;

group_key key_of(uint8_t fill) {
  group_key key;
  key.bytes.fill(fill);
  return key;
}

// Feeds `frames` to `receiver`; returns what it wants to send, or the error.
std::vector<std::string> feed(secure_channel& receiver,
                              const std::vector<std::string>& frames,
                              std::optional<error>* err = nullptr) {
  std::vector<std::string> out;
  for (auto& frame : frames) {
    auto res = receiver.on_frame(frame);
    if (!res) {
      if (err)
        *err = res.error();
      return out;
    }
    out.insert(out.end(), res->to_send.begin(), res->to_send.end());
  }
  return out;
}

struct pair {
  secure_channel initiator;
  secure_channel responder;
  std::vector<std::string> step1, step2, step3;

  pair(const group_key& ik, const group_key& rk)
    : initiator(ik, role::initiator), responder(rk, role::responder) {
    // nop
  }

  // Runs the handshake; returns the first error, if any.
  std::optional<error> handshake() {
    std::optional<error> err;
    step1 = initiator.start();
    step2 = feed(responder, step1, &err);
    if (err)
      return err;
    step3 = feed(initiator, step2, &err);
    if (err)
      return err;
    feed(responder, step3, &err);
    return err;
  }
};

std::string open(secure_channel& ch, const std::string& frame) {
  auto res = ch.on_frame(frame);
  CAF_REQUIRE(static_cast<bool>(res));
  CAF_REQUIRE(res->has_plaintext);
  return res->plaintext;
}

bool rejected(secure_channel& ch, const std::string& frame) {
  auto res = ch.on_frame(frame);
  return !res && res.error().code == ec::authentication_failed;
}

} // namespace

CAF_TEST(members with the same key talk in both directions) {
  pair p{key_of(1), key_of(1)};
  CAF_REQUIRE(!p.handshake());
  CAF_CHECK(p.initiator.established());
  CAF_CHECK(p.responder.established());
  auto sealed = p.initiator.seal("{\"type\":\"hello\"}");
  CAF_CHECK(sealed.find("hello") == std::string::npos);
  CAF_CHECK_EQUAL(sealed.size(), 16 + seal_overhead);
  CAF_CHECK_EQUAL(open(p.responder, sealed), "{\"type\":\"hello\"}");
  CAF_CHECK_EQUAL(open(p.initiator, p.responder.seal("back")), "back");
  CAF_CHECK_EQUAL(open(p.responder, p.initiator.seal("")), "");
}

CAF_TEST(a wrong key fails on both sides) {
  pair p{key_of(1), key_of(2)};
  auto err = p.handshake();
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->detail, "wrong passphrase");
  CAF_CHECK(!p.initiator.established());
  CAF_CHECK(!p.responder.established());
}

CAF_TEST(the responder checks the initiator too) {
  // An initiator that got the responder's step 2 from elsewhere (it cannot
  // compute the MAC itself): a forged step 3 fails.
  pair p{key_of(1), key_of(1)};
  p.step1 = p.initiator.start();
  p.step2 = feed(p.responder, p.step1);
  std::string step3(1, '\x03');
  step3 += std::string(32 + 24, 'x');
  CAF_CHECK(rejected(p.responder, step3));
  CAF_CHECK(!p.responder.established());
}

CAF_TEST(truncated handshake messages fail) {
  pair p{key_of(1), key_of(1)};
  auto step1 = p.initiator.start();
  CAF_CHECK(rejected(p.responder, step1[0].substr(0, 10)));
  pair q{key_of(1), key_of(1)};
  q.step1 = q.initiator.start();
  q.step2 = feed(q.responder, q.step1);
  CAF_CHECK(rejected(q.initiator, q.step2[0].substr(0, q.step2[0].size() - 1)));
}

CAF_TEST(a plaintext peer is rejected at once) {
  secure_channel responder{key_of(1), role::responder};
  auto res = responder.on_frame(R"({"type":"hello","version":1})");
  CAF_REQUIRE(!res);
  CAF_CHECK(res.error().detail.find("did not start the handshake")
            != std::string::npos);
}

CAF_TEST(the open groups key is public and runs the same handshake) {
  const auto& public_key = open_group_key();
  CAF_CHECK(public_key.open);
  CAF_CHECK_EQUAL(&public_key, &open_group_key());
  CAF_CHECK(public_key.bytes != group_key{}.bytes);
  pair sealed{public_key, public_key};
  CAF_REQUIRE(!sealed.handshake());
  CAF_CHECK(sealed.initiator.established());
  CAF_MESSAGE("a passphrase and the open key fail at once, each side "
              "saying which one lacks the passphrase");
  secure_channel protected_{key_of(1), role::responder};
  secure_channel open_initiator{public_key, role::initiator};
  auto start = open_initiator.start().front();
  CAF_CHECK(is_handshake_start(start));
  CAF_CHECK(is_open_start(start));
  auto res = protected_.on_frame(start);
  CAF_REQUIRE(!res);
  CAF_CHECK_EQUAL(res.error().detail, "the peer has no passphrase");
  secure_channel open_responder{public_key, role::responder};
  secure_channel initiator{key_of(1), role::initiator};
  auto other = open_responder.on_frame(initiator.start().front());
  CAF_REQUIRE(!other);
  CAF_CHECK(other.error().detail.find("this group has none")
            != std::string::npos);
}

CAF_TEST(a handshake sent back to its own process fails) {
  own_sessions ours;
  secure_channel initiator{key_of(1), role::initiator, &ours};
  auto step1 = initiator.start();
  secure_channel listener{key_of(1), role::responder, &ours};
  auto res = listener.on_frame(step1.front());
  CAF_REQUIRE(!res);
  CAF_CHECK(res.error().detail.find("reflected") != std::string::npos);
  CAF_MESSAGE("another process answers it, and then it is ours no more");
  secure_channel other{key_of(1), role::responder};
  auto step2 = other.on_frame(step1.front());
  CAF_REQUIRE(step2);
  CAF_REQUIRE(initiator.on_frame(step2->to_send.front()));
  CAF_CHECK(initiator.established());
  secure_channel later{key_of(1), role::responder, &ours};
  auto replayed = later.on_frame(step1.front());
  CAF_CHECK(static_cast<bool>(replayed)); // Answered; fails at step 3.
  CAF_MESSAGE("a channel that goes away forgets its session");
  std::string sid;
  {
    secure_channel gone{key_of(1), role::initiator, &ours};
    sid = gone.start().front().substr(1, 16);
    CAF_CHECK(ours.contains(sid));
  }
  CAF_CHECK(!ours.contains(sid));
}

CAF_TEST(a replayed handshake fails) {
  pair first{key_of(1), key_of(1)};
  CAF_REQUIRE(!first.handshake());
  CAF_MESSAGE("an eavesdropper replays the initiator's messages to the "
              "responder of a new connection");
  secure_channel responder{key_of(1), role::responder};
  std::optional<error> err;
  feed(responder, first.step1, &err);
  CAF_CHECK(!err);
  feed(responder, first.step3, &err);
  CAF_REQUIRE(err);
  CAF_CHECK(!responder.established());
  CAF_MESSAGE("and the responder's to a new initiator");
  secure_channel initiator{key_of(1), role::initiator};
  initiator.start();
  err.reset();
  feed(initiator, first.step2, &err);
  CAF_CHECK(err);
}

CAF_TEST(tampered replayed reordered and dropped frames fail) {
  pair p{key_of(1), key_of(1)};
  CAF_REQUIRE(!p.handshake());
  auto a = p.initiator.seal("first");
  auto tampered = a;
  tampered[tampered.size() / 2] ^= 1;
  CAF_CHECK(rejected(p.responder, tampered));
  pair q{key_of(1), key_of(1)};
  CAF_REQUIRE(!q.handshake());
  a = q.initiator.seal("first");
  CAF_CHECK_EQUAL(open(q.responder, a), "first");
  CAF_CHECK(rejected(q.responder, a)); // replayed
  pair r{key_of(1), key_of(1)};
  CAF_REQUIRE(!r.handshake());
  a = r.initiator.seal("first");
  auto b = r.initiator.seal("second");
  CAF_CHECK(rejected(r.responder, b)); // reordered, or `a` dropped
  pair t{key_of(1), key_of(1)};
  CAF_REQUIRE(!t.handshake());
  CAF_CHECK(rejected(t.responder, std::string(5, 'x'))); // truncated
}

CAF_TEST(frames before the handshake completes are rejected) {
  pair p{key_of(1), key_of(1)};
  p.step1 = p.initiator.start();
  CAF_CHECK(rejected(p.initiator, std::string(40, 'x')));
}

CAF_TEST(the group key depends on the passphrase only) {
  auto a = derive_group_key("correct horse battery staple");
  auto b = derive_group_key("correct horse battery staple");
  auto c = derive_group_key("correct horse battery stapler");
  CAF_REQUIRE(a && b && c);
  CAF_CHECK(a->bytes == b->bytes);
  CAF_CHECK(a->bytes != c->bytes);
  CAF_CHECK(!derive_group_key(""));
}

CAF_TEST(the first messages are independent of the passphrase) {
  // What an offline attacker has: sid and Y_I (step 1), Y_R (step 2), from
  // a recording or from answering a connect of its own. Y = y * g with a
  // fresh uniformly random scalar y is a uniformly random group element
  // whatever the generator g (the group has prime order, so y -> y * g is
  // a bijection for every g but the identity): for every passphrase guess
  // there is a scalar that explains the Y seen, so Y tests no guess. The
  // tags that follow need K = y_I * Y_R, which takes a scalar the attacker
  // does not have. What a test can show of that: the messages have the
  // same form for every passphrase, carry valid points only, and a
  // passphrase never yields the same point twice (no function of it is
  // sent).
  std::vector<std::string> firsts;
  for (uint8_t fill : {1, 1, 2, 3}) {
    pair p{key_of(fill), key_of(fill)};
    CAF_REQUIRE(!p.handshake());
    CAF_REQUIRE_EQUAL(p.step1.size(), 1u);
    CAF_REQUIRE_EQUAL(p.step2.size(), 1u);
    auto& step1 = p.step1[0];
    auto& step2 = p.step2[0];
    CAF_CHECK_EQUAL(step1.size(), 1u + 16 + 32);
    CAF_CHECK_EQUAL(step2.size(), 1u + 32 + 64 + 24);
    auto y_i = reinterpret_cast<const unsigned char*>(step1.data()) + 17;
    auto y_r = reinterpret_cast<const unsigned char*>(step2.data()) + 1;
    CAF_CHECK(crypto_core_ristretto255_is_valid_point(y_i) == 1);
    CAF_CHECK(crypto_core_ristretto255_is_valid_point(y_r) == 1);
    firsts.push_back(step1.substr(17));
  }
  CAF_MESSAGE("the same passphrase twice: unrelated points");
  CAF_CHECK_NOT_EQUAL(firsts[0], firsts[1]);
}
