#include "actors/console.hpp"

#include <cstring>
#include <ctime>
#include <string>

#include <caf/all.hpp>

#include "actors/messages.hpp"

namespace groupchat {

namespace {

struct console_state {
  static inline constexpr const char* name = "console";

  console_options opts;
  /// Where typed lines go; set by `attach`.
  caf::actor membership;
  /// Set once the user asked to leave: later input is ignored.
  bool leaving = false;

  void print(std::string text, const char* style) {
    std::string line;
    if (opts.terminal) {
      for (auto& c : text)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F)
          c = '?';
      char buf[16];
      auto now = std::time(nullptr);
      std::tm local{};
      localtime_r(&now, &local);
      std::strftime(buf, sizeof(buf), "[%H:%M:%S] ", &local);
      line += buf;
    }
    if (opts.color && style != nullptr) {
      line += style;
      line += text;
      line += "\033[0m";
    } else {
      line += text;
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), opts.out);
    // Line by line, also into a pipe: scripts and tests read output live.
    std::fflush(opts.out);
  }

  void on_line(std::string& line) {
    if (leaving || !membership)
      return;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (is_exit_command(line.c_str())) {
      leave();
      return;
    }
    if (line.find_first_not_of(" \t\v\f") == std::string::npos)
      return; // Blank lines are not sent.
    caf::anon_send(membership, atom::chat_v, std::move(line));
  }

  void leave() {
    if (leaving || !membership)
      return;
    leaving = true;
    caf::anon_send(membership, atom::leave_v);
  }
};

using console_actor = caf::stateful_actor<console_state>;

caf::behavior console(console_actor* self, console_options opts) {
  self->state.opts = opts;
  return {
    [self](atom::attach, caf::actor membership) {
      self->state.membership = std::move(membership);
    },
    [self](atom::line, std::string& line) { self->state.on_line(line); },
    [self](atom::eof) { self->state.leave(); },
    [self](atom::notice, std::string& text) {
      self->state.print(std::move(text), "\033[2m");
    },
    [self](atom::chat, const std::string& name, const std::string& text) {
      self->state.print(name + ": " + text, nullptr);
    },
  };
}

} // namespace

caf::actor spawn_console(caf::actor_system& sys, console_options opts) {
  return sys.spawn<caf::detached>(console, opts);
}

bool is_exit_command(const char* line) {
  // Surrounding blanks are forgiven: " exit " is still a wish to leave.
  std::string str{line};
  auto first = str.find_first_not_of(" \t");
  if (first == std::string::npos)
    return false;
  auto last = str.find_last_not_of(" \t");
  auto word = str.substr(first, last - first + 1);
  return word == "exit" || word == "/quit";
}

} // namespace groupchat
