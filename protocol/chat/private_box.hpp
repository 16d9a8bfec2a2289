// SPDX-License-Identifier: MIT
// A private line ("/msg") to a member reached through a carrier
// (relay.hpp), sealed so that only its recipient can open it. Inside the
// box: a label, the sender's and the recipient's keys, the line's private
// number (8 bytes, big-endian) and its text. The keys inside stop a
// carrier from turning a box back to its sender (both directions share
// one box key); the number makes a replay a duplicate. Pure functions
// over identity.hpp.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "protocol/crypto/identity.hpp"

namespace groupchat::protocol {

/// Our private line number `seq` with `text` for member `to`, sealed (hex);
/// empty if `to` is not a valid key.
std::string seal_private(const identity& self, const peer_id& to, uint64_t seq,
                         const std::string& text);

/// The number and text of the private line `box` from member `from` to
/// us; nothing if it was not sealed by `from` for us, or was altered.
std::optional<std::pair<uint64_t, std::string>>
open_private(const identity& self, const peer_id& from, const std::string& box);

} // namespace groupchat::protocol
