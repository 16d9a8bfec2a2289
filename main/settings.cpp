// SPDX-License-Identifier: MIT
#include "main/settings.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <string_view>
#include <vector>
#include <sstream>

#include <arpa/inet.h>

#include <caf/actor_system_config.hpp>
#include <caf/config_value.hpp>
#include <caf/deep_to_string.hpp>
#include <caf/pec.hpp>
#include <caf/settings.hpp>

#include "actors/connection.hpp"
#include "actors/membership.hpp"

namespace groupchat {

namespace {

constexpr std::array<const char*, 5> log_levels{"error", "warning", "info",
                                                "debug", "trace"};

std::optional<std::string> read_duration(const std::string& key,
                                         const caf::config_value& value,
                                         caf::timespan& out) {
  auto ptr = caf::get_if<caf::timespan>(&value);
  if (ptr == nullptr)
    return "groupchat." + key + " must be a duration such as 3s or 500ms, got "
           + caf::to_string(value);
  if (ptr->count() <= 0 || *ptr > std::chrono::hours(1))
    return "groupchat." + key + " must be above 0 and at most 1h";
  out = *ptr;
  return std::nullopt;
}

std::optional<std::string> read_count(const std::string& key,
                                      const caf::config_value& value,
                                      int64_t min, int64_t max, size_t& out) {
  auto ptr = caf::get_if<caf::config_value::integer>(&value);
  if (ptr == nullptr || *ptr < min || *ptr > max)
    return "groupchat." + key + " must be an integer from "
           + std::to_string(min) + " to " + std::to_string(max) + ", got "
           + caf::to_string(value);
  out = static_cast<size_t>(*ptr);
  return std::nullopt;
}

std::optional<std::string>
read_bool(const std::string& key, const caf::config_value& value, bool& out) {
  auto ptr = caf::get_if<bool>(&value);
  if (ptr == nullptr)
    return "groupchat." + key + " must be true or false, got "
           + caf::to_string(value);
  out = *ptr;
  return std::nullopt;
}

// A quoted string that `check` accepts (its complaint lacks the section);
// `form` says what to write when the value is no string at all.
std::optional<std::string>
read_string(const std::string& key, const caf::config_value& value,
            const char* form,
            std::optional<std::string> (*check)(const std::string&),
            std::string& out) {
  auto ptr = caf::get_if<std::string>(&value);
  if (ptr == nullptr)
    return "groupchat." + key + " must be " + form;
  if (auto err = check(*ptr))
    return "groupchat." + *err;
  out = *ptr;
  return std::nullopt;
}

/// CAF's own sections, which configure_caf reads from the same file.
constexpr std::array<std::string_view, 5> caf_sections{
  "scheduler", "work-stealing", "logger", "middleman", "stream"};

/// The lines of `text`, without their newlines.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{}
                                         : text.substr(end + 1);
  }
  return lines;
}

std::string_view trim(std::string_view str) {
  auto begin = str.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos)
    return {};
  auto end = str.find_last_not_of(" \t\r");
  return str.substr(begin, end - begin + 1);
}

/// The first line (from 1) of `text` that `match` accepts once trimmed; 0
/// if none.
template <class Match>
size_t find_line(std::string_view text, Match match) {
  auto lines = lines_of(text);
  for (size_t i = 0; i < lines.size(); ++i)
    if (match(trim(lines[i])))
      return i + 1;
  return 0;
}

std::optional<std::string>
read_key(const std::string& key, const caf::config_value& value, settings& out);

// A line CAF cannot parse is most often a known key with a value of the
// wrong form (`mention-bell=yes`, `join-timeout=5 s`): say what the key
// wants, as if the value had been a quoted string.
std::optional<std::string> describe_value(std::string_view line) {
  auto eq = line.find('=');
  if (eq == std::string_view::npos)
    return std::nullopt;
  std::string key{trim(line.substr(0, eq))};
  std::string value{trim(line.substr(eq + 1, line.find(';', eq) - eq - 1))};
  if (key == "secret") // Never echoed.
    return "groupchat.secret must be a quoted string";
  settings scratch;
  auto err = read_key(key, caf::config_value{value}, scratch);
  if (!err)
    return "groupchat." + key + " is a string: write it in quotes, " + key
           + "=\"" + value + "\"";
  if (err->rfind("unknown key", 0) == 0)
    return std::nullopt;
  return err;
}

// CAF's line numbers skip the blank lines outside sections: the bad line
// is the first that the file, cut after it, no longer parses with.
size_t bad_line(const std::vector<std::string_view>& lines) {
  std::string prefix;
  for (size_t i = 0; i < lines.size(); ++i) {
    prefix.append(lines[i]).push_back('\n');
    std::istringstream in{prefix};
    if (!caf::actor_system_config::parse_config(in))
      return i + 1;
  }
  return 0;
}

