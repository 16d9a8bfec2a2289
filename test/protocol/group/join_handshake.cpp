// SPDX-License-Identifier: MIT
// The handshake messages of the join machine: greetings, welcomes, their
// proofs, names, and two connections to one peer.

#define CAF_SUITE protocol.group.join_handshake

#include "protocol/group/join_fixture.hpp"

#include "protocol/crypto/secure.hpp"

#include <caf/test/unit_test.hpp>

CAF_TEST_FIXTURE_SCOPE(join_handshake_tests, join_fixture)

CAF_TEST(a greeting makes a member that is welcomed with our list) {
  machine.start(6000, {});
  accepted_member(1, "alice", 10);
  traffic();
  accepted_member(2, "bob", 20);
  CAF_CHECK_EQUAL(traffic(),
                  (lines{"send 2 challenge", "admit 2", "send 2 welcome",
                         "notice bob has joined the chat"}));
  auto& welcome = callee.sent.back();
  CAF_CHECK_EQUAL(welcome.name, "nina");
  // alice and bob himself, whom the newcomer skips as it skips itself.
  CAF_CHECK_EQUAL(welcome.members.size(), 2u);
  CAF_MESSAGE("a hello from a stranger gets every member, us first");
  machine.on_incoming(3, "10.0.0.7");
  machine.on_hello(*peers.find(3));
  CAF_CHECK_EQUAL(traffic(), (lines{"send 3 challenge", "send 3 members"}));
  auto& list = callee.sent.back().members;
  CAF_REQUIRE_EQUAL(list.size(), 3u);
  // With when nina says she created the group (the mock's clock says 1).
  CAF_CHECK(list[0] == (member_info{"nina", "", 6000, id(50), 1}));
}

CAF_TEST(a host out of guesses is told when to try again) {
  auto opts = options(self);
  opts.guarded = true;
  opts.max_failed_handshakes = 1;
  opts.failed_handshake_interval = 10s;
  peer_table table;
  mock_callee told;
  join_machine guarded{opts, table, told};
  guarded.start(6000, {});
  CAF_CHECK(guarded.on_incoming(1, "10.6.6.6"));
  told.sent.clear();
  CAF_MESSAGE("its one guess is under way: the next connection is refused");
  CAF_CHECK(!guarded.on_incoming(2, "10.6.6.6"));
  CAF_REQUIRE_EQUAL(told.sent.size(), 1u);
  auto refuse = told.sent.back();
  CAF_CHECK(refuse.type == message_type::refuse);
  CAF_CHECK(refuse.code == refusal::throttled);
  CAF_CHECK_EQUAL(refuse.text, throttled_reason(10s));
  CAF_MESSAGE("another host is let in");
  CAF_CHECK(guarded.on_incoming(3, "10.7.7.7"));
}

CAF_TEST(a stranger we answered keeps its place before idle ones) {
  machine.start(6000, {});
  machine.on_incoming(1, "10.0.0.1");
  machine.on_answered(1);
  for (conn_id conn = 2; conn <= 4; ++conn)
    machine.on_incoming(conn, "10.0.0." + std::to_string(conn));
  traffic();
  CAF_CHECK(machine.on_incoming(5, "10.0.0.5"));
  auto log = traffic();
  CAF_CHECK(std::find(log.begin(), log.end(), "close 2") != log.end());
  CAF_CHECK(std::find(log.begin(), log.end(), "close 1") == log.end());
}

CAF_TEST(a connection asks for the member list once) {
  machine.start(6000, {});
  machine.on_incoming(1, "10.0.0.7");
  traffic();
  machine.on_hello(*peers.find(1));
  CAF_CHECK_EQUAL(traffic(), (lines{"send 1 members"}));
  machine.on_hello(*peers.find(1));
  CAF_CHECK_EQUAL(traffic(), (lines{"close 1"}));
}

CAF_TEST(a duplicate name is refused at greeting) {
  machine.start(6000, {});
  accepted_member(1, "bob", 20);
  traffic();
  accepted_member(2, "bob", 21);
  CAF_CHECK_EQUAL(traffic(),
                  (lines{"send 2 challenge", "send 2 refuse", "close 2"}));
  CAF_CHECK(callee.sent.back().text.find("'bob' is already taken")
            != std::string::npos);
  accepted_member(3, "nina", 22);
  CAF_CHECK_EQUAL(traffic(),
                  (lines{"send 3 challenge", "send 3 refuse", "close 3"}));
}

CAF_TEST(a greeting from ourselves closes the connection) {
  machine.start(6000, {});
  traffic();
  accepted_member(1, "nina", 50);
  CAF_CHECK_EQUAL(traffic(), (lines{"send 1 challenge", "close 1"}));
}

