// SPDX-License-Identifier: MIT
#include "actors/console.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <map>
#include <ctime>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/messages.hpp"
#include "actors/send_at_once.hpp"
#include "actors/tidy_broker.hpp"
#include "protocol/chat/commands.hpp"
#include "protocol/chat/earlier_lines.hpp"
#include "protocol/chat/json_input.hpp"
#include "protocol/events/json_lines.hpp"
#include "protocol/wire/text.hpp"

namespace groupchat {

namespace {

constexpr const char* dim = "\033[2m";
constexpr const char* bold = "\033[1m";
constexpr const char* reset = "\033[0m";

// Name colours far apart in hue and told apart by most colour-blind eyes
// (after Okabe and Ito's palette, in the 256-colour set).
constexpr const char* palette[] = {
  "\033[38;5;208m", // orange
  "\033[38;5;39m", // sky blue
  "\033[38;5;35m", // bluish green
  "\033[38;5;220m", // yellow
  "\033[38;5;27m", // blue
  "\033[38;5;160m", // vermilion
  "\033[38;5;170m", // reddish purple
  "\033[38;5;250m", // light grey
};

// Where a name's colour starts: the same name starts at the same colour
// everywhere.
size_t color_hash(const std::string& name) {
  uint32_t hash = 2166136261u; // FNV-1a
  for (unsigned char c : name)
    hash = (hash ^ c) * 16777619u;
  return hash % std::size(palette);
}

using protocol::ascii_lower;

struct console_state {
  static inline constexpr const char* name = "console";

  caf::stateful_actor<console_state, tidy<console_actor::broker_base>>* self
    = nullptr;
  console_options opts;
  /// Where typed lines go; set by `attach`.
  membership_actor membership;
  /// The members' names, for "/msg NAME" without quotes.
  std::vector<std::string> members;
  /// Set once the user asked to leave: later input is ignored.
  bool leaving = false;
  /// Where we listen (for `ready` in JSON mode).
  std::vector<std::string> addresses;
  /// Lines of input so far: an error about one says which (JSON mode).
  uint64_t lines_read = 0;
  /// History at a terminal, a screenful a burst; kept for "/history".
  protocol::earlier_lines earlier{0};
  /// The colour each name got (an index into the palette): a name whose
  /// colour another one has already gets the next free one, so up to 8
  /// names on one screen never share a colour.
  std::map<std::string, size_t> colors;

  const char* color_of(const std::string& who) {
    auto i = colors.find(who);
    if (i != colors.end())
      return palette[i->second];
    auto start = color_hash(who);
    size_t pick = start;
    if (colors.size() < std::size(palette)) {
      std::vector<bool> taken(std::size(palette), false);
      for (auto& kvp : colors)
        taken[kvp.second] = true;
      while (taken[pick])
        pick = (pick + 1) % std::size(palette);
    }
    colors.emplace(who, pick);
    return palette[pick];
  }

  // Whether `text` names us as a word (any case).
  bool mentions_me(const std::string& text) const {
    if (opts.name.empty())
      return false;
    auto hay = ascii_lower(text);
    auto needle = ascii_lower(opts.name);
    auto word_char = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_'
             || static_cast<unsigned char>(c) >= 0x80;
    };
    for (auto at = hay.find(needle); at != std::string::npos;
         at = hay.find(needle, at + 1)) {
      auto end = at + needle.size();
      if ((at == 0 || !word_char(hay[at - 1]))
          && (end == hay.size() || !word_char(hay[end])))
        return true;
    }
    return false;
  }

  // A line from `from` that mentions us stands out, and rings once.
  std::string mark_mention(const std::string& from, const std::string& text,
                           std::string body) {
    if (!opts.terminal || from == opts.name || !mentions_me(text))
      return body;
    if (opts.color) {
      // Bold to the end, also after the resets that end each colour.
      std::string out = bold;
      for (size_t at = 0;;) {
        auto next = body.find(reset, at);
        out.append(body, at, next == std::string::npos ? next : next - at);
        if (next == std::string::npos)
          break;
        out += std::string{reset} + bold;
        at = next + std::strlen(reset);
      }
      body = out + reset;
    }
    if (opts.mention_bell)
      body += '\a';
    return body;
  }

  // -- output -----------------------------------------------------------------

  // Text from peers as one harmless line, in every mode: on a terminal
  // nothing moves the cursor or reorders the screen, and in a pipe a line
  // of output is always exactly one message.
  static std::string sanitize(const std::string& text) {
    return protocol::make_visible(text);
  }

  std::string paint(const std::string& text, const char* style) const {
    if (!opts.color || style == nullptr)
      return text;
    return style + text + reset;
  }

  void emit(const std::string& body) {
    emit_at(std::time(nullptr), body);
  }

  // At a terminal, lines carry the time they were said.
  void emit_at(std::time_t when, const std::string& body,
               const char* mark = nullptr) {
    opts.display(stamped(when, body, mark));
  }

