// SPDX-License-Identifier: MIT
// A join_callee for tests: it logs every call as one line of traffic
// ("send 1 hello", "close 2", "dial 10.0.0.2:5002", "notice ..."), for the
// tests to assert.

#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/test/unit_test.hpp>

#include "protocol/group/join_machine.hpp"

namespace groupchat::protocol {

struct mock_callee : join_callee {
  std::vector<std::string> log;
  std::vector<dial_request> dials;
  uint64_t last_token = 0;
  bool has_quit = false;
  std::optional<error> quit_reason;
  time_point clock{};

  void dial(const dial_request& req) override {
    dials.push_back(req);
    log.push_back("dial " + to_string(req.address));
  }

  void send(conn_id conn, const message& msg) override {
    log.push_back("send " + std::to_string(conn) + " " + to_string(msg.type));
    sent.push_back(msg);
  }

  void close(conn_id conn) override {
    log.push_back("close " + std::to_string(conn));
  }

  void admit(conn_id conn) override {
    log.push_back("admit " + std::to_string(conn));
  }

  void arm_timer(timespan, uint64_t token) override {
    last_token = token;
  }

  void report(event ev) override {
    log.push_back("notice " + to_text(ev));
  }

  void running() override {
    log.push_back("running");
  }

  void quit(const std::optional<error>& reason) override {
    CAF_CHECK(!has_quit);
    has_quit = true;
    quit_reason = reason;
    log.push_back("quit");
  }

  time_point now() override {
    return clock;
  }

  uint64_t lines_said() override {
    return 0;
  }

  void renamed(const std::string& name) override {
    log.push_back("renamed " + name);
  }

  uint64_t wall_now() override {
    return 1;
  }

  void say_seen(const peer_id&, uint64_t, message&) override {
    // nop
  }

  uint64_t replay_size(const peer&, uint64_t) override {
    return 0;
  }

  // Not in the log: the traffic tests read sends, closes and notices.
  void met(const peer& p, const message&) override {
    met_ids.push_back(p.id);
  }

  void forget(const peer_id& id) override {
    forgotten.push_back(id);
  }

  std::vector<peer_id> forgotten;

  bool unreachable(const member_info& m) override {
    unreached.push_back(m.id);
    return false;
  }

  std::vector<peer_id> unreached;

  std::vector<message> sent;
  std::vector<peer_id> met_ids;
};

} // namespace groupchat::protocol
