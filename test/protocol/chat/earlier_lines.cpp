// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.chat.earlier_lines

#include "protocol/chat/earlier_lines.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

using lines = std::vector<std::string>;

CAF_TEST(a burst within a screenful is shown whole) {
  earlier_lines earlier{3};
  earlier.add("a");
  earlier.add("b");
  CAF_CHECK(earlier.holding());
  CAF_CHECK_EQUAL(earlier.flush(), (lines{"a", "b"}));
  CAF_CHECK(!earlier.holding());
}

CAF_TEST(a longer burst shows its last screenful between markers) {
  earlier_lines earlier{2};
  for (auto s : {"a", "b", "c", "d", "e"})
    earlier.add(s);
  CAF_CHECK_EQUAL(earlier.flush(),
                  (lines{"-- 3 earlier lines: /history shows them --", "d", "e",
                         "-- now --"}));
  CAF_MESSAGE("/history shows what was kept, oldest first");
  CAF_CHECK_EQUAL(earlier.last(0), (lines{"a", "b", "c", "d", "e"}));
  CAF_CHECK_EQUAL(earlier.last(2), (lines{"d", "e"}));
  CAF_CHECK_EQUAL(earlier.last(99).size(), 5u);
}

CAF_TEST(what is kept is bounded and a screen of 0 cuts nothing) {
  earlier_lines earlier{0, 3};
  for (auto s : {"a", "b", "c", "d"})
    earlier.add(s);
  CAF_CHECK_EQUAL(earlier.flush().size(), 4u);
  CAF_CHECK_EQUAL(earlier.last(0), (lines{"b", "c", "d"}));
}
