// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.chat.archive

#include "protocol/chat/archive.hpp"

#include <limits>
#include <string>
#include <vector>

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

const peer_id alice(peer_id_size, 'a');
const peer_id bob(peer_id_size, 'b');

// A line signed alone.
message line(uint64_t seq, std::string text, uint64_t time) {
  auto msg = make_chat(std::move(text), seq);
  msg.time = time;
  msg.proof = std::string(proof_size, 'e');
  return msg;
}

// A line of a batch, sealed later.
message unsealed(uint64_t seq, std::string text) {
  auto msg = make_chat(std::move(text), seq);
  msg.time = seq;
  return msg;
}

const std::string sig(proof_size, 'f');

std::vector<std::string> texts(const std::vector<message>& lines) {
  std::vector<std::string> result;
  for (auto& msg : lines)
    result.push_back(msg.text);
  return result;
}

bool everyone(const peer_id&) {
  return true;
}

// Takes every seal but the one made of 'b's.
bool trust(const peer_id&, uint64_t, const std::vector<message>& lines) {
  return lines.back().proof != std::string(proof_size, 'b');
}

} // namespace

CAF_TEST(lines are replayed per author in order as signed history) {
  archive kept{10, 1000};
  kept.keep(bob, "bob", 7, line(1, "b1", 20));
  kept.keep(alice, "alice", 5, line(1, "a1", 10));
  kept.keep(alice, "alice", 5, line(2, "a2", 30));
  auto all = kept.replay(everyone, trust);
  CAF_CHECK_EQUAL(texts(all), (std::vector<std::string>{"a1", "a2", "b1"}));
  CAF_REQUIRE_EQUAL(all.size(), 3u);
  CAF_CHECK(all[0].type == message_type::carried && all[0].history);
  CAF_CHECK_EQUAL(all[0].id, alice);
  CAF_CHECK_EQUAL(all[0].name, "alice");
  CAF_CHECK_EQUAL(all[0].since, 5u);
  CAF_CHECK_EQUAL(all[1].seq, 2u);
  CAF_CHECK_EQUAL(all[1].time, 30u);
  auto only_bob = kept.replay([](const peer_id& id) { return id == bob; },
                              trust);
  CAF_CHECK_EQUAL(texts(only_bob), (std::vector<std::string>{"b1"}));
}

CAF_TEST(unsealed lines private lines and repeats are not replayed) {
  archive kept{10, 1000};
  auto unsigned_line = make_chat("plain", 1);
  kept.keep(alice, "alice", 5, unsigned_line);
  auto whisper = line(1, "psst", 1);
  whisper.whisper = true;
  kept.keep(alice, "alice", 5, whisper);
  kept.keep(alice, "alice", 5, line(2, "two", 2));
  kept.keep(alice, "alice", 5, line(2, "two again", 3));
  kept.keep(alice, "alice", 5, line(1, "one late", 4));
  CAF_CHECK_EQUAL(texts(kept.replay(everyone, trust)),
                  (std::vector<std::string>{"two"}));
  // A new run numbers from 1 again.
  kept.keep(alice, "alice", 6, line(1, "new run", 5));
  CAF_CHECK_EQUAL(texts(kept.replay(everyone, trust)),
                  (std::vector<std::string>{"two", "new run"}));
}

CAF_TEST(the bounds drop the oldest lines first) {
  constexpr auto overhead = archive::line_overhead;
  archive kept{2, 3 * overhead + 10};
  kept.keep(alice, "alice", 5, line(1, "a1", 1));
  kept.keep(alice, "alice", 5, line(2, "a2", 2));
  kept.keep(alice, "alice", 5, line(3, "a3", 3));
  CAF_CHECK_EQUAL(texts(kept.replay(everyone, trust)),
                  (std::vector<std::string>{"a2", "a3"}));
  kept.keep(bob, "bob", 7, line(1, "bbbb", 4));
  kept.keep(alice, "alice", 5, line(4, "aaaa", 5));
  CAF_CHECK_EQUAL(texts(kept.replay(everyone, trust)),
                  (std::vector<std::string>{"a3", "aaaa", "bbbb"}));
  CAF_CHECK_EQUAL(kept.bytes(), 3 * overhead + 10);
  // Over the bound: the line that came first goes, whoever said it.
  kept.keep(bob, "bob", 7, line(2, "bb", 6));
  CAF_CHECK_EQUAL(texts(kept.replay(everyone, trust)),
                  (std::vector<std::string>{"aaaa", "bbbb", "bb"}));
  CAF_CHECK_EQUAL(kept.bytes(), 3 * overhead + 10);
  // A line larger than the whole bound is not kept at all.
  kept.keep(bob, "bob", 7, line(3, std::string(3 * overhead + 10, 'x'), 7));
  CAF_CHECK_EQUAL(texts(kept.replay(everyone, trust)),
                  (std::vector<std::string>{"aaaa", "bbbb", "bb"}));
}

