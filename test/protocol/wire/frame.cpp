// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.wire.frame

#include "protocol/wire/frame.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

constexpr size_t max_size = 1024;

std::string code_of(const result<std::string_view>& x) {
  return x ? "ok" : to_string(x.error().code);
}

} // namespace

CAF_TEST(the length prefix is big endian) {
  std::string header(length_prefix_size, '\0');
  write_length(0x01020304, header.data());
  CAF_CHECK_EQUAL(header, std::string("\x01\x02\x03\x04", 4));
  CAF_CHECK_EQUAL(read_length("\xFF\x00\x00\x01"), 0xFF000001u);
}

CAF_TEST(a frame arriving byte by byte is taken once it is complete) {
  auto frame = make_frame("hello");
  frame_reader reader{max_size};
  for (size_t i = 0; i + 1 < frame.size(); ++i) {
    reader.append(frame.data() + i, 1);
    auto body = reader.next();
    CAF_REQUIRE(body);
    CAF_CHECK(body->empty());
  }
  reader.append(frame.data() + frame.size() - 1, 1);
  auto body = reader.next();
  CAF_REQUIRE(body);
  CAF_CHECK_EQUAL(*body, "hello");
  CAF_CHECK_EQUAL(reader.buffered(), 0u);
}

CAF_TEST(several frames in one read come out in order) {
  frame_reader reader{max_size};
  reader.append(make_frame("one") + make_frame("two") + make_frame("thr"));
  for (auto expected : {"one", "two", "thr"}) {
    auto body = reader.next();
    CAF_REQUIRE(body);
    CAF_CHECK_EQUAL(*body, expected);
  }
  auto none = reader.next();
  CAF_CHECK(none && none->empty());
}

CAF_TEST(the reader holds only the incomplete frame after a read) {
  frame_reader reader{max_size};
  auto second = make_frame("second");
  reader.append(make_frame("first") + second.substr(0, 6));
  auto first = reader.next();
  CAF_REQUIRE(first);
  CAF_CHECK_EQUAL(*first, "first");
  auto none = reader.next();
  CAF_CHECK(none && none->empty());
  CAF_CHECK_EQUAL(reader.buffered(), 6u);
  reader.append(second.substr(6));
  auto rest = reader.next();
  CAF_REQUIRE(rest);
  CAF_CHECK_EQUAL(*rest, "second");
}

CAF_TEST(a large frame leaves no large buffer behind) {
  frame_reader reader{1 << 20};
  reader.append(make_frame(std::string(100'000, 'x')));
  auto large = reader.next();
  CAF_REQUIRE(large);
  CAF_CHECK_EQUAL(large->size(), 100'000u);
  CAF_CHECK_GREATER_OR_EQUAL(reader.held(), 100'000u);
  reader.append(make_frame("small"));
  auto small = reader.next();
  CAF_REQUIRE(small);
  CAF_CHECK_EQUAL(*small, "small");
  CAF_CHECK_LESS_OR_EQUAL(reader.held(), frame_reader::kept_capacity);
}

CAF_TEST(oversize and empty length prefixes are rejected before the body) {
  std::string header(length_prefix_size, '\0');
  for (auto [length, code] :
       {std::pair{uint32_t{max_size + 1}, "frame_too_large"},
        {0xFFFFFFFFu, "frame_too_large"},
        {0u, "empty_frame"}}) {
    frame_reader reader{max_size};
    write_length(length, header.data());
    reader.append(header);
    CAF_CHECK_EQUAL(code_of(reader.next()), code);
  }
}

CAF_TEST(a stream of text is named as such) {
  frame_reader reader{max_size};
  reader.append("GET / HTTP/1.0\r\n\r\n");
  auto result = reader.next();
  CAF_REQUIRE(!result);
  CAF_CHECK_EQUAL(result.error().to_string(),
                  "frame_too_large: not a groupchat peer: it sent text "
                  "(\"GET ...\")");
}

CAF_TEST(a body of exactly the maximum size passes) {
  frame_reader reader{max_size};
  reader.append(make_frame(std::string(max_size, 'x')));
  auto body = reader.next();
  CAF_REQUIRE(body);
  CAF_CHECK_EQUAL(body->size(), max_size);
}
