// SPDX-License-Identifier: MIT
// Events as JSON Lines (`--format json`): one object per event, for
// scripts and bots. The schema is documented in the README and the man
// page ("JSON Lines"); a test holds that documentation to `all_kinds`.

#pragma once

#include <cstdint>
#include <string>

#include "protocol/events/event.hpp"

namespace groupchat::protocol {

/// The version of the schema, in every `ready` event. It changes when a
/// field changes meaning or goes away; new fields and events do not change
/// it (readers ignore what they do not know).
constexpr int json_schema_version = 1;

/// `ev` as one line of JSON, without the newline. Text is exact: escaped
/// by JSON, nothing replaced.
std::string to_json_line(const event& ev);

/// A time in microseconds since the epoch as RFC 3339, UTC, with
/// microseconds: "2026-12-03T17:55:01.000042Z".
std::string rfc3339(uint64_t micros);

} // namespace groupchat::protocol
