// SPDX-License-Identifier: MIT
// Framing: every frame is a 4-byte big-endian length, then that many bytes of
// body (UTF-8 JSON, or a sealed secretstream message in a group with a
// passphrase). The length is checked against the maximum before any buffer
// for the body is allocated.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/wire/error.hpp"

namespace groupchat::protocol {

/// Size of the length prefix in bytes.
constexpr size_t length_prefix_size = 4;

/// Default upper bound for a frame body, in bytes (configurable).
constexpr size_t default_max_frame_size = 1024 * 1024;

/// Largest value a maximum frame size may be configured to.
constexpr size_t max_max_frame_size = 64 * 1024 * 1024;

/// Reads the big-endian length prefix at `header`.
/// @pre `header` points to at least `length_prefix_size` bytes.
uint32_t read_length(const char* header) noexcept;

/// Writes `length` as big-endian prefix to `out`.
/// @pre `out` points to at least `length_prefix_size` writable bytes.
void write_length(uint32_t length, char* out) noexcept;

/// Checks a received length prefix: non-zero and at most `max_size`.
result<size_t> check_length(uint32_t length, size_t max_size);

/// Returns `body` with its length prefix in front.
/// @pre `body.size()` fits into 32 bits.
std::string make_frame(std::string_view body);

/// Splits a received byte stream into frame bodies: the one splitter that
/// connections, tests and the fuzzer all use. Each length prefix is checked
/// as soon as it is complete, before its body is waited for, so the reader
/// holds at most one incomplete frame plus what was appended after it.
class frame_reader {
public:
  /// A reader for bodies of at most `max_body` bytes.
  explicit frame_reader(size_t max_body = default_max_frame_size)
    : max_(max_body) {
    // nop
  }

  /// Appends received bytes. Bodies returned by `next` before are no longer
  /// valid afterwards.
  void append(const char* data, size_t size);

  void append(std::string_view bytes) {
    append(bytes.data(), bytes.size());
  }

  /// Takes the next complete frame and returns its body, valid until the
  /// next `append`. Returns an empty body if no complete frame is buffered
  /// (frames are never empty), and an error if a length prefix is invalid:
  /// the stream is unusable from then on.
  result<std::string_view> next();

  /// Changes the largest body accepted from the next length prefix on.
  void set_max(size_t max_body) noexcept {
    max_ = max_body;
  }

  /// Bytes received and not yet taken.
  size_t buffered() const noexcept {
    return buf_.size() - pos_;
  }

  /// Bytes of buffer held (what a connection costs while idle).
  size_t held() const noexcept {
    return buf_.capacity();
  }

  /// The most buffer kept once it is empty again.
  static constexpr size_t kept_capacity = 16 * 1024;

private:
  size_t max_;
  std::vector<char> buf_;
  /// Start of the bytes not yet taken.
  size_t pos_ = 0;
};

} // namespace groupchat::protocol
