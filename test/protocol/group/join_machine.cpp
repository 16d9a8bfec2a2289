// SPDX-License-Identifier: MIT
// The join machine's life cycle: phases, joins, leaves, losses, strangers,
// gossip. The fixture is in join_fixture.hpp.

#define CAF_SUITE protocol.group.join_machine

#include "protocol/group/join_fixture.hpp"

#include <caf/test/unit_test.hpp>

CAF_TEST_FIXTURE_SCOPE(join_machine_tests, join_fixture)

CAF_TEST(without bootstrap peers a group is created) {
  machine.start(6000, {});
  CAF_CHECK_EQUAL(traffic(),
                  (lines{"notice Created a new group chat", "running"}));
  CAF_CHECK(machine.current() == phase::running);
}

CAF_TEST(a join sends hello then greets every listed member) {
  machine.start(6000, {{"10.0.0.1", 5001}});
  CAF_CHECK_EQUAL(traffic(), (lines{"dial 10.0.0.1:5001"}));
  CAF_MESSAGE("step 1: hello to the entry peer");
  CAF_CHECK(dialed(1));
  CAF_CHECK_EQUAL(traffic(), (lines{"send 1 hello"}));
  challenge(1);
  CAF_MESSAGE("step 2 arrives; step 3: greet alice on the same connection, "
              "dial bob");
  machine.on_members(*peers.find(1), {{"alice", "", 5001, id(10)},
                                      {"bob", "10.0.0.2", 5002, id(20)}});
  CAF_CHECK_EQUAL(traffic(), (lines{"send 1 greeting", "dial 10.0.0.2:5002"}));
  CAF_CHECK(machine.current() == phase::joining);
  auto greeting = callee.sent.back();
  CAF_CHECK_EQUAL(greeting.name, "nina");
  CAF_CHECK_EQUAL(greeting.port, 6000u);
  CAF_CHECK_EQUAL(greeting.id, id(50));
  CAF_MESSAGE("bob's greeting waits for his challenge");
  CAF_CHECK(dialed(2));
  CAF_CHECK(traffic().empty());
  challenge(2);
  CAF_CHECK_EQUAL(traffic(), (lines{"send 2 greeting"}));
  CAF_MESSAGE("step 4: both welcome us; step 5: we are in");
  welcome_from(1, 10, "alice");
  CAF_CHECK(traffic().empty());
  welcome_from(2, 20, "bob");
  CAF_CHECK_EQUAL(traffic(), (lines{"notice Joined the group chat",
                                    "notice Members: alice, bob", "running"}));
  CAF_CHECK_EQUAL(peers.members().size(), 2u);
}

CAF_TEST(a loopback address in a list means the host of its sender) {
  machine.start(6000, {{"10.0.0.1", 5001}});
  dialed(1);
  challenge(1);
  traffic();
  machine.on_members(*peers.find(1), {{"alice", "", 5001, id(10)},
                                      {"bob", "127.0.0.1", 5002, id(20)}});
  CAF_CHECK_EQUAL(traffic(), (lines{"send 1 greeting", "dial 10.0.0.1:5002"}));
}

CAF_TEST(a list holding our own name refuses the join) {
  machine.start(6000, {{"10.0.0.1", 5001}});
  dialed(1);
  challenge(1);
  traffic();
  machine.on_members(*peers.find(1), {{"alice", "", 5001, id(10)},
                                      {"nina", "10.0.0.2", 5002, id(20)}});
  CAF_CHECK_EQUAL(traffic(), (lines{"close 1"}));
  CAF_CHECK(machine.current() == phase::leaving);
  machine.on_closed(1, std::nullopt);
  CAF_REQUIRE(callee.has_quit && callee.quit_reason);
  CAF_CHECK(callee.quit_reason->code == ec::join_refused);
  CAF_CHECK(callee.quit_reason->detail.find("'nina' is already taken")
            != std::string::npos);
}