  std::string stamped(std::time_t when, const std::string& body,
                      const char* mark = nullptr) {
    std::string line;
    if (opts.terminal) {
      char buf[16];
      std::tm local{};
      localtime_r(&when, &local);
      std::strftime(buf, sizeof(buf), "[%H:%M:%S] ", &local);
      line += paint(buf, dim);
      if (mark != nullptr)
        line += paint(mark, dim);
    }
    line += body;
    return line;
  }

  void notice(const std::string& text) {
    emit(paint(sanitize(text), dim));
  }

  // "NAME: TEXT", or "* NAME TEXT" for an action: every chat line.
  std::string line_of(const std::string& from, const std::string& text,
                      bool is_action) {
    auto name = paint(sanitize(from), color_of(from));
    return is_action ? "* " + name + " " + sanitize(text)
                     : name + ": " + sanitize(text);
  }

  void chat(const std::string& from, const std::string& text) {
    emit(mark_mention(from, text, line_of(from, text, false)));
  }

  void action(const std::string& from, const std::string& text) {
    emit(mark_mention(from, text, line_of(from, text, true)));
  }

  // Private lines stand out (they are for us alone), and ring like a
  // mention.
  void whisper(const std::string& from, const std::string& text) {
    auto body = paint(sanitize(from), color_of(from))
                + paint(" (private)", bold) + ": "
                + paint(sanitize(text), bold);
    if (opts.terminal && opts.mention_bell)
      body += '\a';
    emit(body);
  }

  // How things stand, at a terminal only (pipes keep their exact lines):
  // a join under way, being alone.
  void status(const std::string& text) {
    if (opts.terminal)
      emit(paint(sanitize(text), dim));
  }

  // A line said earlier, that we missed: in a pipe exactly like a live
  // one; at a terminal with the time it was said, marked as history.
  // A burst of them is cut to a screenful (earlier_lines.hpp): held until
  // the flush we send ourselves, which comes after the burst.
  void history(const std::string& from, const std::string& text, bool is_action,
               uint64_t time_us) {
    auto line = stamped(static_cast<std::time_t>(time_us / 1000000),
                        line_of(from, text, is_action), "(earlier) ");
    if (!opts.terminal)
      return opts.display(line);
    if (!earlier.holding())
      self->send(self, atom::flush_v);
    earlier.add(std::move(line));
  }

  void end_of_earlier_lines() {
    for (auto& line : earlier.flush())
      opts.display(line.rfind("-- ", 0) == 0 ? paint(line, dim) : line);
  }

  // "/history [N]".
  void show_earlier(const std::string& count) {
    auto lines = earlier.last(count.empty() ? 0 : std::stoul(count));
    if (lines.empty())
      notice("No lines said before you came");
    for (auto& line : lines)
      opts.display(line);
  }

  // -- events -----------------------------------------------------------------

  // A name that proves another key than before is said beside the event
  // that shows it.
  void show(protocol::event& ev) {
    show_one(ev);
    if (!opts.check_keys)
      return;
    if (auto proved = protocol::proved_names(ev); !proved.empty())
      for (auto& name : opts.check_keys(proved)) {
        auto warning = protocol::key_changed(name);
        show_one(warning);
      }
  }

  void show_one(protocol::event& ev) {
    using kind = protocol::event::kind;
    if (opts.json)
      return show_json(ev);
    if (ev.what != kind::chat)
      return notice(protocol::to_text(ev));
    if (ev.history)
      return history(ev.name, ev.text, ev.action, ev.time);
    if (ev.whisper && !ev.to.empty()) // Ours, sent.
      return notice(protocol::to_text(ev));
    if (ev.whisper)
      return whisper(ev.name, ev.text);
    if (ev.action)
      return action(ev.name, ev.text);
    chat(ev.name, ev.text);
  }

  // Exactly what happened, for a program: nothing replaced or left out.
  void show_json(protocol::event& ev) {
    if (ev.what == protocol::event::kind::ready)
      ev.addresses = addresses;
    opts.display(protocol::to_json_line(ev));
  }

  void listening(std::vector<std::string> where) {
    addresses = std::move(where);
    if (opts.json)
      return;
    std::string line = "Listening on ";
    for (size_t i = 0; i < addresses.size(); ++i)
      line += (i == 0 ? "" : ", ") + addresses[i];
    notice(opts.passphrase ? line + " (passphrase-protected)" : line);
  }

  // -- input ------------------------------------------------------------------

  void on_line(std::string& line) {
    ++lines_read;
    if (!forward_line(line) && opts.release)
      opts.release(1);
  }

  // "/msg alice" typed by alice: /who lists her, but not as a member to
  // whisper to.
  bool not_to_ourselves(const std::string& name) {
    auto ev = protocol::event::failure(
      "no_such_member", "That is you: /msg sends a line to another member");
    ev.to = name;
    show(ev);
    return false;
  }

