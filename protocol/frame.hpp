// Framing: every frame is a 4-byte big-endian length, then that many bytes of
// UTF-8 JSON. The length is checked against the maximum before any buffer for
// the body is allocated.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/error.hpp"

namespace groupchat::protocol {

/// Size of the length prefix in bytes.
constexpr size_t header_size = 4;

/// Default upper bound for a frame body, in bytes (configurable).
constexpr size_t default_max_frame_size = 1024 * 1024;

/// Largest value a maximum frame size may be configured to.
constexpr size_t max_max_frame_size = 64 * 1024 * 1024;

/// Reads the big-endian length prefix at `header`.
/// @pre `header` points to at least `header_size` bytes.
uint32_t read_length(const char* header) noexcept;

/// Writes `length` as big-endian prefix to `out`.
/// @pre `out` points to at least `header_size` writable bytes.
void write_length(uint32_t length, char* out) noexcept;

/// Checks a received length prefix: non-zero and at most `max_size`.
result<size_t> check_length(uint32_t length, size_t max_size);

/// Returns `body` with its length prefix in front.
/// @pre `body.size()` fits into 32 bits.
std::string make_frame(std::string_view body);

} // namespace groupchat::protocol