CAF_TEST(our own key under our name is our previous run and no rival) {
  machine.start(6000, {{"10.0.0.1", 5001}});
  dialed(1);
  challenge(1);
  traffic();
  machine.on_members(*peers.find(1), {{"alice", "", 5001, id(10)},
                                      {"nina", "10.0.0.2", 5002, self->id()}});
  CAF_CHECK(machine.current() == phase::joining);
  CAF_CHECK(!callee.has_quit);
  CAF_MESSAGE("alice is greeted; our old run's address is not dialed");
  auto sent = traffic();
  CAF_CHECK_EQUAL(sent.size(), 1u);
  CAF_CHECK_EQUAL(sent.at(0).rfind("send 1 greeting", 0), 0u);
}

CAF_TEST(an unreachable bootstrap peer is skipped in order) {
  machine.start(6000, {{"10.9.9.9", 1}, {"10.0.0.1", 5001}});
  machine.on_dial_failed(callee.dials.back(), "connection refused");
  CAF_CHECK_EQUAL(traffic(), (lines{"dial 10.9.9.9:1", "dial 10.0.0.1:5001"}));
  machine.on_dial_failed(callee.dials.back(), "connection refused");
  CAF_CHECK_EQUAL(traffic(),
                  (lines{"notice Created a new group chat", "running"}));
}

CAF_TEST(an entry peer that never answers is closed at the join deadline) {
  machine.start(6000, {{"10.0.0.1", 5001}, {"10.0.0.2", 5002}});
  dialed(1);
  traffic();
  machine.on_timeout(callee.last_token - 1); // a stale timer counts nothing
  CAF_CHECK(traffic().empty());
  machine.on_timeout(callee.last_token);
  CAF_CHECK_EQUAL(traffic(), (lines{"close 1", "dial 10.0.0.2:5002"}));
  CAF_CHECK(peers.find(1)->st == stage::closing);
}

CAF_TEST(an entry peer that closes before answering moves us on) {
  machine.start(6000, {{"10.0.0.1", 5001}, {"10.0.0.2", 5002}});
  dialed(1);
  traffic();
  machine.on_closed(1, std::nullopt);
  CAF_CHECK_EQUAL(traffic(), (lines{"dial 10.0.0.2:5002"}));
}

CAF_TEST(a failed passphrase handshake with the entry peer ends the join) {
  machine.start(6000, {{"10.0.0.1", 5001}, {"10.0.0.2", 5002}});
  dialed(1);
  traffic();
  machine.on_closed(1, error{ec::authentication_failed, "wrong passphrase"});
  CAF_CHECK_EQUAL(traffic(), (lines{"quit"}));
  CAF_REQUIRE(callee.quit_reason);
  CAF_CHECK(callee.quit_reason->code == ec::authentication_failed);
}

CAF_TEST(a refuse from a member ends the join with its reason) {
  join_through_alice();
  traffic();
  machine.on_refuse(*peers.find(1),
                    make_refuse(refusal::name_taken,
                                "the name 'nina' is already taken", "nina"));
  CAF_CHECK_EQUAL(traffic(), (lines{"close 1"}));
  CAF_CHECK(machine.current() == phase::leaving);
  CAF_REQUIRE(!callee.has_quit);
  machine.on_dial_failed(callee.dials.back(), "too late");
  machine.on_closed(1, std::nullopt);
  CAF_CHECK(callee.has_quit);
  CAF_CHECK(callee.quit_reason->code == ec::join_refused);
}

CAF_TEST(greetings that time out leave us with whoever answered) {
  join_through_alice();
  welcome_from(1, 10, "alice");
  traffic();
  machine.on_timeout(callee.last_token);
  CAF_CHECK_EQUAL(traffic(), (lines{"notice Joined the group chat",
                                    "notice Members: alice", "running"}));
  CAF_MESSAGE("bob's connect, late, is still used");
  CAF_CHECK(dialed(2));
  challenge(2);
  CAF_CHECK_EQUAL(traffic(), (lines{"send 2 greeting"}));
}

