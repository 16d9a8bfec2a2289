// SPDX-License-Identifier: MIT
#include "protocol/wire/text.hpp"

#include <cstdint>
#include <vector>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

namespace groupchat::protocol {

namespace {

using u16string = std::vector<UChar>;

bool to_utf16(std::string_view in, u16string& out) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t len = 0;
  out.resize(in.size() + 1);
  u_strFromUTF8(out.data(), static_cast<int32_t>(out.size()), &len, in.data(),
                static_cast<int32_t>(in.size()), &status);
  if (U_FAILURE(status))
    return false;
  out.resize(static_cast<size_t>(len));
  return true;
}

std::string to_utf8(const u16string& in) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t len = 0;
  std::string out(in.size() * 3 + 1, '\0');
  u_strToUTF8(out.data(), static_cast<int32_t>(out.size()), &len, in.data(),
              static_cast<int32_t>(in.size()), &status);
  out.resize(U_SUCCESS(status) ? static_cast<size_t>(len) : 0);
  return out;
}

// Applies one of ICU's normalisers; empty on failure.
u16string normalize(const UNormalizer2* norm, const u16string& in) {
  UErrorCode status = U_ZERO_ERROR;
  // NFC grows a string at most threefold, NFKC_Casefold at most 18-fold.
  u16string out(in.size() * 18 + 1);
  auto len = unorm2_normalize(norm, in.data(), static_cast<int32_t>(in.size()),
                              out.data(), static_cast<int32_t>(out.size()),
                              &status);
  if (U_FAILURE(status))
    return {};
  out.resize(static_cast<size_t>(len));
  return out;
}

// Characters a name may not hold: what does not print, or prints as
// nothing, or means something else on another machine.
bool forbidden_in_name(UChar32 c) {
  switch (u_charType(c)) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_PRIVATE_USE_CHAR:
    case U_SURROGATE:
    case U_UNASSIGNED:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
      return true;
    default:
      // Variation selectors, Hangul fillers and the like: letters or marks
      // by category, nothing on the screen.
      return u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
  }
}

error bad_name(const char* why) {
  return error{ec::invalid_name, std::string{"a name "} + why};
}

const USpoofChecker* spoof_checker() {
  // Const use of a configured checker is thread-safe (ICU's uspoof.h).
  static const USpoofChecker* checker = [] {
    UErrorCode status = U_ZERO_ERROR;
    auto* sc = uspoof_open(&status);
    return U_SUCCESS(status) ? sc : nullptr;
  }();
  return checker;
}

} // namespace

result<std::string> normalize_name(std::string_view name) {
  if (name.empty())
    return bad_name("must not be empty");
  // Bounds the work below; the real bound is checked after normalising.
  if (name.size() > max_name_size * 4)
    return bad_name("has at most 32 bytes");
  u16string u16;
  if (!to_utf16(name, u16))
    return bad_name("must be valid UTF-8");
  UErrorCode status = U_ZERO_ERROR;
  auto* nfc = unorm2_getNFCInstance(&status);
  if (U_FAILURE(status))
    return bad_name("cannot be checked (no Unicode data)");
  auto normal = normalize(nfc, u16);
  if (normal.empty())
    return bad_name("cannot be normalised");
  for (int32_t i = 0; i < static_cast<int32_t>(normal.size());) {
    UChar32 c;
    U16_NEXT(normal.data(), i, static_cast<int32_t>(normal.size()), c);
    if (forbidden_in_name(c))
      return bad_name("must not contain control, format, invisible or "
                      "private-use characters");
    bool edge = i == static_cast<int32_t>(U16_LENGTH(c))
                || i == static_cast<int32_t>(normal.size());
    if (edge && u_isUWhiteSpace(c))
      return bad_name("must not start or end with a space");
  }
  auto out = to_utf8(normal);
  if (out.size() > max_name_size)
    return bad_name("has at most 32 bytes");
  return out;
}

std::string name_key(std::string_view name) {
  u16string u16;
  if (!to_utf16(name, u16))
    return std::string{name};
  UErrorCode status = U_ZERO_ERROR;
  auto* fold = unorm2_getNFKCCasefoldInstance(&status);
  if (U_SUCCESS(status)) {
    auto folded = normalize(fold, u16);
    if (!folded.empty())
      u16 = std::move(folded);
  }
  if (auto* sc = spoof_checker()) {
    u16string skeleton(u16.size() * 18 + 1);
    status = U_ZERO_ERROR;
    auto len = uspoof_getSkeleton(
      sc, 0, u16.data(), static_cast<int32_t>(u16.size()), skeleton.data(),
      static_cast<int32_t>(skeleton.size()), &status);
    if (U_SUCCESS(status)) {
      skeleton.resize(static_cast<size_t>(len));
      u16 = std::move(skeleton);
    }
  }
  return to_utf8(u16);
}

std::string ascii_lower(std::string str) {
  for (auto& c : str)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return str;
}

std::string make_visible(std::string_view text) {
  // Printable ASCII (and tab) is by far the common case: unchanged.
  bool plain = true;
  for (unsigned char c : text)
    if ((c < 0x20 && c != '\t') || c >= 0x7F) {
      plain = false;
      break;
    }
  if (plain)
    return std::string{text};
  std::string out;
  out.reserve(text.size());
  auto* s = reinterpret_cast<const uint8_t*>(text.data());
  auto len = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < len;) {
    auto start = i;
    UChar32 c;
    U8_NEXT(s, i, len, c);
    if (c < 0) {
      out += "\xEF\xBF\xBD"; // U+FFFD
      continue;
    }
    auto type = u_charType(c);
    bool hidden = (type == U_CONTROL_CHAR && c != '\t')
                  || type == U_LINE_SEPARATOR || type == U_PARAGRAPH_SEPARATOR
                  || u_hasBinaryProperty(c, UCHAR_BIDI_CONTROL);
    if (hidden)
      out += '?';
    else
      out.append(text.data() + start, static_cast<size_t>(i - start));
  }
  return out;
}

bool is_utf8(std::string_view text) noexcept {
  auto* s = reinterpret_cast<const uint8_t*>(text.data());
  auto len = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < len;) {
    UChar32 c;
    U8_NEXT(s, i, len, c);
    if (c < 0)
      return false;
  }
  return true;
}

} // namespace groupchat::protocol
