// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.wire.error

#include "protocol/wire/error.hpp"

#include <iterator>
#include <set>
#include <string>
#include <utility>

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

// Log lines and the renderer of actors/errors name codes by these strings.
CAF_TEST(every code has its own symbolic name) {
  std::pair<ec, std::string> names[] = {
    {ec::empty_frame, "empty_frame"},
    {ec::frame_too_large, "frame_too_large"},
    {ec::invalid_json, "invalid_json"},
    {ec::not_an_object, "not_an_object"},
    {ec::unsupported_version, "unsupported_version"},
    {ec::unknown_type, "unknown_type"},
    {ec::missing_field, "missing_field"},
    {ec::invalid_field, "invalid_field"},
    {ec::invalid_name, "invalid_name"},
    {ec::output_overflow, "output_overflow"},
    {ec::authentication_failed, "authentication_failed"},
    {ec::join_refused, "join_refused"},
    {ec::connect_failed, "connect_failed"},
    {ec::handshake_failed, "handshake_failed"},
  };
  std::set<std::string> seen;
  for (auto& [code, name] : names) {
    CAF_CHECK_EQUAL(to_string(code), name);
    seen.insert(to_string(code));
  }
  CAF_CHECK_EQUAL(seen.size(), std::size(names));
  // The table above is complete: the next value is no code.
  CAF_CHECK_EQUAL(
    to_string(static_cast<ec>(static_cast<uint8_t>(ec::handshake_failed) + 1)),
    std::string{"unknown_error"});
}

// A stray value (a cast from a peer's or CAF's byte) still renders.
CAF_TEST(a value that is no code renders as unknown_error) {
  CAF_CHECK_EQUAL(to_string(static_cast<ec>(0)), std::string{"unknown_error"});
  CAF_CHECK_EQUAL(to_string(static_cast<ec>(255)),
                  std::string{"unknown_error"});
}

CAF_TEST(an error renders as code and detail) {
  error err{ec::frame_too_large, "70000 bytes"};
  CAF_CHECK_EQUAL(err.to_string(), "frame_too_large: 70000 bytes");
}

CAF_TEST(an error without detail renders as its code alone) {
  error err{ec::invalid_json, ""};
  CAF_CHECK_EQUAL(err.to_string(), "invalid_json");
}
