// SPDX-License-Identifier: MIT
#define CAF_SUITE main.settings

#include "main/settings.hpp"

#include "actors/connection.hpp"
#include "actors/membership.hpp"

#include <sstream>

#include <caf/actor_system_config.hpp>
#include <caf/settings.hpp>
#include <caf/test/unit_test.hpp>

using namespace groupchat;
using namespace std::chrono_literals;

namespace {

// Reads `text` as a config file; returns the error, or "" on success.
std::string read(const std::string& text, settings& out) {
  std::istringstream in{text};
  auto err = read_settings(in, out);
  return err ? *err : std::string{};
}

} // namespace

CAF_TEST(defaults hold without a groupchat section) {
  settings s;
  CAF_CHECK_EQUAL(read("", s), "");
  CAF_CHECK_EQUAL(s.log_level, "warning");
  CAF_CHECK(s.connect_timeout == 3s);
  CAF_CHECK(s.leave_timeout == 500ms);
}

CAF_TEST(every key is read) {
  settings s;
  auto err = read("[groupchat]\nconnect-timeout=1s\njoin-timeout=2s\n"
                  "leave-timeout=250ms\nmax-frame-size=4096\n"
                  "log-level=\"debug\"\n",
                  s);
  CAF_CHECK_EQUAL(err, "");
  CAF_CHECK(s.connect_timeout == 1s);
  CAF_CHECK(s.join_timeout == 2s);
  CAF_CHECK(s.leave_timeout == 250ms);
  CAF_CHECK_EQUAL(s.max_frame_size, 4096u);
  CAF_CHECK_EQUAL(s.log_level, "debug");
}

CAF_TEST(values of the wrong type are errors not silently ignored) {
  settings s;
  CAF_CHECK_NOT_EQUAL(read("[groupchat]\nconnect-timeout=3\n", s), "");
  CAF_CHECK_NOT_EQUAL(read("[groupchat]\nmax-frame-size=1s\n", s), "");
  CAF_CHECK_NOT_EQUAL(read("[groupchat]\nlog-level=5\n", s), "");
  CAF_CHECK(s.connect_timeout == 3s);
}

CAF_TEST(values out of range and unknown keys are errors) {
  settings s;
  CAF_CHECK_NOT_EQUAL(read("[groupchat]\nconnect-timeout=0s\n", s), "");
  CAF_CHECK_NOT_EQUAL(read("[groupchat]\njoin-timeout=2h\n", s), "");
  CAF_CHECK_NOT_EQUAL(read("[groupchat]\nmax-frame-size=10\n", s), "");
  CAF_CHECK_NOT_EQUAL(read("[groupchat]\nmax-frame-size=999999999999\n", s),
                      "");
  CAF_CHECK_NOT_EQUAL(read("[groupchat]\nlog-level=\"loud\"\n", s), "");
  auto err = read("[groupchat]\nconect-timeout=1s\n", s);
  CAF_CHECK(err.find("conect-timeout") != std::string::npos);
}

CAF_TEST(the peer timeout must cover two heartbeats) {
  settings s;
  CAF_CHECK_EQUAL(
    read("[groupchat]\nheartbeat-interval=1s\npeer-timeout=2s\n", s), "");
  auto err = read("[groupchat]\nheartbeat-interval=1s\npeer-timeout=1500ms\n",
                  s);
  CAF_CHECK(err.find("peer-timeout") != std::string::npos);
  CAF_CHECK_NOT_EQUAL(read("[groupchat]\nheartbeat-interval=3s\n", s), "");
}

CAF_TEST(syntax errors name the line) {
  settings s;
  auto err = read("[groupchat]\nlog-level=debug\n", s);
  CAF_CHECK_EQUAL(err, "line 2: groupchat.log-level is a string: write it in "
                       "quotes, log-level=\"debug\"");
  CAF_MESSAGE("blank lines before a section count too (CAF skips them)");
  err = read("\n\n[groupchat]\nbogus=(\n", s);
  CAF_CHECK_EQUAL(err.rfind("syntax error in line 4 (bogus=(): ", 0), 0u);
}

CAF_TEST(a value written wrong names the type its key wants) {
  settings s;
  CAF_CHECK_EQUAL(read("[groupchat]\nmention-bell=yes\n", s),
                  "line 2: groupchat.mention-bell must be true or false, got "
                  "\"yes\"");
  CAF_MESSAGE("the culprit is the line before a newline CAF stumbles on");
  auto err = read("\n[groupchat]\njoin-timeout=5 s\n", s);
  CAF_CHECK_EQUAL(err.rfind("line 3: groupchat.join-timeout must be a "
                            "duration such as 3s or 500ms",
                            0),
                  0u);
  CAF_MESSAGE("an unknown key stays a syntax error with its line");
  err = read("[groupchat]\nbogus=yes\n", s);
  CAF_CHECK(err.find("line 2") != std::string::npos);
}