CAF_TEST(a message in the wrong stage drops the connection) {
  machine.start(6000, {});
  machine.on_incoming(1, "10.6.6.6");
  traffic();
  welcome_from(1, 66, "mallory");
  CAF_CHECK_EQUAL(traffic(), (lines{"close 1"}));
  CAF_CHECK(peers.find(1)->st == stage::closing);
  CAF_MESSAGE("a member that misbehaves is reported lost");
  accepted_member(2, "bob", 20);
  traffic();
  auto again = greeting_from(2, 20, "bob");
  machine.on_greeting(*peers.find(2), again);
  CAF_CHECK_EQUAL(traffic(), (lines{"notice bob lost connection", "close 2"}));
}

CAF_TEST(of two connections to one peer the one dialed by the lower ID stays) {
  machine.start(6000, {});
  while (id(70) < id(50))
    keys[70] = std::make_unique<identity>();
  CAF_MESSAGE("we (50) dial carol (70, a higher ID) while she dials us");
  machine.on_members(accepted_member(1, "zed", 90),
                     {{"carol", "10.0.0.7", 5007, id(70)}});
  CAF_CHECK(dialed(2));
  challenge(2);
  traffic();
  accepted_member(3, "carol", 70);
  CAF_MESSAGE("ours is not proven yet: it closes nothing, she is in");
  auto log = traffic();
  CAF_CHECK_EQUAL(log.back(), "notice carol has joined the chat");
  CAF_CHECK(std::find(log.begin(), log.end(), "close 3") == log.end());
  CAF_MESSAGE("both proven: hers (dialed by 70) loses against ours (by 50)");
  welcome_from(2, 70, "carol");
  CAF_CHECK_EQUAL(traffic(), (lines{"close 3"}));
  CAF_CHECK_EQUAL(peers.members().size(), 2u);
}

CAF_TEST(a greeting that does not prove its ID is dropped) {
  machine.start(6000, {});
  accepted_member(1, "bob", 20);
  machine.on_incoming(2, "10.6.6.6");
  traffic();
  CAF_MESSAGE("mallory claims bob's ID, signing with her own key");
  auto forged = greeting_from(2, 20, "bob", 66);
  machine.on_greeting(*peers.find(2), forged);
  CAF_CHECK_EQUAL(traffic(), (lines{"close 2"}));
  CAF_MESSAGE("bob's own connection is untouched");
  CAF_CHECK(peers.find(1)->st == stage::member);
  CAF_CHECK_EQUAL(peers.members().size(), 1u);
}

CAF_TEST(a proof made for another connection is dropped) {
  machine.start(6000, {});
  machine.on_incoming(1, "10.0.0.2");
  machine.on_incoming(2, "10.6.6.6");
  traffic();
  CAF_MESSAGE("bob's greeting for connection 1, replayed on connection 2: "
              "it signs connection 1's challenge");
  auto recorded = greeting_from(1, 20, "bob");
  machine.on_greeting(*peers.find(2), recorded);
  CAF_CHECK_EQUAL(traffic(), (lines{"close 2"}));
  CAF_MESSAGE("on its own connection it counts");
  machine.on_greeting(*peers.find(1), recorded);
  CAF_CHECK(peers.find(1)->st == stage::member);
}

CAF_TEST(a welcome must prove the key the member list gave) {
  join_through_alice();
  CAF_CHECK(dialed(2));
  challenge(2);
  traffic();
  CAF_MESSAGE("whoever answers at bob's address signs with another key");
  welcome_from(2, 20, "bob", 66);
  CAF_CHECK_EQUAL(traffic(), (lines{"close 2"}));
  CAF_MESSAGE("or names its own key, which is not the one listed");
  welcome_from(1, 66, "alice");
  CAF_CHECK_EQUAL(traffic(),
                  (lines{"close 1",
                         "notice Could not reach any member of the group",
                         "notice Created a new group chat", "running"}));
  CAF_CHECK(peers.members().empty());
}

CAF_TEST(a member list before the challenge drops the entry peer) {
  machine.start(6000, {{"10.0.0.1", 5001}, {"10.0.0.2", 5002}});
  dialed(1);
  traffic();
  machine.on_members(*peers.find(1), {{"alice", "", 5001, id(10)}});
  CAF_CHECK_EQUAL(traffic(), (lines{"close 1"}));
}

CAF_TEST(a welcome name is checked as a greeting name is) {
  join_through_alice();
  welcome_from(1, 10, "alice");
  CAF_CHECK(dialed(2));
  challenge(2);
  traffic();
  CAF_MESSAGE("bob, dialed, calls himself alice (another key)");
  welcome_from(2, 20, "Alice");
  auto log = traffic();
  CAF_REQUIRE(!log.empty());
  CAF_CHECK_EQUAL(log.front(), "close 2");
  CAF_CHECK_EQUAL(peers.members().size(), 1u);
}

