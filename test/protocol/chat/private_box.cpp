// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.chat.private_box

#include "protocol/chat/private_box.hpp"

#include <array>
#include <string>

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

struct fixture {
  identity x{std::array<uint8_t, 32>{1}};
  identity a{std::array<uint8_t, 32>{2}};
  identity m{std::array<uint8_t, 32>{3}};
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(private_box_tests, fixture)

CAF_TEST(only the recipient opens a box and reads number and text) {
  auto box = seal_private(x, a.id(), 7, "the secret");
  CAF_CHECK_EQUAL(box.find("secret"), std::string::npos);
  auto line = open_private(a, x.id(), box);
  CAF_REQUIRE(line.has_value());
  CAF_CHECK_EQUAL(line->first, 7u);
  CAF_CHECK_EQUAL(line->second, "the secret");
  // The carrier cannot open it, nor can anyone as from another sender.
  CAF_CHECK(!open_private(m, x.id(), box).has_value());
  CAF_CHECK(!open_private(a, m.id(), box).has_value());
}

CAF_TEST(a box cannot be turned back to its sender or altered) {
  auto box = seal_private(x, a.id(), 1, "x");
  // X to A and A to X share one box key: the keys inside tell them apart.
  CAF_CHECK(!open_private(x, a.id(), box).has_value());
  auto altered = box;
  altered.back() = altered.back() == '0' ? '1' : '0';
  CAF_CHECK(!open_private(a, x.id(), altered).has_value());
  CAF_CHECK(seal_private(x, "not a key", 1, "x").empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
