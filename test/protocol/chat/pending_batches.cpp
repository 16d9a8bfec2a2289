// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.chat.pending_batches

#include "protocol/chat/pending_batches.hpp"

#include <string>
#include <vector>

#include <caf/test/unit_test.hpp>

#include "protocol/chat/archive.hpp"

using namespace groupchat::protocol;

namespace {

const peer_id alice(peer_id_size, 'a');
const peer_id bob(peer_id_size, 'b');

// A history line of `author`'s run 5; the last of a batch from `first`
// has the seal.
message history(const peer_id& author, uint64_t seq, uint64_t first = 0) {
  message msg;
  msg.type = message_type::carried;
  msg.history = true;
  msg.id = author;
  msg.since = 5;
  msg.seq = seq;
  msg.text = "line " + std::to_string(seq);
  if (first != 0) {
    msg.first = first;
    msg.proof = std::string(proof_size, 'e');
  }
  return msg;
}

std::vector<uint64_t> numbers(const std::vector<message>& lines) {
  std::vector<uint64_t> result;
  for (auto& line : lines)
    result.push_back(line.seq);
  return result;
}

} // namespace

CAF_TEST(a batch is handed out whole when its seal comes) {
  pending_batches pending{10, 100000};
  CAF_CHECK(pending.add(history(alice, 1)).empty());
  CAF_CHECK(pending.add(history(bob, 1)).empty());
  CAF_CHECK(pending.add(history(alice, 2)).empty());
  auto batch = pending.add(history(alice, 3, 1));
  CAF_CHECK_EQUAL(numbers(batch), (std::vector<uint64_t>{1, 2, 3}));
  CAF_CHECK(batch[0].history && batch[0].type == message_type::chat);
  CAF_CHECK_EQUAL(batch[0].since, 5u);
  // Bob's line still waits; a line alone is a batch by itself.
  CAF_CHECK_EQUAL(pending.bytes(), 6 + archive::line_overhead);
  CAF_CHECK_EQUAL(numbers(pending.add(history(alice, 4, 4))),
                  (std::vector<uint64_t>{4}));
}

CAF_TEST(lines that go back or change run start over) {
  pending_batches pending{10, 100000};
  pending.add(history(alice, 1));
  pending.add(history(alice, 2));
  // Sent again from the start (a second entry): the first copy goes.
  pending.add(history(alice, 1));
  CAF_CHECK_EQUAL(numbers(pending.add(history(alice, 2, 1))),
                  (std::vector<uint64_t>{1, 2}));
  CAF_CHECK_EQUAL(pending.bytes(), 0u);
  auto other_run = history(alice, 3);
  other_run.since = 6;
  pending.add(history(alice, 2));
  pending.add(other_run);
  CAF_CHECK_EQUAL(numbers(pending.add(history(alice, 4, 2))),
                  (std::vector<uint64_t>{4}));
}

CAF_TEST(what waits is bounded per author and no author crowds out another) {
  constexpr auto line_cost = archive::line_overhead + 6;
  pending_batches pending{3, 2 * line_cost};
  // Past its bound an author's lines are dropped: its batch cannot check.
  for (uint64_t seq = 1; seq <= 3; ++seq)
    pending.add(history(alice, seq));
  CAF_CHECK_EQUAL(pending.bytes(), 0u);
  CAF_CHECK_EQUAL(numbers(pending.add(history(alice, 4, 1))),
                  (std::vector<uint64_t>{4}));
  // Alice's lines at the bound leave room for bob's.
  pending.add(history(alice, 5));
  pending.add(history(alice, 6));
  pending.add(history(bob, 1));
  pending.add(history(bob, 2));
  CAF_CHECK_EQUAL(pending.bytes(), 4 * line_cost);
  CAF_CHECK_EQUAL(numbers(pending.add(history(bob, 3, 1))),
                  (std::vector<uint64_t>{1, 2, 3}));
  pending.forget(alice);
  CAF_CHECK_EQUAL(pending.bytes(), 0u);
  CAF_CHECK_EQUAL(numbers(pending.add(history(alice, 7, 5))),
                  (std::vector<uint64_t>{7}));
  pending.add(history(bob, 4));
  pending.clear();
  CAF_CHECK_EQUAL(pending.bytes(), 0u);
}
