// SPDX-License-Identifier: MIT
// The error values of the wire protocol and a small result type.
//
// The protocol stays free of CAF so that it compiles fast, is fuzzable on its
// own and is usable from any test. Actors turn these errors into log lines and
// dropped connections.

#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace groupchat::protocol {

/// Everything that can be wrong with bytes received from the network.
enum class ec : uint8_t {
  /// The length prefix announces an empty frame.
  empty_frame = 1,
  /// The length prefix announces more than the configured maximum.
  frame_too_large,
  /// The body is not well-formed JSON (including ill-formed UTF-8).
  invalid_json,
  /// The body is JSON, but not a JSON object.
  not_an_object,
  /// The `version` field names a protocol version we do not speak.
  unsupported_version,
  /// The `type` field names no known message type.
  unknown_type,
  /// A field the message type requires is absent.
  missing_field,
  /// A field has the wrong JSON type or a value outside its range.
  invalid_field,
  /// A peer name is empty, too long or contains control characters.
  invalid_name,
  /// A peer does not read: our output for it exceeds the bound.
  output_overflow,
  /// The passphrase handshake or a frame's authentication failed.
  authentication_failed,
  /// The group refused our join (e.g. our name is taken there).
  join_refused,
  /// A connect failed or timed out.
  connect_failed,
  /// The handshake ended in a way that tests no passphrase: before it was
  /// answered, or in a group whose key is public. Never a guess.
  handshake_failed,
};

/// Returns the symbolic name of `x`, e.g. "frame_too_large".
const char* to_string(ec x) noexcept;

/// An error code plus a human-readable detail for log lines.
struct error {
  ec code;
  std::string detail;

  /// Renders the error as "code: detail".
  std::string to_string() const;
};

/// Either a value or an error; the protocol's answer to `caf::expected`.
template <class T>
class result {
public:
  result(T value) : data_(std::move(value)) {
    // nop
  }

  result(protocol::error err) : data_(std::move(err)) {
    // nop
  }

  explicit operator bool() const noexcept {
    return data_.index() == 0;
  }

  T& operator*() {
    return std::get<0>(data_);
  }

  const T& operator*() const {
    return std::get<0>(data_);
  }

  T* operator->() {
    return &std::get<0>(data_);
  }

  const T* operator->() const {
    return &std::get<0>(data_);
  }

  /// @pre `!*this`
  const protocol::error& error() const {
    return std::get<1>(data_);
  }

private:
  std::variant<T, protocol::error> data_;
};

} // namespace groupchat::protocol