CAF_TEST(nobody answering the greetings creates a group) {
  join_through_alice();
  traffic();
  machine.on_dial_failed(callee.dials.back(), "connection refused");
  machine.on_closed(1, std::nullopt);
  CAF_CHECK_EQUAL(traffic(),
                  (lines{"notice Could not reach any member of the group",
                         "notice Created a new group chat", "running"}));
}

CAF_TEST(gossip connects to at most as many peers as a group may have) {
  machine.start(6000, {});
  auto& alice = accepted_member(1, "alice", 10);
  traffic();
  std::vector<member_info> list;
  for (int n = 100; n < 110; ++n)
    list.push_back(
      {"m" + std::to_string(n), "10.0.1.1", static_cast<uint16_t>(n), id(n)});
  machine.on_members(alice, list);
  CAF_MESSAGE("alice and 9 connects under way: the bound of 10");
  CAF_CHECK_EQUAL(callee.dials.size(), 9u);
  list.clear();
  for (int n = 200; n < 205; ++n)
    list.push_back(
      {"n" + std::to_string(n), "10.0.1.2", static_cast<uint16_t>(n), id(n)});
  machine.on_members(alice, list);
  CAF_CHECK_EQUAL(callee.dials.size(), 9u);
}

CAF_TEST(a leave is sent to members and every connection closes) {
  machine.start(6000, {});
  accepted_member(1, "alice", 10);
  machine.on_incoming(2, "10.6.6.6");
  traffic();
  machine.leave();
  CAF_CHECK_EQUAL(traffic(), (lines{"send 1 leave", "close 1", "close 2"}));
  machine.on_closed(1, std::nullopt);
  CAF_CHECK(!callee.has_quit);
  machine.on_closed(2, std::nullopt);
  CAF_CHECK(callee.has_quit);
  CAF_CHECK(!callee.quit_reason);
  CAF_MESSAGE("nobody reports as lost while we leave");
  CAF_CHECK_EQUAL(traffic(), (lines{"quit"}));
}

CAF_TEST(a leave waits for every connection and refuses new ones) {
  machine.start(6000, {});
  accepted_member(1, "alice", 10);
  machine.leave();
  traffic();
  CAF_MESSAGE("no timer ends the leave: a closing connection bounds its own "
              "drain");
  machine.on_timeout(callee.last_token);
  CAF_CHECK(!callee.has_quit);
  CAF_CHECK(!machine.on_incoming(5, "10.0.0.5"));
  machine.on_closed(1, std::nullopt);
  CAF_CHECK_EQUAL(traffic(), (lines{"quit"}));
}

CAF_TEST(a member that leaves is reported once) {
  machine.start(6000, {});
  auto& alice = accepted_member(1, "alice", 10);
  traffic();
  machine.on_leave(alice);
  machine.on_closed(1, std::nullopt);
  CAF_CHECK_EQUAL(traffic(),
                  (lines{"notice alice has left the chat", "close 1"}));
  CAF_CHECK_EQUAL(callee.forgotten, std::vector<peer_id>{id(10)});
}

CAF_TEST(a silent member is reported lost and closed) {
  machine.start(6000, {});
  auto& alice = accepted_member(1, "alice", 10);
  traffic();
  machine.on_silent(alice);
  machine.on_closed(1, std::nullopt);
  CAF_CHECK_EQUAL(traffic(),
                  (lines{"notice alice lost connection", "close 1"}));
}

CAF_TEST(gossip about an unknown member dials it once) {
  machine.start(6000, {});
  auto& alice = accepted_member(1, "alice", 10);
  traffic();
  std::vector<member_info> list{{"bob", "10.0.0.2", 5002, id(20)},
                                {"nina", "10.0.0.5", 6000, id(50)}};
  machine.on_members(alice, list);
  machine.on_members(alice, list);
  CAF_CHECK_EQUAL(traffic(), (lines{"dial 10.0.0.2:5002"}));
}

