// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.chat.history

#include "protocol/chat/history.hpp"

#include <string>

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

std::vector<uint64_t> seqs(const std::vector<const history::line*>& xs) {
  std::vector<uint64_t> result;
  for (auto x : xs)
    result.push_back(x->seq);
  return result;
}

void fill(history& h, uint64_t from, uint64_t to, size_t size = 1) {
  for (auto seq = from; seq <= to; ++seq)
    h.add({seq, seq * 1000, std::string(size, 'x'), false});
}

} // namespace

CAF_TEST(what a member missed is what it has not seen and we hold) {
  history h{5, 1 << 20};
  fill(h, 1, 8);
  CAF_CHECK_EQUAL(h.size(), 5u);
  CAF_CHECK_EQUAL(seqs(h.between(6, 8)), (std::vector<uint64_t>{7, 8}));
  CAF_MESSAGE("older than what we hold: from the oldest on");
  CAF_CHECK_EQUAL(seqs(h.between(0, 8)),
                  (std::vector<uint64_t>{4, 5, 6, 7, 8}));
  CAF_MESSAGE("never beyond what went out");
  CAF_CHECK_EQUAL(seqs(h.between(0, 5)), (std::vector<uint64_t>{4, 5}));
  CAF_CHECK(h.between(8, 8).empty());
  CAF_CHECK(h.between(20, 8).empty());
}

CAF_TEST(the text held is bounded in bytes too) {
  history h{100, 1000};
  fill(h, 1, 10, 300);
  CAF_CHECK_EQUAL(h.size(), 3u);
  CAF_CHECK_LESS_OR_EQUAL(h.bytes(), 1000u);
  CAF_MESSAGE("a line larger than the bound is still kept, alone");
  h.add({11, 0, std::string(5000, 'y'), false});
  CAF_CHECK_EQUAL(h.size(), 1u);
  CAF_CHECK_EQUAL(seqs(h.between(0, 11)), (std::vector<uint64_t>{11}));
}

CAF_TEST(no history keeps nothing) {
  history h{0, 1000};
  fill(h, 1, 3);
  CAF_CHECK_EQUAL(h.size(), 0u);
  CAF_CHECK(h.between(0, 3).empty());
}
