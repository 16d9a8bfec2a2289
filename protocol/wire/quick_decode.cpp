// SPDX-License-Identifier: MIT
#include "protocol/wire/quick_decode.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <string>

namespace groupchat::protocol {

namespace {

// The keys of `chat` and `heartbeat`, and below one bit for each (in the
// same order) to mark the keys seen. nlohmann keeps the last value of a
// key given twice; rather than copy that rule, the quick path leaves such
// bodies to the tree.
constexpr std::string_view key_names[] = {"type",    "version", "seq",
                                          "text",    "action",  "private",
                                          "history", "time",    "sig"};

constexpr unsigned type_key = 1, version_key = 2, seq_key = 4, text_key = 8,
                   action_key = 16, private_key = 32, history_key = 64,
                   time_key = 128, sig_key = 256;

// 0 for a key the quick path does not know. The tree ignores unknown keys,
// but a value under one may be anything (an array, a deep object): the
// tree takes those bodies, they are rare.
unsigned key_of(std::string_view name) noexcept {
  for (unsigned i = 0; i < std::size(key_names); ++i)
    if (name == key_names[i])
      return 1u << i;
  return 0;
}

// Appends code point `cp` (not a surrogate, at most U+10FFFF) as UTF-8:
// a lead byte, then 6 bits per continuation byte.
void put_utf8(uint32_t cp, std::string& out) {
  constexpr unsigned char lead[] = {0x00, 0xC0, 0xE0, 0xF0};
  int tail = cp < 0x80 ? 0 : cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
  out += static_cast<char>(lead[tail] | (cp >> (6 * tail)));
  for (int i = tail - 1; i >= 0; --i)
    out += static_cast<char>(0x80 | ((cp >> (6 * i)) & 0x3F));
}

// A cursor over the body that reads JSON the way nlohmann's lexer does, as
// far as the quick path goes: every reader returns false where the lexer
// fails, and also where the quick path does not follow (the tree decides).
class scanner {
public:
  explicit scanner(std::string_view in) noexcept : in_(in) {}

  bool done() const noexcept {
    return pos_ == in_.size();
  }

  // JSON's white space, which the lexer skips between tokens.
  void skip_space() noexcept {
    pos_ = std::min(in_.find_first_not_of(" \t\n\r", pos_), in_.size());
  }

  bool eat(std::string_view token) noexcept {
    if (in_.substr(pos_, token.size()) != token)
      return false;
    pos_ += token.size();
    return true;
  }

  bool flag(bool& out) noexcept {
    out = eat("true");
    return out || eat("false");
  }

