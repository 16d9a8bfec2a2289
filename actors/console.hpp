// SPDX-License-Identifier: MIT
// The Console actor: owns what the user sees and turns typed lines into
// chat, commands and leaving. Lines from stdin arrive from a reader thread
// (see main/terminal/stdin_reader.hpp), never from a blocking read inside an actor.

#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/messages.hpp"

namespace groupchat {

/// How the console writes.
struct console_options {
  /// Output is a terminal: lines get a "[HH:MM:SS] " prefix, and control
  /// characters from peers are shown as '?' so that no peer can move the
  /// cursor or recolour the screen. Pipes get every byte as sent.
  bool terminal = false;
  /// Colours: one per name, system lines dimmed.
  bool color = false;
  /// At a terminal with the line editor: our name. Our own lines are then
  /// shown in the form of everyone's ("[12:00:01] alice: hi"), in place
  /// of the "> hi" the editor leaves. Empty: not shown (pipe mode).
  std::string echo_name;
  /// Our name: at a terminal, a line that mentions it is highlighted and,
  /// with `mention_bell`, rings the bell once.
  std::string name;
  bool mention_bell = true;
  /// The group has a passphrase: the banner says so.
  bool passphrase = false;
  /// At a terminal: the most lines a burst of history shows (a screenful),
  /// the rest behind "/history"; 0: every line.
  size_t history_screen = 0;
  /// JSON Lines (`--format json`): every event is one JSON object
  /// (protocol/events/json_lines.hpp), and each line of input is one
  /// command object (protocol/chat/json_input.hpp). No colours, no time
  /// prefix, no echo: a program reads it.
  bool json = false;
  /// Where finished lines go, one call per line (without newline): the
  /// line editor, which prints them above the line being typed, or the
  /// stdout writer. It must not block: the console runs on the thread of
  /// every socket and timer.
  std::function<void(const std::string&)> display;
  /// Called with the names of the members whenever they change (Tab
  /// completes them at the prompt); may be empty.
  std::function<void(std::vector<std::string>)> completions;
  /// Called with 1 for each typed line that does not go to membership as
  /// chat (commands, blank lines): see `stdin_reader::release`. Membership
  /// releases the others.
  std::function<void(size_t)> release;
  /// Members proved these keys under these names (they joined, came back,
  /// renamed; the list after our join): returns the names whose key is
  /// not the one they proved before, each said as a warning
  /// (main/key_files.hpp). May be empty: nothing is remembered.
  std::function<std::vector<std::string>(
    const std::vector<protocol::member_entry>&)>
    check_keys;
};

/// Spawns the console on the I/O thread, beside membership and the
/// connections: a line crosses no thread between the socket and `display`.
/// See messages.hpp for its interface.
console_actor spawn_console(caf::actor_system& sys, console_options opts);

} // namespace groupchat
