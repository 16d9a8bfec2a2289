// SPDX-License-Identifier: MIT
#include "protocol/wire/quick_encode.hpp"

#include <charconv>
#include <cstdint>
#include <string_view>

#include "protocol/wire/text.hpp"

namespace groupchat::protocol {

namespace {

void put_uint(std::string& out, uint64_t value) {
  char digits[20];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, end);
}

// As nlohmann's serializer writes a string without `ensure_ascii`: the two
// that JSON needs escaped, the five control characters with short escapes,
// the other controls as \u00xx (lowercase), everything else as it is.
void put_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (auto ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xf];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

} // namespace

std::optional<std::string> quick_encode(const message& x) {
  if (x.type != message_type::chat || !is_utf8(x.text) || !is_utf8(x.proof))
    return std::nullopt;
  std::string out;
  out.reserve(80 + x.text.size() + x.proof.size());
  // The keys in the tree's order (nlohmann's objects are ordered maps), the
  // optional ones left out as the field encoder leaves them out.
  out += '{';
  if (x.action)
    out += "\"action\":true,";
  if (x.history)
    out += "\"history\":true,";
  if (x.whisper)
    out += "\"private\":true,";
  out += "\"seq\":";
  put_uint(out, x.seq);
  if (!x.proof.empty()) {
    out += ",\"sig\":";
    put_string(out, x.proof);
  }
  out += ",\"text\":";
  put_string(out, x.text);
  if (x.time != 0) {
    out += ",\"time\":";
    put_uint(out, x.time);
  }
  out += ",\"type\":\"chat\",\"version\":";
  put_uint(out, version);
  out += '}';
  return out;
}

} // namespace groupchat::protocol