CAF_TEST(a welcome may not take our own name) {
  join_through_alice();
  traffic();
  welcome_from(1, 10, "nina");
  auto log = traffic();
  CAF_REQUIRE(!log.empty());
  CAF_CHECK_EQUAL(log.front(), "close 1");
  CAF_CHECK(peers.members().empty());
}

CAF_TEST(only the entry peer can refuse the join) {
  join_through_alice();
  CAF_CHECK(dialed(2));
  challenge(2);
  traffic();
  machine.on_refuse(*peers.find(2),
                    make_refuse(refusal::name_taken,
                                "the name 'nina' is already taken", "nina"));
  CAF_CHECK_EQUAL(traffic(), (lines{"close 2"}));
  CAF_CHECK(machine.current() == phase::joining);
  welcome_from(1, 10, "alice");
  CAF_CHECK_EQUAL(traffic(), (lines{"notice Joined the group chat",
                                    "notice Members: alice", "running"}));
}

CAF_TEST(a heartbeat before the welcome drops the connection) {
  join_through_alice();
  CAF_CHECK(dialed(2));
  challenge(2);
  traffic();
  machine.on_heartbeat(*peers.find(2));
  CAF_CHECK_EQUAL(traffic(), (lines{"close 2"}));
}

CAF_TEST(a lost member whose address fails the passphrase is not retried) {
  machine.start(6000, {});
  accepted_member(1, "alice", 10);
  machine.on_closed(1, std::nullopt);
  traffic();
  callee.clock += 2s;
  machine.on_tick();
  CAF_CHECK_EQUAL(traffic(), (lines{"dial 10.0.0.9:5009"}));
  CAF_CHECK(dialed(2));
  machine.on_closed(2, error{ec::authentication_failed, wrong_passphrase});
  callee.clock += 1min;
  machine.on_tick();
  CAF_CHECK(traffic().empty());
}

CAF_TEST(a handshake that times out proves nothing and is retried) {
  machine.start(6000, {});
  accepted_member(1, "alice", 10);
  machine.on_closed(1, std::nullopt);
  callee.clock += 2s;
  machine.on_tick();
  CAF_CHECK(dialed(2));
  traffic();
  machine.on_closed(2, error{ec::authentication_failed, "timed out"});
  callee.clock += 1min;
  machine.on_tick();
  CAF_CHECK_EQUAL(traffic(), (lines{"dial 10.0.0.9:5009"}));
}

CAF_TEST(a connection waiting for its welcome takes over from one that closed) {
  machine.start(6000, {});
  while (id(70) < id(50))
    keys[70] = std::make_unique<identity>();
  machine.on_members(accepted_member(1, "zed", 90),
                     {{"carol", "10.0.0.7", 5007, id(70)}});
  CAF_CHECK(dialed(2));
  challenge(2);
  accepted_member(3, "carol", 70);
  traffic();
  CAF_MESSAGE("carol keeps our dial (50 is the lower) and closes hers");
  machine.on_closed(3, std::nullopt);
  CAF_CHECK(traffic().empty());
  welcome_from(2, 70, "carol");
  CAF_CHECK(traffic().empty());
  CAF_CHECK_EQUAL(peers.members().size(), 2u);
  CAF_MESSAGE("had the dial failed, carol would have been lost");
  machine.on_closed(2, std::nullopt);
  CAF_CHECK_EQUAL(traffic(), (lines{"notice carol lost connection"}));
}

CAF_TEST(a takeover that fails reports the member it took over from) {
  machine.start(6000, {});
  while (id(70) < id(50))
    keys[70] = std::make_unique<identity>();
  CAF_MESSAGE("a list names carol at another address, under another name");
  machine.on_members(accepted_member(1, "zed", 90),
                     {{"carla", "10.0.0.66", 5066, id(70)}});
  CAF_CHECK(dialed(2));
  challenge(2);
  accepted_member(3, "carol", 70);
  machine.on_closed(3, std::nullopt);
  traffic();
  machine.on_closed(2, std::nullopt);
  CAF_CHECK_EQUAL(traffic(), (lines{"notice carol lost connection"}));
  CAF_MESSAGE("and retries her where she was, not where the list said");
  callee.clock += 2s;
  machine.on_tick();
  CAF_CHECK_EQUAL(traffic(), (lines{"dial 10.0.0.9:5009"}));
}

CAF_TEST_FIXTURE_SCOPE_END()
