// SPDX-License-Identifier: MIT
// Errors between actors: the protocol's error codes, registered with CAF so
// that an exit reason or a failed request carries a code that is compared as
// a code, with the detail beside it for humans.

#pragma once

#include <optional>
#include <string>

#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include "protocol/wire/error.hpp"

CAF_ERROR_CODE_ENUM(groupchat::protocol::ec, "groupchat")

namespace groupchat {

/// Wraps `err` as a CAF error (category "groupchat", the detail as context).
caf::error to_caf_error(const protocol::error& err);

/// The protocol error inside `err`, if it carries one.
std::optional<protocol::error> from_caf_error(const caf::error& err);

/// Lets `cfg`'s actor system render our errors (`sys.render`).
void add_error_category(caf::actor_system_config& cfg);

/// A line for humans: the detail of our own errors, CAF's rendering of
/// others.
std::string describe(const caf::error& err);

} // namespace groupchat
