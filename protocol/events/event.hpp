// SPDX-License-Identifier: MIT
// What the user is told, as data: every happening the console shows is an
// event. The group and chat code says what happened; the console decides
// how it looks: an English line at a terminal or in a pipe (`to_text`),
// or one JSON object in JSON Lines mode (json_lines.hpp). Nothing here
// knows about screens, colours or escaping.

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/wire/ids.hpp"

namespace groupchat::protocol {

/// A member as an event lists it.
struct member_entry {
  std::string name;
  peer_id id;
  /// Where it listens, "HOST:PORT"; empty if not known.
  std::string address;
  /// The member we hear it through; empty if we are connected to it.
  std::string via = {};

  friend bool operator==(const member_entry& x, const member_entry& y) {
    return x.name == y.name && x.id == y.id && x.address == y.address
           && x.via == y.via;
  }
};

struct event {
  /// The kinds, in the order the JSON Lines schema documents them. A new
  /// kind goes into `all_kinds` below and into the documentation, which a
  /// test holds to this list.
  enum class kind : uint8_t {
    /// We are in a group: `created` one, or joined one. `name`, `id`: us.
    ready,
    /// The other members (`members`): after a join, or asked for.
    members,
    /// Member `name` (key `id`) is new in the group.
    joined,
    /// Member `name`, lost earlier, is back.
    back,
    /// Member `name` left.
    left,
    /// Member `name` went away without leaving.
    lost,
    /// Member `name` goes by `text` now; `you`: we renamed.
    nick,
    /// A line `text` from `name` (key `id`): `action` ("/me"), `whisper`
    /// (private: to us, or from us to `to`), `history` (said earlier,
    /// sent again because we missed it), `time` (when).
    chat,
    /// `count` lines from `name` did not arrive and never will.
    gap,
    /// A system line: `code` for programs, `text` for people.
    notice,
    /// Something did not happen as asked: `code`, `text`.
    error,
  };

  kind what = kind::notice;
  std::string name;
  peer_id id;
  std::string text;
  std::string code;
  std::string to;
  /// joined, left, lost, nick: the member we reach `name` through (we
  /// cannot connect to it ourselves); empty for a member we are connected
  /// to.
  std::string via;
  bool action = false;
  bool whisper = false;
  bool history = false;
  bool created = false;
  bool you = false;
  /// Microseconds since the epoch (chat: when it was said; a live line
  /// is stamped when it arrives).
  uint64_t time = 0;
  uint64_t count = 0;
  /// error: the line of standard input it is about (JSON mode), if any.
  uint64_t input_line = 0;
  std::vector<member_entry> members;
  /// ready: where we listen, "HOST:PORT" each.
  std::vector<std::string> addresses;

  // -- the events, by what they need -------------------------------------------

  static event ready(bool created, std::string name, peer_id id);
  static event member_list(std::vector<member_entry> members);
  /// joined, back, left or lost.
  static event member(kind what, std::string name, peer_id id);
  static event renamed(std::string from, std::string to, peer_id id, bool you);
  /// A line from `name`; the caller sets the flags it needs.
  static event line(std::string name, peer_id id, std::string text);
  static event missed(std::string name, peer_id id, uint64_t count);
  static event note(std::string code, std::string text);
  static event failure(std::string code, std::string text);

  friend bool operator==(const event& x, const event& y);
};

/// Every kind, in the schema's order.
constexpr event::kind all_kinds[] = {
  event::kind::ready,  event::kind::members, event::kind::joined,
  event::kind::back,   event::kind::left,    event::kind::lost,
  event::kind::nick,   event::kind::chat,    event::kind::gap,
  event::kind::notice, event::kind::error,
};

/// The kind's name in the JSON Lines schema ("ready", "chat", ...).
const char* to_string(event::kind what);

/// The names and keys `ev` shows members proving: the member that joined,
/// came back or renamed (under its new name), every member of a list.
/// Empty for every other event, and for our own rename.
std::vector<member_entry> proved_names(const event& ev);

/// The warning that member `name` proved another key than before (code
/// "key_changed"): a new installation, or someone else under the name.
event key_changed(const std::string& name);

/// The English line a system event shows as ("bob has joined the chat").
/// Chat lines are laid out by the console (names in colour, mentions); for
/// them this is the plain "NAME: TEXT" form.
std::string to_text(const event& ev);

} // namespace groupchat::protocol
