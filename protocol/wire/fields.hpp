// SPDX-License-Identifier: MIT
// The fields of a message on the wire, and the two walks over a message's
// description (message.cpp: one per message type) that encode it into JSON
// and decode it back. Each field type carries its JSON key, the member it
// maps to and its rules (range, form, optionality), so both directions
// apply the same ones. Internal to protocol/wire: the rest of the program
// sees encode() and decode() (message.hpp).

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/wire/error.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat::protocol::fields {

using json = nlohmann::json;

/// A display name, checked as names are (text.hpp), in normal form C.
struct name_field {
  std::string& value;
  /// Optional: absent is empty, and empty is left out.
  bool optional = false;
};

/// Every refusal code with its wire name.
constexpr std::pair<refusal, const char*> refusal_names[] = {
  {refusal::other, "other"},
  {refusal::name_taken, "name_taken"},
  {refusal::not_that_peer, "not_that_peer"},
  {refusal::passphrase_needed, "passphrase_needed"},
  {refusal::throttled, "throttled"},
};

/// The code of a `refuse`: optional (peers of version 2 before it send
/// none), and a code this version does not know reads as `other`.
struct code_field {
  refusal& value;
};

/// A string of at most `max_size` bytes.
struct string_field {
  const char* key;
  std::string& value;
  size_t max_size;
};

/// Hex digits whose form `valid` checks (an ID, nonce, proof). Optional
/// ones may be absent (empty) and are left out when empty.
struct hex_field {
  const char* key;
  std::string& value;
  bool (*valid)(std::string_view) noexcept;
  const char* expected;
  bool optional = false;
};

struct port_field {
  const char* key;
  uint16_t& value;
};

/// An integer from `min` to `max_seq`; optional ones read as 0 when
/// absent (and are written, unless `omit_zero` and 0).
struct uint_field {
  const char* key;
  uint64_t& value;
  uint64_t min = 0;
  bool optional = false;
  bool omit_zero = false;
};

/// A flag: absent is false, and false is left out.
struct flag_field {
  const char* key;
  bool& value;
};

/// A member's host in a list: empty or a numeric IP address.
struct host_field {
  std::string& value;
};

/// The member list of `members` and `welcome`.
struct members_field {
  std::vector<member_info>& value;
};

/// `inner`, present only while `condition` holds (read when the field's
/// turn comes, so it may depend on a field decoded before it).
template <class Field>
struct when_field {
  const bool& condition;
  Field inner;
};

/// A rule across fields of `msg`, checked in its turn when decoding: the
/// fields it reads have been decoded by then (read at once, while the
/// description is made, they would still hold their defaults).
struct rule_field {
  bool (*holds)(const message& msg);
  const message& msg;
  const char* key;
  const char* expected;
};

inline hex_field id_field(std::string& value) {
  return {"id", value, is_peer_id, "64 lowercase hex digits"};
}

inline hex_field nonce_field(std::string& value) {
  return {"nonce", value, is_nonce, "64 lowercase hex digits"};
}

inline hex_field proof_field(std::string& value) {
  return {"proof", value, is_proof, "128 lowercase hex digits"};
}

/// A line's signature by its author: optional (left out when empty)
/// unless `required`.
inline hex_field sig_field(std::string& value, bool required = false) {
  return {"sig", value, is_proof, "128 lowercase hex digits", !required};
}

template <class Inspector>
auto describe(Inspector& f, member_info& x) {
  return f(name_field{x.name}, host_field{x.host}, port_field{"port", x.port},
           id_field(x.id), uint_field{"since", x.since, 0, true});
}

/// Writes the fields of a description into a JSON object.
struct encoder {
  json& obj;

  template <class... Fields>
  std::optional<error> operator()(const Fields&... fields) {
    (put(fields), ...);
    return std::nullopt;
  }

  void put(const name_field& x);
  void put(const code_field& x);
  void put(const string_field& x);
  void put(const hex_field& x);
  void put(const port_field& x);
  void put(const uint_field& x);
  void put(const flag_field& x);
  void put(const host_field& x);
  void put(const members_field& x);
  void put(const rule_field&) {
    // Rules are checked on the way in.
  }

  template <class Field>
  void put(const when_field<Field>& x) {
    if (x.condition)
      put(x.inner);
  }
};

/// Reads the fields of a description from a JSON object, in order; the
/// first that does not decode is the error.
struct decoder {
  const json& obj;

  template <class... Fields>
  std::optional<error> operator()(const Fields&... fields) {
    std::optional<error> err;
    [[maybe_unused]] bool failed = ((err = get(fields)).has_value() || ...);
    return err;
  }

  std::optional<error> get(const name_field& x);
  std::optional<error> get(const code_field& x);
  std::optional<error> get(const string_field& x);
  std::optional<error> get(const hex_field& x);
  std::optional<error> get(const port_field& x);
  std::optional<error> get(const uint_field& x);
  std::optional<error> get(const flag_field& x);
  std::optional<error> get(const host_field& x);
  std::optional<error> get(const members_field& x);
  std::optional<error> get(const rule_field& x);

  template <class Field>
  std::optional<error> get(const when_field<Field>& x) {
    return x.condition ? get(x.inner) : std::nullopt;
  }
};

/// The error for a field that is absent, or not what it must be.
error missing(const char* field);
error invalid(const char* field, const char* expected);

} // namespace groupchat::protocol::fields
