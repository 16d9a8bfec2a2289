// SPDX-License-Identifier: MIT
// The quick path of encode() against the tree it stands in for: for every
// chat line it takes, the very bytes the tree writes; every line it leaves
// (text that is not UTF-8, other types) goes to the tree.

#define CAF_SUITE protocol.wire.quick_encode

#include "protocol/wire/quick_encode.hpp"

#include <caf/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "protocol/wire/text.hpp"

using namespace groupchat::protocol;

namespace {

// Checks that the quick path writes what the tree writes for `msg`, and
// that encode() does too.
void check_same(const message& msg) {
  auto quick = quick_encode(msg);
  auto tree = encode_tree(msg);
  CAF_REQUIRE(quick.has_value());
  CAF_CHECK_EQUAL(*quick, tree);
  CAF_CHECK_EQUAL(encode(msg), tree);
}

} // namespace

CAF_TEST(chat lines are written as the tree writes them) {
  check_same(make_chat("hi", 1));
  check_same(make_chat("", max_seq));
  check_same(make_action("waves", 2));
  check_same(make_whisper("just you", 3));
  check_same(make_history("said before", 4, true, 1796200000000000));
  auto signed_line = make_chat("signed", 5);
  signed_line.proof = std::string(proof_size, 'e');
  signed_line.time = 1;
  check_same(signed_line);
  CAF_MESSAGE("every escape: quotes, backslashes, each control character");
  std::string every_ascii;
  for (int c = 0; c < 0x80; ++c)
    every_ascii += static_cast<char>(c);
  check_same(make_chat(every_ascii, 6));
  check_same(make_chat("\"quoted\" \\ back\\slash /slash", 7));
  CAF_MESSAGE("UTF-8 as it is: two, three and four bytes, U+FFFF, U+10FFFF");
  check_same(make_chat("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 8));
  check_same(make_chat("\xef\xbf\xbf \xf4\x8f\xbf\xbf", 9));
  check_same(make_chat("\xef\xbf\xbe \xef\xb7\x90", 10)); // U+FFFE, U+FDD0
}

CAF_TEST(what the quick path leaves goes to the tree) {
  for (auto bad : {"\xff", "\xc3", "\xed\xa0\x80", "\xc0\xaf", "ok \xf4\x90",
                   "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe0\x80\xaf",
                   "\xf0\x80\x80\xaf"}) {
    auto msg = make_chat(bad, 1);
    CAF_CHECK(!quick_encode(msg).has_value());
    CAF_CHECK_EQUAL(encode(msg), encode_tree(msg)); // With U+FFFD.
  }
  CAF_CHECK(!quick_encode(make_heartbeat()).has_value());
  CAF_CHECK(!quick_encode(make_probe(7)).has_value());
  CAF_CHECK_EQUAL(encode(make_probe(7)), encode_tree(make_probe(7)));
}

CAF_TEST(random lines are written as the tree writes them) {
  // Bytes that matter to an encoder: escapes, controls, ASCII, and pieces
  // of UTF-8 that may or may not make a character.
  const std::vector<std::string> pieces{"a",
                                        " ",
                                        "\"",
                                        "\\",
                                        "\n",
                                        "\x01",
                                        "\x1f",
                                        "\x7f",
                                        "\xc3\xa9",
                                        "\xe2\x82\xac",
                                        "\xf0\x9f\x98\x80",
                                        "\xc3",
                                        "\x80",
                                        "\xff",
                                        "\xed\xa0\x80"};
  std::mt19937 rng{42};
  std::uniform_int_distribution<size_t> pick{0, pieces.size() - 1};
  std::uniform_int_distribution<size_t> length{0, 12};
  size_t quick = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string text;
    for (auto n = length(rng); n > 0; --n)
      text += pieces[pick(rng)];
    auto msg = make_chat(text, static_cast<uint64_t>(i) + 1);
    msg.action = i % 3 == 0;
    msg.history = i % 5 == 0;
    msg.whisper = !msg.history && i % 7 == 0;
    if (i % 4 == 0)
      msg.proof = text; // Not hex, but the encoder writes what it gets.
    msg.time = i % 2 == 0 ? 0 : 1796200000000000 + static_cast<uint64_t>(i);
    auto body = quick_encode(msg);
    CAF_CHECK_EQUAL(body.has_value(), is_utf8(text));
    if (body) {
      ++quick;
      CAF_CHECK_EQUAL(*body, encode_tree(msg));
    }
    CAF_CHECK_EQUAL(encode(msg), encode_tree(msg));
  }
  CAF_MESSAGE(quick << " of 2000 taken by the quick path");
  CAF_CHECK_GREATER(quick, 100u);
}