// Turns CAF's "parser_error(unexpected_character, ({...}))" into a sentence.
std::string describe_parse_error(const caf::error& err, std::string_view text) {
  if (err.category()
      != caf::make_error(caf::pec::unexpected_character).category())
    return caf::to_string(err);
  auto what = caf::to_string(static_cast<caf::pec>(err.code()));
  std::replace(what.begin(), what.end(), '_', ' ');
  auto lines = lines_of(text);
  auto line = bad_line(lines);
  if (line == 0)
    return "syntax error: " + what;
  if (auto err = describe_value(lines[line - 1]))
    return "line " + std::to_string(line) + ": " + *err;
  return "syntax error in line " + std::to_string(line) + " ("
         + std::string{trim(lines[line - 1])} + "): " + what
         + " (strings must be quoted)";
}

// A misspelled section, or keys before the first, would leave the chat on
// its defaults without a word.
std::optional<std::string> check_sections(const caf::settings& raw,
                                          std::string_view text) {
  auto where = " (groupchat's keys go in [groupchat])";
  for (auto& [name, value] : raw) {
    // Keys before the first section land at the top, beside the sections.
    if (caf::get_if<caf::settings>(&value) == nullptr) {
      auto line = find_line(text, [&, key = name](std::string_view l) {
        auto rest = trim(l.substr(std::min(key.size(), l.size())));
        return l.rfind(key, 0) == 0 && !rest.empty() && rest[0] == '=';
      });
      return "line " + std::to_string(line) + ": " + name
             + " is outside any section" + where;
    }
    if (name == "groupchat"
        || std::find(caf_sections.begin(), caf_sections.end(), name)
             != caf_sections.end())
      continue;
    auto line = find_line(text, [&](std::string_view l) {
      return l.size() > 2 && l.front() == '['
             && trim(l.substr(1, l.size() - 2)) == name;
    });
    return "line " + std::to_string(line) + ": unknown section [" + name + "]"
           + where;
  }
  return std::nullopt;
}

std::optional<std::string> read_key(const std::string& key,
                                    const caf::config_value& value,
                                    settings& out) {
  if (key == "connect-timeout")
    return read_duration(key, value, out.connect_timeout);
  if (key == "join-timeout")
    return read_duration(key, value, out.join_timeout);
  if (key == "leave-timeout")
    return read_duration(key, value, out.leave_timeout);
  if (key == "heartbeat-interval")
    return read_duration(key, value, out.heartbeat_interval);
  if (key == "peer-timeout")
    return read_duration(key, value, out.peer_timeout);
  if (key == "greeting-timeout")
    return read_duration(key, value, out.greeting_timeout);
  if (key == "max-frame-size")
    return read_count(key, value, 1024,
                      static_cast<int64_t>(protocol::max_max_frame_size),
                      out.max_frame_size);
  if (key == "max-connections")
    return read_count(key, value, 4, 100000, out.max_connections);
  if (key == "max-strangers")
    return read_count(key, value, 1, 100000, out.max_strangers);
  if (key == "max-strangers-per-host")
    return read_count(key, value, 1, 100000, out.max_strangers_per_host);
  if (key == "max-pending-output")
    return read_count(key, value, 64 * 1024, int64_t{1} << 32,
                      out.max_pending_output);
  if (key == "max-messages-per-second")
    return read_count(key, value, 10, 10000000, out.max_messages_per_second);
  if (key == "max-failed-handshakes")
    return read_count(key, value, 1, 100000, out.max_failed_handshakes);
  if (key == "failed-handshake-interval")
    return read_duration(key, value, out.failed_handshake_interval);
  if (key == "history-lines")
    return read_count(key, value, 0, 100000, out.history_lines);
  if (key == "rejoin-window")
    return read_duration(key, value, out.rejoin_window);
  if (key == "join-only")
    return read_bool(key, value, out.join_only);
  if (key == "mention-bell")
    return read_bool(key, value, out.mention_bell);
  if (key == "log-level")
    return read_string(key, value, "a quoted string such as \"debug\"",
                       check_log_level, out.log_level);
  if (key == "format")
    return read_string(key, value, "a quoted string: \"text\" or \"json\"",
                       check_format, out.format);
  if (key == "listen")
    return read_string(key, value, "a quoted address such as \"127.0.0.1\"",
                       check_listen, out.listen);
  if (key == "secret") {
    auto ptr = caf::get_if<std::string>(&value);
    if (ptr == nullptr || ptr->empty())
      return "groupchat.secret must be a non-empty quoted string";
    out.secret = *ptr;
    return std::nullopt;
  }
  return "unknown key groupchat." + key;
}

} // namespace