CAF_TEST(an author cannot keep its lines by dating them in the future) {
  constexpr auto overhead = archive::line_overhead;
  archive kept{10, 2 * (overhead + 1)};
  kept.keep(bob, "bob", 7, line(1, "b", std::numeric_limits<uint64_t>::max()));
  kept.keep(alice, "alice", 5, line(1, "1", 10));
  kept.keep(alice, "alice", 5, line(2, "2", 11));
  CAF_CHECK_EQUAL(texts(kept.replay(everyone, trust)),
                  (std::vector<std::string>{"1", "2"}));
}

CAF_TEST(a batch is replayed once its seal came and only whole) {
  archive kept{3, 100000};
  for (uint64_t seq = 1; seq <= 3; ++seq)
    kept.keep(alice, "alice", 5, unsealed(seq, "a" + std::to_string(seq)));
  CAF_CHECK(kept.replay(everyone, trust).empty());
  // A seal of lines not all kept, or of another run, changes nothing.
  kept.seal(alice, 5, 1, 4, sig);
  kept.seal(alice, 6, 1, 3, sig);
  kept.seal(bob, 5, 1, 3, sig);
  CAF_CHECK(kept.replay(everyone, trust).empty());
  kept.seal(alice, 5, 2, 3, sig);
  auto all = kept.replay(everyone, trust);
  CAF_CHECK_EQUAL(texts(all), (std::vector<std::string>{"a2", "a3"}));
  CAF_REQUIRE_EQUAL(all.size(), 2u);
  // The seal rides on the last line, with the batch's first number.
  CAF_CHECK(all[0].proof.empty());
  CAF_CHECK_EQUAL(all[1].proof, sig);
  CAF_CHECK_EQUAL(all[1].first, 2u);
  // A line alone needs no `first`.
  kept.keep(alice, "alice", 5, line(4, "a4", 4));
  CAF_CHECK_EQUAL(texts(kept.replay(everyone, trust)),
                  (std::vector<std::string>{"a2", "a3", "a4"}));
  auto replayed = kept.replay(everyone, trust);
  CAF_CHECK_EQUAL(replayed.back().first, 0u);
  // A batch whose first line was dropped (three lines per author) cannot
  // be checked and is not replayed.
  kept.keep(alice, "alice", 5, unsealed(5, "a5"));
  CAF_CHECK_EQUAL(texts(kept.replay(everyone, trust)),
                  (std::vector<std::string>{"a4"}));
  kept.keep(alice, "alice", 5, unsealed(6, "a6"));
  kept.seal(alice, 5, 5, 6, sig);
  CAF_CHECK_EQUAL(texts(kept.replay(everyone, trust)),
                  (std::vector<std::string>{"a4", "a5", "a6"}));
}

CAF_TEST(each batch is checked once and a bad or overlapping one is left out) {
  archive kept{10, 100000};
  size_t checks = 0;
  auto counting = [&](const peer_id& a, uint64_t since,
                      const std::vector<message>& lines) {
    ++checks;
    return trust(a, since, lines);
  };
  for (uint64_t seq = 1; seq <= 2; ++seq)
    kept.keep(alice, "alice", 5, unsealed(seq, "a" + std::to_string(seq)));
  kept.seal(alice, 5, 1, 2, std::string(proof_size, 'b'));
  // A line signed alone, then a seal over it and the lines around it.
  kept.keep(alice, "alice", 5, line(3, "a3", 3));
  kept.keep(alice, "alice", 5, unsealed(4, "a4"));
  kept.seal(alice, 5, 3, 4, sig);
  CAF_CHECK_EQUAL(texts(kept.replay(everyone, counting)),
                  (std::vector<std::string>{"a3"}));
  CAF_CHECK_EQUAL(checks, 2u);
  // Checked already: the good batch is not checked again, the bad one
  // lost its seal.
  CAF_CHECK_EQUAL(texts(kept.replay(everyone, counting)),
                  (std::vector<std::string>{"a3"}));
  CAF_CHECK_EQUAL(checks, 2u);
}
