// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.chat.line_seals

#include "protocol/chat/line_seals.hpp"

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

constexpr uint64_t run = 1'000'000;

struct fixture {
  std::shared_ptr<const identity> key
    = std::make_shared<const identity>(std::array<uint8_t, 32>{1});
  line_seals seals{key, 3};
  std::vector<message> said;
  std::vector<message> sealed;

  // Our next line goes into the batch, as the outbox adds it.
  void say(const std::string& text) {
    auto msg = make_chat(text, said.size() + 1);
    msg.time = 100 + said.size();
    if (auto seal = seals.add(msg, run))
      sealed.push_back(std::move(*seal));
    said.push_back(std::move(msg));
  }

  std::vector<message> lines(uint64_t first, uint64_t last) const {
    return {said.begin() + static_cast<std::ptrdiff_t>(first - 1),
            said.begin() + static_cast<std::ptrdiff_t>(last)};
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(line_seals_tests, fixture)

CAF_TEST(a batch is sealed whole and in order) {
  say("one");
  say("two");
  say("three");
  CAF_CHECK(sealed.empty());
  auto seal = seals.seal();
  CAF_REQUIRE(seal.has_value());
  CAF_CHECK(seal->type == message_type::seal);
  CAF_CHECK_EQUAL(seal->first, 1u);
  CAF_CHECK_EQUAL(seal->seq, 3u);
  CAF_CHECK(sealed_by(key->id(), run, lines(1, 3), seal->proof));
  // Anything else the seal does not cover: another run, an altered text,
  // a line left out, two swapped, a line added.
  CAF_CHECK(!sealed_by(key->id(), run + 1, lines(1, 3), seal->proof));
  auto altered = lines(1, 3);
  altered[1].text = "TWO";
  CAF_CHECK(!sealed_by(key->id(), run, altered, seal->proof));
  auto dropped = lines(1, 3);
  dropped.erase(dropped.begin() + 1);
  CAF_CHECK(!sealed_by(key->id(), run, dropped, seal->proof));
  auto swapped = lines(1, 3);
  std::swap(swapped[0], swapped[1]);
  CAF_CHECK(!sealed_by(key->id(), run, swapped, seal->proof));
  CAF_CHECK(!sealed_by(key->id(), run, lines(1, 2), seal->proof));
  // Sealed once: nothing is left to seal.
  CAF_CHECK(!seals.seal().has_value());
  CAF_CHECK_EQUAL(seals.size(), 0u);
}

CAF_TEST(a full batch is sealed before the next line joins) {
  for (auto text : {"a", "b", "c", "d"})
    say(text);
  CAF_REQUIRE_EQUAL(sealed.size(), 1u);
  CAF_CHECK_EQUAL(sealed[0].first, 1u);
  CAF_CHECK_EQUAL(sealed[0].seq, 3u);
  CAF_CHECK(sealed_by(key->id(), run, lines(1, 3), sealed[0].proof));
  CAF_CHECK_EQUAL(seals.size(), 1u);
  auto last = seals.seal();
  CAF_REQUIRE(last.has_value());
  CAF_CHECK_EQUAL(last->first, 4u);
  CAF_CHECK(sealed_by(key->id(), run, lines(4, 4), last->proof));
}

CAF_TEST(a line signed alone checks by itself and not as another) {
  auto msg = make_action("waves", 7);
  msg.time = 42;
  seals.sign_alone(msg, run);
  CAF_CHECK(sealed_by(key->id(), run, {msg}, msg.proof));
  auto other = msg;
  other.action = false;
  CAF_CHECK(!sealed_by(key->id(), run, {other}, msg.proof));
  auto stranger = std::make_shared<const identity>(std::array<uint8_t, 32>{2});
  CAF_CHECK(!sealed_by(stranger->id(), run, {msg}, msg.proof));
  CAF_CHECK(!sealed_by(key->id(), run, {}, msg.proof));
}

CAF_TEST(a gap in the numbers starts a new batch) {
  say("one");
  auto skipped = make_chat("three", 3);
  skipped.time = 7;
  auto seal = seals.add(skipped, run);
  CAF_REQUIRE(seal.has_value());
  CAF_CHECK_EQUAL(seal->first, 1u);
  CAF_CHECK_EQUAL(seal->seq, 1u);
  CAF_CHECK_EQUAL(seals.size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
