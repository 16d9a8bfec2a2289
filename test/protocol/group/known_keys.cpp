// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.group.known_keys

#include "protocol/group/known_keys.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

peer_id key(char c) {
  return peer_id(peer_id_size, c);
}

} // namespace

CAF_TEST(a name is trusted on first use and held to its key after) {
  known_keys keys;
  CAF_CHECK(keys.check("bob", key('a')) == key_seen::first);
  CAF_CHECK(keys.check("bob", key('a')) == key_seen::same);
  CAF_CHECK(keys.check("bob", key('b')) == key_seen::other);
  CAF_MESSAGE("the new key is remembered: the warning is said once");
  CAF_CHECK(keys.check("bob", key('b')) == key_seen::same);
  CAF_MESSAGE("names that look alike are one name");
  CAF_CHECK(keys.check("BOB", key('c')) == key_seen::other);
  CAF_CHECK(keys.check("carol", key('c')) == key_seen::first);
}

CAF_TEST(the text round trips and bad lines are skipped) {
  known_keys keys;
  keys.check("bob", key('a'));
  keys.check("carol smith", key('b'));
  auto text = keys.text();
  auto again = known_keys::parse(text + "garbage\n" + key('c') + "\n"
                                 + "xyz bob\n" + key('d') + " \x01" + "\n");
  CAF_CHECK_EQUAL(again.size(), 2u);
  CAF_CHECK_EQUAL(again.text(), text);
  CAF_CHECK(again.check("carol smith", key('b')) == key_seen::same);
  CAF_MESSAGE("a truncated last line is no entry");
  auto cut = known_keys::parse(text.substr(0, text.size() - 70));
  CAF_CHECK_EQUAL(cut.size(), 1u);
}

CAF_TEST(the number of names is bounded) {
  known_keys keys;
  for (size_t i = 0; i < known_keys::max_names + 10; ++i)
    keys.check("n" + std::to_string(i), key('a'));
  CAF_CHECK_EQUAL(keys.size(), known_keys::max_names);
  CAF_MESSAGE("a name that cannot be kept is nothing learned");
  CAF_CHECK(keys.check("one more", key('a')) == key_seen::same);
  CAF_MESSAGE("a known name is still checked");
  CAF_CHECK(keys.check("n1", key('b')) == key_seen::other);
}
