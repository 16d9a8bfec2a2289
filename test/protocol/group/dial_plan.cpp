// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.group.dial_plan

#include "protocol/group/dial_plan.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;
using namespace std::chrono_literals;

namespace {

const time_point t0{};

struct fixture {
  peer_table peers;
  rejoin_schedule rejoin{10min, 1s, 30s};
  dial_plan plan{peers, rejoin, 4};

  static member_info m(const std::string& name, const std::string& host,
                       const peer_id& id) {
    return {name, host, 5000, id};
  }

  static std::vector<std::string> hosts(const std::vector<dial_request>& r) {
    std::vector<std::string> result;
    for (auto& req : r)
      result.push_back(req.address.host + "/" + req.member.id);
    return result;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(dial_plan_tests, fixture)

CAF_TEST(a list gets us dialing whom we do not know yet) {
  auto& known = peers.add(1, stage::member, true, {"10.0.0.2", 5000}, t0);
  known.id = "b";
  auto list = std::vector<member_info>{
    m("entry", "", "e"), // The sender itself: already connected.
    m("me", "10.0.0.1", "self"), // Ourselves.
    m("bob", "10.0.0.2", "b"), // Known.
    m("carol", "10.0.0.3", "c"), m("dave", "127.0.0.1", "d"),
    m("erin", "0.0.0.0", "x")};
  auto dials = plan.learn(list, "10.0.0.9", "self");
  // Loopback and unspecified addresses mean the sender's host.
  CAF_CHECK_EQUAL(hosts(dials), (std::vector<std::string>{
                                  "10.0.0.3/c", "10.0.0.9/d", "10.0.0.9/x"}));
  CAF_CHECK(peers.is_dialing("c"));
  // A second list naming them again dials nobody twice.
  CAF_CHECK(plan.learn(list, "10.0.0.9", "self").empty());
}

CAF_TEST(lists get us at most a group of connections) {
  std::vector<member_info> list;
  for (int i = 0; i < 10; ++i)
    list.push_back(m("m" + std::to_string(i), "10.0.1." + std::to_string(i),
                     "id" + std::to_string(i)));
  CAF_CHECK_EQUAL(plan.learn(list, "10.0.0.9", "self").size(), 4u);
  CAF_CHECK(plan.learn(list, "10.0.0.9", "self").empty());
  peers.dialed("id0");
  CAF_CHECK_EQUAL(plan.learn(list, "10.0.0.9", "self").size(), 1u);
  CAF_CHECK(plan.acceptable(4));
  CAF_CHECK(!plan.acceptable(5));
}

CAF_TEST(connections waiting for a welcome count against the cap) {
  std::vector<member_info> list;
  for (int i = 0; i < 10; ++i)
    list.push_back(m("m" + std::to_string(i), "10.0.1." + std::to_string(i),
                     "id" + std::to_string(i)));
  CAF_CHECK_EQUAL(plan.learn(list, "10.0.0.9", "self").size(), 4u);
  // The four connected and greeted, but none welcomes: still four sockets.
  for (conn_id i = 0; i < 4; ++i) {
    auto id = "id" + std::to_string(i);
    peers.dialed(id);
    peers.add(i + 1, stage::greeting, true, {"10.0.1.1", 5000}, t0).id = id;
  }
  CAF_CHECK(plan.learn(list, "10.0.0.9", "self").empty());
  CAF_MESSAGE("a welcome makes a member of one: still four in all");
  peers.find(1)->st = stage::member;
  CAF_CHECK(plan.learn(list, "10.0.0.9", "self").empty());
  CAF_MESSAGE("a connection that closes frees its place");
  peers.remove(2);
  CAF_CHECK_EQUAL(plan.learn(list, "10.0.0.9", "self").size(), 1u);
}

CAF_TEST(listed addresses are dialed in their canonical form) {
  auto dials
    = plan.learn({m("bob", "0::1", "b"), m("carol", "::ffff:a00:3", "c"),
                  m("dave", "FE80::0:1", "d")},
                 "10.0.0.9", "self");
  CAF_CHECK_EQUAL(hosts(dials), (std::vector<std::string>{
                                  "10.0.0.9/b", "10.0.0.3/c", "fe80::1/d"}));
}

CAF_TEST(lost members are retried when due and not twice at once) {
  rejoin.lost(m("bob", "10.0.0.2", "b"), t0);
  rejoin.lost(m("carol", "10.0.0.3", "c"), t0);
  peers.dialing("c"); // Already under way (gossip got there first).
  CAF_CHECK(plan.retries(t0).empty());
  auto dials = plan.retries(t0 + 2s);
  CAF_CHECK_EQUAL(hosts(dials), (std::vector<std::string>{"10.0.0.2/b"}));
  CAF_CHECK(peers.is_dialing("b"));
}

CAF_TEST_FIXTURE_SCOPE_END()