CAF_TEST(the gossip of a member is taken once per interval) {
  machine.start(6000, {});
  auto& alice = accepted_member(1, "alice", 10);
  traffic();
  machine.on_members(alice, {{"bob", "10.0.0.2", 5002, id(20)}});
  CAF_CHECK_EQUAL(traffic(), (lines{"dial 10.0.0.2:5002"}));
  machine.on_members(alice, {{"carol", "10.0.0.3", 5003, id(30)}});
  CAF_CHECK(traffic().empty());
  callee.clock += 1s;
  machine.on_members(alice, {{"carol", "10.0.0.3", 5003, id(30)}});
  CAF_CHECK_EQUAL(traffic(), (lines{"dial 10.0.0.3:5003"}));
}

CAF_TEST(the oldest stranger makes room for a new one) {
  machine.start(6000, {});
  accepted_member(1, "alice", 10);
  for (conn_id conn = 2; conn <= 5; ++conn)
    machine.on_incoming(conn, "10.6.6." + std::to_string(conn));
  traffic();
  CAF_CHECK_EQUAL(peers.strangers(), 4u);
  CAF_MESSAGE("the pool of 4 is full: the oldest stranger goes, never alice");
  CAF_CHECK(machine.on_incoming(6, "10.0.0.6"));
  CAF_CHECK_EQUAL(traffic(), (lines{"close 2", "send 6 challenge"}));
  CAF_CHECK(peers.find(1)->st == stage::member);
  CAF_CHECK_EQUAL(peers.strangers(), 4u);
}

CAF_TEST(one host cannot take the whole pool of strangers) {
  machine.start(6000, {});
  machine.on_incoming(1, "10.6.6.6");
  machine.on_incoming(2, "10.6.6.6");
  machine.on_incoming(3, "10.0.0.3");
  traffic();
  CAF_MESSAGE("a third from 10.6.6.6 closes its oldest, not 10.0.0.3's");
  machine.on_incoming(4, "10.6.6.6");
  CAF_CHECK_EQUAL(traffic(), (lines{"close 1", "send 4 challenge"}));
  CAF_CHECK_EQUAL(peers.strangers_from("10.6.6.6"), 2u);
  CAF_CHECK(peers.find(3)->st == stage::accepted);
}

CAF_TEST(a member list longer than the bound drops its sender) {
  machine.start(6000, {});
  auto& alice = accepted_member(1, "alice", 10);
  traffic();
  std::vector<member_info> list;
  for (int n = 100; n < 111; ++n)
    list.push_back(
      {"m" + std::to_string(n), "10.0.1.1", static_cast<uint16_t>(n), id(n)});
  machine.on_members(alice, list);
  CAF_CHECK_EQUAL(traffic(),
                  (lines{"notice alice lost connection", "close 1"}));
}

CAF_TEST(an unspecified address means the host of the sender of the list) {
  machine.start(6000, {});
  auto& alice = accepted_member(1, "alice", 10);
  traffic();
  machine.on_members(alice, {{"bob", "0.0.0.0", 5002, id(20)},
                             {"carol", "::", 5003, id(30)}});
  CAF_CHECK_EQUAL(traffic(),
                  (lines{"dial 10.0.0.9:5002", "dial 10.0.0.9:5003"}));
}

CAF_TEST(lists carry the numeric address a connection reached) {
  machine.start(6000, {{"alice.example", 5001}});
  auto req = callee.dials.back();
  machine.on_dialed(req, 1, "10.0.0.1");
  challenge(1);
  machine.on_members(*peers.find(1), {{"alice", "", 5001, id(10)}});
  welcome_from(1, 10, "alice");
  auto list = machine.member_list(false);
  CAF_REQUIRE_EQUAL(list.size(), 1u);
  CAF_CHECK_EQUAL(list[0].host, "10.0.0.1");
}

CAF_TEST_FIXTURE_SCOPE_END()