std::optional<std::string> read_settings(std::istream& in, settings& out) {
  // Parse without declared options: every value keeps the type it was
  // written with, so a mistyped value is seen instead of silently dropped.
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  drop_carriage_returns(text);
  std::istringstream copy{text};
  auto raw = caf::actor_system_config::parse_config(copy);
  if (!raw)
    return describe_parse_error(raw.error(), text);
  if (auto err = check_sections(*raw, text))
    return err;
  auto section = caf::get_if<caf::settings>(&*raw, "groupchat");
  if (!section)
    return std::nullopt;
  settings result = out;
  for (auto& kvp : *section)
    if (auto err = read_key(kvp.first, kvp.second, result))
      return err;
  // One late heartbeat must not count as a failure.
  if (result.peer_timeout < 2 * result.heartbeat_interval)
    return "groupchat.peer-timeout (" + caf::deep_to_string(result.peer_timeout)
           + ") must be at least two heartbeat intervals ("
           + caf::deep_to_string(2 * result.heartbeat_interval) + ")";
  // A peer must be able to queue at least one largest frame.
  if (result.max_pending_output < result.max_frame_size)
    return "groupchat.max-pending-output must be at least max-frame-size";
  out = std::move(result);
  return std::nullopt;
}

std::string specific_address(const std::string& listen) {
  return listen == "0.0.0.0" || listen == "::" ? std::string{} : listen;
}

void drop_carriage_returns(std::string& text) {
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
}

std::optional<std::string> check_listen(const std::string& address) {
  in6_addr buf{};
  if (::inet_pton(AF_INET, address.c_str(), &buf) == 1
      || ::inet_pton(AF_INET6, address.c_str(), &buf) == 1)
    return std::nullopt;
  return "listen must be an IPv4 or IPv6 address of this host, such as "
         "127.0.0.1 or ::1; got \""
         + address + "\"";
}

std::optional<std::string> check_format(const std::string& format) {
  if (format == "text" || format == "json")
    return std::nullopt;
  return "format must be \"text\" or \"json\"; got \"" + format + "\"";
}

std::optional<std::string> check_log_level(const std::string& level) {
  for (auto name : log_levels)
    if (level == name)
      return std::nullopt;
  return "log-level must be one of error, warning, info, debug, trace; got \""
         + level + "\"";
}

connection_options make_connection_options(const settings& s) {
  connection_options result;
  result.max_frame_size = s.max_frame_size;
  result.max_pending_output = s.max_pending_output;
  result.max_messages_per_second = s.max_messages_per_second;
  // A stranger has the greeting timeout for the handshake too (membership
  // closes it then); this is the connection's own bound on it.
  result.handshake_timeout = s.greeting_timeout;
  result.drain_timeout = s.leave_timeout;
  // A member sends at least a heartbeat until it read our leave.
  result.linger_timeout = s.peer_timeout;
  result.link_timeout = s.peer_timeout;
  return result;
}

membership_options
make_membership_options(const settings& s, std::string name,
                        std::shared_ptr<const protocol::identity> self) {
  membership_options result;
  result.join.name = std::move(name);
  result.join.self = std::move(self);
  result.join.join_timeout = s.join_timeout;
  result.join.max_strangers = s.max_strangers;
  result.join.max_strangers_per_host = s.max_strangers_per_host;
  result.join.max_members = s.max_connections;
  result.join.max_failed_handshakes = s.max_failed_handshakes;
  result.join.failed_handshake_interval = s.failed_handshake_interval;
  result.join.rejoin_window = s.rejoin_window;
  result.join.join_only = s.join_only;
  result.join.gossip_interval = s.heartbeat_interval;
  result.history_lines = s.history_lines;
  // A replay of the whole history fits into the output queue at once.
  result.history_bytes = s.max_pending_output / 4;
  result.max_frame_size = s.max_frame_size;
  result.heartbeat_interval = s.heartbeat_interval;
  result.peer_timeout = s.peer_timeout;
  result.greeting_timeout = s.greeting_timeout;
  return result;
}

void set_caf_defaults(caf::actor_system_config& cfg) {
  // The sharing policy sleeps on a condition variable when idle; the default
  // work-stealing policy polls and collapses with many peers on few cores.
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("scheduler.max-threads", size_t{2});
  // One read per readiness event: a read takes up to 64 KiB, all a socket
  // has at ordinary rates, and a second read would only find it empty (a
  // system call wasted per message received). CAF's epoll is
  // level-triggered: what is left is reported again at once.
  cfg.set("middleman.max-consecutive-reads", size_t{1});
}

} // namespace groupchat
