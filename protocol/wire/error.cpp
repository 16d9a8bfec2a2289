// SPDX-License-Identifier: MIT
#include "protocol/wire/error.hpp"

namespace groupchat::protocol {

const char* to_string(ec x) noexcept {
  switch (x) {
    case ec::empty_frame:
      return "empty_frame";
    case ec::frame_too_large:
      return "frame_too_large";
    case ec::invalid_json:
      return "invalid_json";
    case ec::not_an_object:
      return "not_an_object";
    case ec::unsupported_version:
      return "unsupported_version";
    case ec::unknown_type:
      return "unknown_type";
    case ec::missing_field:
      return "missing_field";
    case ec::invalid_field:
      return "invalid_field";
    case ec::invalid_name:
      return "invalid_name";
    case ec::output_overflow:
      return "output_overflow";
    case ec::authentication_failed:
      return "authentication_failed";
    case ec::join_refused:
      return "join_refused";
    case ec::connect_failed:
      return "connect_failed";
    case ec::handshake_failed:
      return "handshake_failed";
  }
  return "unknown_error";
}

std::string error::to_string() const {
  std::string result = protocol::to_string(code);
  if (!detail.empty()) {
    result += ": ";
    result += detail;
  }
  return result;
}

} // namespace groupchat::protocol
