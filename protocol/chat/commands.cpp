// SPDX-License-Identifier: MIT
#include "protocol/chat/commands.hpp"

#include <algorithm>

#include "protocol/wire/text.hpp"

namespace groupchat::protocol {

namespace {

using kind = typed_line::kind;

std::string trim(const std::string& str) {
  auto first = str.find_first_not_of(" \t");
  if (first == std::string::npos)
    return {};
  auto last = str.find_last_not_of(" \t");
  return str.substr(first, last - first + 1);
}

bool blank(const std::string& str) {
  return str.find_first_not_of(" \t\v\f") == std::string::npos;
}

// "/msg bob smith hi" without quotes: the longest member name the words
// start with, else the first word.
void resolve_target(const std::string& words,
                    const std::vector<std::string>& members, std::string& name,
                    std::string& text) {
  auto gap = words.find(' ');
  name = words.substr(0, gap);
  text = gap == std::string::npos ? std::string{} : words.substr(gap + 1);
  const std::string* best = nullptr;
  for (auto& member : members)
    if (words.size() > member.size() + 1
        && words.compare(0, member.size(), member) == 0
        && words[member.size()] == ' '
        && (best == nullptr || member.size() > best->size()))
      best = &member;
  if (best != nullptr) {
    text = words.substr(best->size() + 1);
    name = *best;
  }
  text.erase(0, text.find_first_not_of(' '));
}

// Splits "/msg NAME TEXT": a name with spaces is written in double quotes
// (a quote inside it as \").
bool split_target(const std::string& rest,
                  const std::vector<std::string>& members, std::string& name,
                  std::string& text) {
  if (!rest.empty() && rest.front() == '"') {
    name.clear();
    size_t i = 1;
    for (; i < rest.size() && rest[i] != '"'; ++i) {
      if (rest[i] == '\\' && i + 1 < rest.size())
        ++i;
      name += rest[i];
    }
    if (i >= rest.size())
      return false;
    text = trim(rest.substr(i + 1));
    return !name.empty() && !text.empty();
  }
  auto gap = rest.find(' ');
  if (gap == std::string::npos || trim(rest.substr(gap + 1)).empty())
    return false;
  resolve_target(rest, members, name, text);
  return true;
}

typed_line parse_command(const std::string& line,
                         const std::vector<std::string>& members) {
  auto space = line.find(' ');
  auto word = ascii_lower(line.substr(0, space));
  auto rest = space == std::string::npos ? std::string{}
                                         : trim(line.substr(space + 1));
  if (word == "/help")
    return {kind::help, {}, {}};
  if (word == "/who")
    return {kind::who, {}, {}};
  if (word == "/history")
    return rest.find_first_not_of("0123456789") == std::string::npos
               && rest.size() < 7
             ? typed_line{kind::history, {}, rest}
             : typed_line{kind::mistake, {}, "Usage: /history [NUMBER]"};
  if (word == "/nick")
    return rest.empty() ? typed_line{kind::mistake, {}, "Usage: /nick NEWNAME"}
                        : typed_line{kind::nick, rest, {}};
  if (word == "/me")
    return rest.empty() ? typed_line{kind::mistake, {}, "Usage: /me ACTION"}
                        : typed_line{kind::action, {}, rest};
  if (word == "/msg") {
    typed_line result{kind::whisper, {}, {}};
    if (split_target(rest, members, result.name, result.text))
      return result;
    return {kind::mistake,
            {},
            "Usage: /msg NAME TEXT (a name with spaces in double quotes)"};
  }
  return {kind::mistake,
          {},
          "Unknown command " + word
            + " (type /help; start a line with // to send a slash)"};
}

std::string format_duration(int64_t secs) {
  if (secs < 60)
    return std::to_string(secs) + "s";
  if (secs < 3600)
    return std::to_string(secs / 60) + "m" + std::to_string(secs % 60) + "s";
  return std::to_string(secs / 3600) + "h" + std::to_string(secs % 3600 / 60)
         + "m";
}

} // namespace

typed_line parse_line(std::string line,
                      const std::vector<std::string>& members) {
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  if (blank(line))
    return {}; // Blank lines are not sent.
  if (is_exit_command(line)) {
    // "/quit see you": the words go out as a last line, then we leave.
    auto words = trim(line);
    auto space = words.find_first_of(" \t");
    auto last = space == std::string::npos ? std::string{}
                                           : trim(words.substr(space + 1));
    return {kind::leave, {}, blank(last) ? std::string{} : last};
  }
  if (line.rfind("//", 0) == 0) // "//text" sends "/text".
    return {kind::say, {}, line.substr(1)};
  if (line.front() == '/')
    return parse_command(line, members);
  return {kind::say, {}, std::move(line)};
}

bool is_exit_command(const std::string& line) {
  // Surrounding blanks are forgiven: " exit " is still a wish to leave, and
  // so is "/QUIT", or "/quit see you" (the words are said first).
  auto words = trim(line);
  auto word = ascii_lower(words.substr(0, words.find_first_of(" \t")));
  return words == "exit" || word == "/quit";
}

const char* help_text() {
  return "Type a line and press Enter to send it to everyone.\n"
         "/msg NAME TEXT   send TEXT to NAME only (\"NAME WITH SPACES\")\n"
         "/me ACTION       say what you do, shown as \"* you ACTION\"\n"
         "/who             who is here, where, and for how long\n"
         "/nick NAME       go by NAME from now on\n"
         "/history [N]     the last N lines said before you came (all kept)\n"
         "/quit [TEXT]     leave the group, saying TEXT last (also exit,\n"
         "                 Ctrl+C, Ctrl+D)\n"
         "//TEXT           send a line that starts with a slash\n"
         "/help            this text";
}

std::vector<member_summary> summarize(const std::vector<peer*>& members,
                                      time_point now, uint64_t wall) {
  std::vector<member_summary> result;
  auto wall_now = static_cast<int64_t>(wall);
  for (auto p : members) {
    auto since = static_cast<int64_t>(p->since);
    auto secs
      = p->since > 0 && since <= wall_now
          ? (wall_now - since) / 1000000
          : std::chrono::duration_cast<std::chrono::seconds>(now - p->joined_at)
              .count();
    result.push_back({p->name, p->id, to_string(p->address), secs, {}});
  }
  return result;
}

std::vector<std::string> format_who(const std::string& own_name, uint16_t port,
                                    const std::vector<member_summary>& others) {
  std::vector<std::string> lines;
  for (auto& m : others)
    lines.push_back(m.name + (m.address.empty() ? "" : " at " + m.address)
                    + (m.via.empty() ? "" : " via " + m.via) + ", here for "
                    + format_duration(m.seconds));
  std::sort(lines.begin(), lines.end());
  lines.insert(lines.begin(),
               own_name + " (you) listening on port " + std::to_string(port));
  return lines;
}

} // namespace groupchat::protocol
