// SPDX-License-Identifier: MIT
// Text that cannot deceive: peer names normalised and checked, a folded
// form of each name for telling look-alikes apart, and chat text made safe
// to print so that one line of output is always one message. Plain
// functions over UTF-8 (ICU underneath); no actors.

#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "protocol/wire/error.hpp"

namespace groupchat::protocol {

/// Longest name in bytes, after normalisation.
constexpr size_t max_name_size = 32;

/// Checks a peer name and returns it in Unicode normal form C: 1 to
/// `max_name_size` bytes of UTF-8 without control, format (zero-width,
/// bidi), private-use, unassigned or otherwise invisible (default
/// ignorable) characters, and without leading or trailing white space.
result<std::string> normalize_name(std::string_view name);

/// The form two names are compared in: case, compatibility variants
/// (full-width letters, ligatures) and confusable letters from other
/// scripts folded, so that names that look alike collide (ICU's NFKC
/// case fold, then its confusable skeleton, UTS #39).
/// @pre `name` passed `normalize_name`
std::string name_key(std::string_view name);

/// `str` with ASCII letters in lower case (commands, completion, mentions:
/// what a user types and expects matched in any case).
std::string ascii_lower(std::string str);

/// Whether `text` is well-formed UTF-8.
bool is_utf8(std::string_view text) noexcept;

/// Text from a peer as it may be printed: control characters (C0 but tab,
/// DEL, C1), line and paragraph separators and bidi controls become '?',
/// so that the text is one line that neither moves the cursor nor
/// reorders what surrounds it. Ill-formed UTF-8 becomes U+FFFD.
std::string make_visible(std::string_view text);

} // namespace groupchat::protocol
