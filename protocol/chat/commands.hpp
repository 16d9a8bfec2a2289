// SPDX-License-Identifier: MIT
// What a typed line means: chat, a command, or a wish to leave. Pure
// functions, no actors: the Console actor carries out what they say, and
// the /who lines are formatted here from what Membership reports.

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/group/peer_table.hpp"

namespace groupchat::protocol {

/// A line the user typed, understood.
struct typed_line {
  enum class kind : uint8_t {
    /// Nothing to do: a blank line.
    none,
    /// `text` goes to everyone.
    say,
    /// "/me": `text` is what we do.
    action,
    /// "/msg": `text` goes to member `name` only.
    whisper,
    /// "/nick": we go by `name` from now on.
    nick,
    /// "/who": list the members.
    who,
    /// "/help".
    help,
    /// "/history [N]": the last `text` (a number; empty: all) earlier
    /// lines kept.
    history,
    /// "exit", "/quit [TEXT]": leave, saying `text` first if not empty.
    leave,
    /// A command used wrongly, or unknown: `text` says what to do instead.
    mistake,
  };
  kind what = kind::none;
  std::string name;
  std::string text;
};

/// Understands `line` (without its newline). `members` are the names of
/// the members: an unquoted "/msg bob smith hi" reaches the longest member
/// name the words start with ("bob smith" if there is one), else the first
/// word.
typed_line parse_line(std::string line,
                      const std::vector<std::string>& members);

/// Returns whether `line` asks to leave ("exit" or "/quit").
bool is_exit_command(const std::string& line);

/// The text of /help, one command a line.
const char* help_text();

/// A member as "/who" shows it.
struct member_summary {
  std::string name;
  /// Its key.
  peer_id id;
  /// Where it listens, "HOST:PORT".
  std::string address;
  /// How long it has been in the group.
  int64_t seconds = 0;
  /// The member we reach it through; empty if we are connected to it.
  std::string via;
};

/// `members` as "/who" shows them at `now` (`wall`: the wall clock,
/// microseconds since the epoch): here since they say they joined the
/// group, else since we met them.
std::vector<member_summary> summarize(const std::vector<peer*>& members,
                                      time_point now, uint64_t wall);

/// The lines "/who" shows: us first, then the members by name.
std::vector<std::string> format_who(const std::string& own_name, uint16_t port,
                                    const std::vector<member_summary>& others);

} // namespace groupchat::protocol
