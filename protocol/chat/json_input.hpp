// SPDX-License-Identifier: MIT
// Standard input in JSON Lines mode (`--format json`): one command object
// per line, for scripts and bots. Text is taken exactly as given: nothing
// in it is read as a command ("/me" in a `say` is said, not done).

#pragma once

#include <string_view>

#include "protocol/chat/commands.hpp"

namespace groupchat::protocol {

/// Understands one line of JSON input:
///
///   {"cmd":"say","text":"hi"}             a line to everyone
///   {"cmd":"me","text":"waves"}           an action
///   {"cmd":"msg","to":"bob","text":"psst"} a private line
///   {"cmd":"nick","name":"robert"}        a new name
///   {"cmd":"who"}                         answered with a `members` event
///   {"cmd":"quit"} or {"cmd":"quit","text":"bye"}   leave
///
/// Fields it does not know are ignored. Anything else gives
/// `typed_line::kind::mistake` with the reason in `text`.
typed_line parse_json_line(std::string_view line);

} // namespace groupchat::protocol
