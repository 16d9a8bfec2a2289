// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.wire.text

#include "protocol/wire/text.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

bool accepted(std::string_view name) {
  return static_cast<bool>(normalize_name(name));
}

// By value: the check macros keep references to their operands.
std::string normal(std::string_view name) {
  auto result = normalize_name(name);
  return result ? *result : "<refused>";
}

} // namespace

CAF_TEST(ordinary names pass unchanged) {
  CAF_CHECK_EQUAL(normal("alice"), "alice");
  CAF_CHECK_EQUAL(normal("Zoë the 2nd"), "Zoë the 2nd");
  CAF_CHECK_EQUAL(normal("日本語"), "日本語");
  CAF_CHECK(accepted(std::string(max_name_size, 'a')));
}

CAF_TEST(names are normalised to NFC) {
  // "e" + COMBINING ACUTE ACCENT becomes U+00E9.
  CAF_CHECK_EQUAL(normal("Zoe\xCC\x81"), "Zo\xC3\xA9");
}

CAF_TEST(names with what does not print are refused) {
  CAF_CHECK(!accepted(""));
  CAF_CHECK(!accepted(std::string(max_name_size + 1, 'a')));
  CAF_CHECK(!accepted(" alice"));
  CAF_CHECK(!accepted("alice "));
  CAF_CHECK(!accepted("alice\xE3\x80\x80")); // ideographic space at the end
  CAF_CHECK(!accepted("al\nice"));
  CAF_CHECK(!accepted("al\x1b[31mice"));
  CAF_CHECK(!accepted("al\xC2\x9Bice")); // C1 control (CSI)
  CAF_CHECK(!accepted("bob\xE2\x80\x8B")); // zero-width space (Cf)
  CAF_CHECK(!accepted("bob\xE2\x80\x8D")); // zero-width joiner (Cf)
  CAF_CHECK(!accepted("\xE2\x80\xAE"
                      "bob")); // right-to-left override
  CAF_CHECK(!accepted("bob\xE2\x81\xA6")); // left-to-right isolate
  CAF_CHECK(!accepted("bob\xEF\xB8\x8F")); // variation selector 16
  CAF_CHECK(!accepted("\xE3\x85\xA4"
                      "bob")); // Hangul filler (invisible)
  CAF_CHECK(!accepted("bob\xEE\x80\x80")); // private use U+E000
  CAF_CHECK(!accepted("bob\xE2\x80\xA8")); // line separator
  CAF_CHECK(!accepted("al\xffice"));
  CAF_CHECK(!accepted("\xC0\xAF")); // overlong '/'
}

CAF_TEST(the size bound holds after normalising) {
  // 16 decomposed letters (3 bytes each) compose to 2 bytes each: 32 bytes.
  std::string decomposed;
  for (int i = 0; i < 16; ++i)
    decomposed += "e\xCC\x81";
  CAF_CHECK_EQUAL(normal(decomposed).size(), 32u);
  CAF_CHECK(!accepted(decomposed + "e"));
}

CAF_TEST(look alike names have the same key) {
  CAF_CHECK_EQUAL(name_key("bob"), name_key("Bob"));
  CAF_CHECK_EQUAL(name_key("bob"), name_key("BOB"));
  // Full-width letters.
  CAF_CHECK_EQUAL(name_key("bob"),
                  name_key("\xEF\xBD\x82\xEF\xBD\x8F\xEF\xBD\x82"));
  // Cyrillic "о" (U+043E) inside Latin letters.
  CAF_CHECK_EQUAL(name_key("bob"), name_key("b\xD0\xBE"
                                            "b"));
  // Different names stay different.
  CAF_CHECK_NOT_EQUAL(name_key("bob"), name_key("rob"));
  CAF_CHECK_NOT_EQUAL(name_key("bob"), name_key("bobby"));
  CAF_CHECK_NOT_EQUAL(name_key("日本"), name_key("中国"));
}

CAF_TEST(text is made one visible line) {
  CAF_CHECK_EQUAL(make_visible("plain text\twith a tab"),
                  "plain text\twith a tab");
  CAF_CHECK_EQUAL(make_visible("héllo 日本語 🎉"), "héllo 日本語 🎉");
  CAF_CHECK_EQUAL(make_visible("a\nbob: forged"), "a?bob: forged");
  CAF_CHECK_EQUAL(make_visible("a\r\x1b[2Jb\x7f"), "a??[2Jb?");
  CAF_CHECK_EQUAL(make_visible("a\xC2\x9B"
                               "2Jb"),
                  "a?2Jb");
  CAF_CHECK_EQUAL(make_visible("x\xE2\x80\xA8y\xE2\x80\xA9z"), "x?y?z");
  CAF_CHECK_EQUAL(make_visible("\xE2\x80\xAE"
                               "evil"),
                  "?evil");
  // A zero-width joiner stays: emoji sequences need it.
  CAF_CHECK_EQUAL(make_visible("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9"),
                  "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9");
  CAF_CHECK_EQUAL(make_visible("a\xff"
                               "b"),
                  "a\xEF\xBF\xBD"
                  "b");
}
