// SPDX-License-Identifier: MIT
#include "main/settings.hpp"

#include <algorithm>
#include <array>

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

std::optional<std::string> read_log_level(const caf::config_value& value,
                                          std::string& out) {
  auto ptr = caf::get_if<std::string>(&value);
  if (ptr == nullptr)
    return "groupchat.log-level must be a quoted string such as \"debug\"";
  if (auto err = check_log_level(*ptr))
    return "groupchat." + *err;
  out = *ptr;
  return std::nullopt;
}

std::optional<std::string> read_format(const caf::config_value& value,
                                       std::string& out) {
  auto ptr = caf::get_if<std::string>(&value);
  if (ptr == nullptr)
    return "groupchat.format must be a quoted string: \"text\" or \"json\"";
  if (auto err = check_format(*ptr))
    return "groupchat." + *err;
  out = *ptr;
  return std::nullopt;
}

// Turns CAF's "parser_error(unexpected_character, ({...}))" into a sentence.
std::string describe_parse_error(const caf::error& err) {
  if (err.category()
      != caf::make_error(caf::pec::unexpected_character).category())
    return caf::to_string(err);
  auto what = caf::to_string(static_cast<caf::pec>(err.code()));
  std::replace(what.begin(), what.end(), '_', ' ');
  auto& ctx = err.context();
  if (ctx.match_elements<caf::settings>()) {
    auto& pos = ctx.get_as<caf::settings>(0);
    auto line = caf::get_or(pos, "line", caf::config_value::integer{0});
    auto column = caf::get_or(pos, "column", caf::config_value::integer{0});
    return "syntax error in line " + std::to_string(line) + ", column "
           + std::to_string(column) + ": " + what + " (strings must be quoted)";
  }
  return "syntax error: " + what;
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
    return read_log_level(value, out.log_level);
  if (key == "format")
    return read_format(value, out.format);
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
  auto raw = caf::actor_system_config::parse_config(in);
  if (!raw)
    return describe_parse_error(raw.error());
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

} // namespace groupchat