  // What `line` asks for: a typed line, or a JSON command in JSON mode.
  protocol::typed_line understand(std::string& line) {
    if (!opts.json)
      return protocol::parse_line(std::move(line), members);
    auto typed = protocol::parse_json_line(line);
    if (typed.what == protocol::typed_line::kind::mistake) {
      auto ev = protocol::event::failure("bad_input", typed.text);
      ev.input_line = lines_read;
      show(ev);
      typed.what = protocol::typed_line::kind::none;
    }
    return typed;
  }

  // Returns whether `line` went to membership as chat (which releases it
  // once it left).
  bool forward_line(std::string& line) {
    if (leaving || !membership)
      return false;
    using kind = protocol::typed_line::kind;
    auto typed = understand(line);
    switch (typed.what) {
      case kind::none:
        return false;
      case kind::say:
        send_chat(std::move(typed.text));
        return true;
      case kind::action:
        echo(typed.text, true);
        send_at_once(self, membership, atom::action_v, std::move(typed.text));
        return true;
      case kind::whisper:
        if (protocol::name_key(typed.name) == protocol::name_key(opts.name))
          return not_to_ourselves(typed.name);
        send_at_once(self, membership, atom::whisper_v, std::move(typed.name),
                     std::move(typed.text));
        return true;
      case kind::leave: {
        bool said = !typed.text.empty();
        if (said)
          send_chat(std::move(typed.text));
        leave();
        return said;
      }
      default:
        command(typed);
        return false;
    }
  }

  // The commands that send no line.
  void command(const protocol::typed_line& typed) {
    using kind = protocol::typed_line::kind;
    if (typed.what == kind::help) {
      for (auto text = std::string{protocol::help_text()}; !text.empty();) {
        auto nl = text.find('\n');
        notice(text.substr(0, nl));
        text.erase(0, nl == std::string::npos ? text.size() : nl + 1);
      }
    } else if (typed.what == kind::history) {
      show_earlier(typed.text);
    } else if (typed.what == kind::nick) {
      self->send(membership, atom::nick_v, typed.name);
    } else if (typed.what == kind::who) {
      self->request(membership, caf::infinite, atom::who_v)
        .then([this](const std::string& own, uint16_t port,
                     const std::vector<protocol::member_summary>& others) {
          who(own, port, others);
        });
    } else {
      notice(typed.text);
    }
  }

  // "/who": lines for people, a `members` event for programs.
  void who(const std::string& own, uint16_t port,
           const std::vector<protocol::member_summary>& others) {
    if (!opts.json) {
      for (auto& l : protocol::format_who(own, port, others))
        notice(l);
      return;
    }
    std::vector<protocol::member_entry> entries;
    for (auto& m : others)
      entries.push_back({m.name, m.id, m.address, m.via});
    auto ev = protocol::event::member_list(std::move(entries));
    show(ev);
  }

  // Our own line, as the others see it.
  void echo(const std::string& text, bool is_action) {
    if (!opts.echo_name.empty())
      emit(line_of(opts.echo_name, text, is_action));
  }

  void send_chat(std::string text) {
    echo(text, false);
    send_at_once(self, membership, atom::chat_v, std::move(text));
  }

  void leave() {
    if (leaving || !membership)
      return;
    leaving = true;
    self->send(membership, atom::leave_v);
  }
};

using console_impl
  = caf::stateful_actor<console_state, tidy<console_actor::broker_base>>;

console_actor::behavior_type console(console_impl* self, console_options opts) {
  self->state.self = self;
  self->state.opts = std::move(opts);
  self->state.earlier
    = protocol::earlier_lines{self->state.opts.history_screen};
  return {
    [self](atom::flush) { self->state.end_of_earlier_lines(); },
    [self](atom::attach, membership_actor membership) {
      self->state.membership = std::move(membership);
    },
    [self](atom::line, std::string& line) { self->state.on_line(line); },
    [self](atom::eof) { self->state.leave(); },
    [self](atom::listen, std::vector<std::string>& where) {
      self->state.listening(std::move(where));
    },
    [self](atom::show, protocol::event& ev) { self->state.show(ev); },
    [self](atom::nick, const std::string& name) {
      auto& opts = self->state.opts;
      if (!opts.echo_name.empty())
        opts.echo_name = name;
      opts.name = name;
    },
    [self](atom::status, const std::string& text) { self->state.status(text); },
    [self](atom::who, std::vector<std::string>& names) {
      // Colours go to who is here (and us): new names find free ones.
      auto& colors = self->state.colors;
      for (auto i = colors.begin(); i != colors.end();)
        i = i->first == self->state.opts.name
                || std::find(names.begin(), names.end(), i->first)
                     != names.end()
              ? std::next(i)
              : colors.erase(i);
      self->state.members = names;
      if (self->state.opts.completions)
        self->state.opts.completions(std::move(names));
    },
  };
}

} // namespace

console_actor spawn_console(caf::actor_system& sys, console_options opts) {
  return sys.middleman().spawn_broker(console, std::move(opts));
}

} // namespace groupchat