  // What nlohmann reads as a number_unsigned, up to max_seq: digits without
  // a sign and without a leading zero. A fraction or exponent after them
  // (a float to nlohmann) stops the caller, which then finds no ',' or '}';
  // the bound comes before overflow could.
  bool count(uint64_t& out) noexcept {
    auto start = pos_;
    uint64_t value = 0;
    for (; pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9'; ++pos_)
      if ((value = value * 10 + (in_[pos_] - '0')) > max_seq)
        return false;
    auto digits = pos_ - start;
    if (digits == 0 || (digits > 1 && in_[start] == '0'))
      return false;
    out = value;
    return true;
  }

  // A string without escapes, as its bytes: keys, the type, a signature.
  // What it is then compared with (or is_proof) is printable ASCII, so the
  // bytes need no check of their own.
  bool plain(std::string_view& out) noexcept {
    if (!eat("\""))
      return false;
    auto end = in_.find_first_of("\"\\", pos_);
    if (end == std::string_view::npos || in_[end] != '"')
      return false;
    out = in_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return true;
  }

  // A string, unescaped into `out`, with the lexer's rules: no control
  // characters, well-formed UTF-8, the escapes of RFC 8259, surrogates
  // only in pairs. Runs between escapes are copied whole.
  bool string(std::string& out) {
    if (!eat("\""))
      return false;
    for (;;) {
      auto start = pos_;
      while (pos_ < in_.size()) {
        auto c = static_cast<unsigned char>(in_[pos_]);
        if (c == '"' || c == '\\' || c < 0x20)
          break;
        auto n = c < 0x80 ? 1 : utf8_length();
        if (n == 0)
          return false;
        pos_ += n;
      }
      out.append(in_.data() + start, pos_ - start);
      if (eat("\""))
        return true;
      if (!eat("\\") || !escape(out))
        return false;
    }
  }

private:
  unsigned byte(size_t offset) const noexcept {
    auto i = pos_ + offset;
    return i < in_.size() ? static_cast<unsigned char>(in_[i]) : 0;
  }

  // The length of the well-formed UTF-8 sequence at the cursor, or 0: the
  // table of RFC 3629 that the lexer applies. The lead byte's range gives
  // the length; the second byte's range depends on it (no overlong forms,
  // no surrogates, nothing above U+10FFFF); the others are 80..BF.
  size_t utf8_length() const noexcept {
    auto c = byte(0);
    size_t n = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    for (size_t i = 1; i < n; ++i, lo = 0x80, hi = 0xBF)
      if (byte(i) < lo || byte(i) > hi)
        return 0;
    return n;
  }

  // The escape after a backslash: \uXXXX, or one of RFC 8259's eight
  // letters for a character.
  bool escape(std::string& out) {
    constexpr std::string_view letters = "\"\\/bfnrt";
    constexpr std::string_view meaning = "\"\\/\b\f\n\r\t";
    if (eat("u"))
      return code_point(out);
    auto i = done() ? letters.npos : letters.find(in_[pos_]);
    if (i == letters.npos)
      return false;
    out += meaning[i];
    ++pos_;
    return true;
  }

  // \uXXXX, or a surrogate pair as two of them; a lone surrogate fails.
  bool code_point(std::string& out) {
    uint32_t cp = 0;
    if (!hex4(cp) || (cp >= 0xDC00 && cp <= 0xDFFF))
      return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (!eat("\\u") || !hex4(low) || low < 0xDC00 || low > 0xDFFF)
        return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    put_utf8(cp, out);
    return true;
  }

  // Four hex digits, in either case (from_chars takes no sign or prefix
  // for an unsigned type).
  bool hex4(uint32_t& out) noexcept {
    if (in_.size() - pos_ < 4)
      return false;
    auto first = in_.data() + pos_;
    pos_ += 4;
    return std::from_chars(first, first + 4, out, 16).ptr == first + 4;
  }

  std::string_view in_;
  size_t pos_ = 0;
};

// Reads the value of `key` into `msg` (the type into `type`), with the
// rules of its field in describe() (message.cpp) and fields.cpp.
bool read_value(scanner& in, unsigned key, message& msg,
                std::string_view& type) {
  switch (key) {
    case type_key:
      return in.plain(type);
    case version_key: {
      uint64_t value = 0;
      return in.count(value) && value == version;
    }
    case seq_key:
      return in.count(msg.seq); // At least 1: checked once all are read.
    case text_key:
      return in.string(msg.text); // Of any size (describe's any_size).
    case action_key:
      return in.flag(msg.action);
    case private_key:
      return in.flag(msg.whisper);
    case history_key:
      return in.flag(msg.history);
    case time_key:
      return in.count(msg.time);
    case sig_key: {
      std::string_view sig;
      if (!in.plain(sig) || !is_proof(sig))
        return false;
      msg.proof = sig;
      return true;
    }
  }
  return false;
}

} // namespace

std::optional<message> quick_decode(std::string_view body) {
  // A flat object of known keys: decode()'s nesting limit cannot refuse it.
  scanner in{body};
  message msg;
  std::string_view type;
  unsigned seen = 0;
  in.skip_space();
  if (!in.eat("{"))
    return std::nullopt;
  do {
    std::string_view name;
    in.skip_space();
    if (!in.plain(name))
      return std::nullopt;
    auto key = key_of(name);
    in.skip_space();
    if (key == 0 || (seen & key) != 0 || !in.eat(":"))
      return std::nullopt;
    seen |= key;
    in.skip_space();
    if (!read_value(in, key, msg, type))
      return std::nullopt;
    in.skip_space();
  } while (in.eat(","));
  if (!in.eat("}"))
    return std::nullopt;
  in.skip_space();
  if (!in.done())
    return std::nullopt; // Trailing bytes; a NUL the lexer would end on.
  // The version, when read, was checked; a heartbeat has no fields.
  if (type == "heartbeat" && seen == (type_key | version_key)) {
    msg.type = message_type::heartbeat;
    return msg;
  }
  constexpr unsigned needed = type_key | version_key | seq_key | text_key;
  if (type == "chat" && (seen & needed) == needed && msg.seq >= 1
      && !(msg.history && msg.whisper)) {
    msg.type = message_type::chat;
    return msg;
  }
  return std::nullopt;
}

} // namespace groupchat::protocol