CAF_TEST(a file written on Windows reads as any other) {
  settings s;
  CAF_CHECK_EQUAL(read("[groupchat]\r\nmention-bell=false\r\n", s), "");
  CAF_CHECK(!s.mention_bell);
}

CAF_TEST(an unquoted passphrase is not echoed in the error) {
  settings s;
  auto err = read("[groupchat]\nsecret=hunter2 two\n", s);
  CAF_CHECK_EQUAL(err, "line 2: groupchat.secret must be a quoted string");
}

CAF_TEST(an unknown section or a key outside any section is an error) {
  settings s;
  CAF_CHECK_EQUAL(read("[groupchatt]\nmention-bell=true\n", s),
                  "line 1: unknown section [groupchatt] (groupchat's keys go "
                  "in [groupchat])");
  CAF_CHECK_EQUAL(read("\nmention-bell=true\n[groupchat]\n", s),
                  "line 2: mention-bell is outside any section (groupchat's "
                  "keys go in [groupchat])");
  CAF_MESSAGE("CAF's own sections are fine");
  CAF_CHECK_EQUAL(read("[scheduler]\nmax-threads=4\n[groupchat]\n", s), "");
}

CAF_TEST(a failed read leaves the settings untouched) {
  settings s;
  CAF_CHECK_NOT_EQUAL(read("[groupchat]\njoin-timeout=9s\nbogus=1\n", s), "");
  CAF_CHECK(s.join_timeout == 5s);
}

CAF_TEST(the option structs take every setting from its own key) {
  settings s;
  CAF_REQUIRE_EQUAL(read("[groupchat]\njoin-timeout=7s\nleave-timeout=300ms\n"
                         "heartbeat-interval=2s\npeer-timeout=9s\n"
                         "greeting-timeout=3s\nmax-frame-size=4096\n"
                         "max-connections=99\nmax-strangers=11\n"
                         "max-strangers-per-host=5\n"
                         "max-pending-output=1048576\n"
                         "max-messages-per-second=77\n"
                         "max-failed-handshakes=3\n"
                         "failed-handshake-interval=1min\n"
                         "history-lines=7\nrejoin-window=2min\n"
                         "join-only=true\n",
                         s),
                    "");
  auto self = std::make_shared<const protocol::identity>();
  auto m = make_membership_options(s, "alice", self);
  CAF_CHECK_EQUAL(m.join.name, "alice");
  CAF_CHECK_EQUAL(m.join.self, self);
  CAF_CHECK(m.join.join_timeout == 7s);
  CAF_CHECK(m.heartbeat_interval == 2s);
  CAF_CHECK(m.peer_timeout == 9s);
  CAF_CHECK(m.greeting_timeout == 3s);
  CAF_CHECK_EQUAL(m.max_frame_size, 4096u);
  CAF_CHECK_EQUAL(m.join.max_members, 99u);
  CAF_CHECK_EQUAL(m.join.max_strangers, 11u);
  CAF_CHECK_EQUAL(m.join.max_strangers_per_host, 5u);
  CAF_CHECK_EQUAL(m.join.max_failed_handshakes, 3u);
  CAF_CHECK(m.join.failed_handshake_interval == 1min);
  CAF_CHECK_EQUAL(m.history_lines, 7u);
  CAF_CHECK_EQUAL(m.history_bytes, 1048576u / 4);
  CAF_CHECK(m.join.rejoin_window == 2min);
  CAF_CHECK(m.join.join_only);
  auto c = make_connection_options(s);
  CAF_CHECK_EQUAL(c.max_frame_size, 4096u);
  CAF_CHECK_EQUAL(c.max_pending_output, 1048576u);
  CAF_CHECK_EQUAL(c.max_messages_per_second, 77u);
  CAF_MESSAGE("the handshake is a stranger's: the greeting timeout, not the "
              "peer timeout");
  CAF_CHECK(c.handshake_timeout == 3s);
  CAF_CHECK(c.drain_timeout == 300ms);
  CAF_CHECK(c.linger_timeout == 9s);
  CAF_CHECK(c.key == nullptr);
}

CAF_TEST(a wildcard listen address names no one address) {
  CAF_CHECK_EQUAL(specific_address("127.0.0.1"), "127.0.0.1");
  CAF_CHECK_EQUAL(specific_address("::1"), "::1");
  CAF_CHECK_EQUAL(specific_address("0.0.0.0"), "");
  CAF_CHECK_EQUAL(specific_address("::"), "");
  CAF_CHECK_EQUAL(specific_address(""), "");
}

CAF_TEST(caf runs with the sharing scheduler and one read per event) {
  caf::actor_system_config cfg;
  set_caf_defaults(cfg);
  CAF_CHECK_EQUAL(caf::get_or(cfg, "scheduler.policy", caf::atom("")),
                  caf::atom("sharing"));
  CAF_CHECK_EQUAL(caf::get_or(cfg, "scheduler.max-threads", size_t{0}), 2u);
  CAF_CHECK_EQUAL(
    caf::get_or(cfg, "middleman.max-consecutive-reads", size_t{0}), 1u);
}
