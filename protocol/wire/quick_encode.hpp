// SPDX-License-Identifier: MIT
// The quick path of encode() for the frame a member sends most, `chat`:
// the JSON written straight into a string, byte for byte what the tree
// encoder (encode_tree, nlohmann) writes, without a node allocated per key.
// It only ever says "this is the body" or "ask the tree": a line whose text
// is not well-formed UTF-8 (which the tree writes with U+FFFD in place of
// the bad bytes) goes to the tree. The tests and the fuzzer hold it to the
// tree's bytes.

#pragma once

#include <optional>
#include <string>

#include "protocol/wire/message.hpp"

namespace groupchat::protocol {

/// The body encode_tree() writes for `x` if `x` is a `chat` line with
/// well-formed UTF-8 in its strings; std::nullopt for everything else.
std::optional<std::string> quick_encode(const message& x);

} // namespace groupchat::protocol
