// The join state machine without an actor system: a mock callee
// (mock_callee.hpp) logs every call as one line of traffic, and the tests
// assert that log.

#define CAF_SUITE protocol.group.join_machine

#include "protocol/group/join_machine.hpp"

#include "protocol/group/mock_callee.hpp"

#include <map>
#include <memory>

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;
using namespace std::chrono_literals;

namespace {

struct fixture {
  mock_callee callee;
  peer_table peers;
  /// Our key pair ("50" below) and those of the peers, by number.
  std::shared_ptr<const identity> self = std::make_shared<identity>();
  std::map<int, std::unique_ptr<identity>> keys;
  join_machine machine{options(self), peers, callee};

  static join_options options(std::shared_ptr<const identity> self) {
    join_options opts;
    opts.name = "nina";
    opts.self = std::move(self);
    opts.join_timeout = 5s;
    opts.max_strangers = 4;
    opts.max_strangers_per_host = 2;
    opts.max_members = 10;
    return opts;
  }

  // The last dial connected as `conn`, to the address it asked for.
  bool dialed(conn_id conn) {
    auto req = callee.dials.back();
    return machine.on_dialed(req, conn, req.address.host);
  }

  // The key pair of peer `n`; 50 is ours.
  const identity& key(int n) {
    if (n == 50)
      return *self;
    auto& k = keys[n];
    if (!k)
      k = std::make_unique<identity>();
    return *k;
  }

  peer_id id(int n) {
    return key(n).id();
  }

  // The member on dialed connection `conn` sends its challenge.
  void challenge(conn_id conn) {
    auto msg = make_challenge(make_nonce());
    machine.on_challenge(*peers.find(conn), msg);
  }

  // A greeting from peer `n` as `name` for accepted connection `conn`,
  // signed by `signer` (by default, `n` itself).
  message greeting_from(conn_id conn, int n, const std::string& name,
                        int signer = 0) {
    auto& p = *peers.find(conn);
    auto msg = make_greeting(name, 5009, id(n), make_nonce(), 0);
    msg.proof = key(signer != 0 ? signer : n)
                  .prove(proof_transcript(proof_role::greeting,
                                          p.hs.challenge_nonce(),
                                          msg.nonce, id(n), id(50), "",
                                          proof_claims(name, 5009, 0)));
    return msg;
  }

  // Peer `n` welcomes us as `name` on dialed connection `conn`, signed by
  // `signer` (by default, `n` itself).
  void welcome_from(conn_id conn, int n, const std::string& name,
                    int signer = 0) {
    auto& p = *peers.find(conn);
    auto msg = make_welcome(name, id(n), {}, 0);
    msg.proof = key(signer != 0 ? signer : n)
                  .prove(proof_transcript(proof_role::welcome,
                                          p.hs.challenge_nonce(),
                                          p.hs.greeting_nonce(), id(n), id(50),
                                          p.hs.binding(),
                                          proof_claims(name, 0, 0)));
    machine.on_welcome(p, msg);
  }

  // Returns the log since the last call, and starts a new one.
  std::vector<std::string> traffic() {
    auto result = std::move(callee.log);
    callee.log.clear();
    return result;
  }

  // Joins through the entry peer at connection 1, which lists itself
  // (alice, ID 10) and bob (ID 20).
  void join_through_alice() {
    machine.start(6000, {{"10.0.0.1", 5001}});
    dialed(1);
    challenge(1);
    machine.on_members(*peers.find(1),
                       {{"alice", "", 5001, id(10)},
                        {"bob", "10.0.0.2", 5002, id(20)}});
  }

  // A member `name`, peer `n`, on an accepted connection `conn`.
  peer& accepted_member(conn_id conn, const std::string& name, int n) {
    machine.on_incoming(conn, "10.0.0.9");
    auto msg = greeting_from(conn, n, name);
    machine.on_greeting(*peers.find(conn), msg);
    return *peers.find(conn);
  }

  using lines = std::vector<std::string>;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(join_machine_tests, fixture)

CAF_TEST(without bootstrap peers a group is created) {
  machine.start(6000, {});
  CAF_CHECK_EQUAL(traffic(), (lines{"notice Created a new group chat",
                                    "running"}));
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

CAF_TEST(an unreachable bootstrap peer is skipped in order) {
  machine.start(6000, {{"10.9.9.9", 1}, {"10.0.0.1", 5001}});
  machine.on_dial_failed(callee.dials.back(), "connection refused");
  CAF_CHECK_EQUAL(traffic(), (lines{"dial 10.9.9.9:1", "dial 10.0.0.1:5001"}));
  machine.on_dial_failed(callee.dials.back(), "connection refused");
  CAF_CHECK_EQUAL(traffic(), (lines{"notice Created a new group chat",
                                    "running"}));
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

CAF_TEST(a greeting makes a member that is welcomed with our list) {
  machine.start(6000, {});
  accepted_member(1, "alice", 10);
  traffic();
  accepted_member(2, "bob", 20);
  CAF_CHECK_EQUAL(traffic(), (lines{"send 2 challenge", "admit 2",
                                    "send 2 welcome",
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

CAF_TEST(a connection asks for the member list once) {
  machine.start(6000, {});
  machine.on_incoming(1, "10.0.0.7");
  traffic();
  machine.on_hello(*peers.find(1));
  CAF_CHECK_EQUAL(traffic(), (lines{"send 1 members"}));
  machine.on_hello(*peers.find(1));
  CAF_CHECK_EQUAL(traffic(), (lines{"close 1"}));
}

CAF_TEST(gossip connects to at most as many peers as a group may have) {
  machine.start(6000, {});
  auto& alice = accepted_member(1, "alice", 10);
  traffic();
  std::vector<member_info> list;
  for (int n = 100; n < 110; ++n)
    list.push_back({"m" + std::to_string(n), "10.0.1.1",
                    static_cast<uint16_t>(n), id(n)});
  machine.on_members(alice, list);
  CAF_MESSAGE("alice and 9 connects under way: the bound of 10");
  CAF_CHECK_EQUAL(callee.dials.size(), 9u);
  list.clear();
  for (int n = 200; n < 205; ++n)
    list.push_back({"n" + std::to_string(n), "10.0.1.2",
                    static_cast<uint16_t>(n), id(n)});
  machine.on_members(alice, list);
  CAF_CHECK_EQUAL(callee.dials.size(), 9u);
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
  CAF_MESSAGE("her connection (dialed by 70) loses against ours (by 50)");
  CAF_CHECK_EQUAL(traffic(), (lines{"send 3 challenge", "close 3"}));
  welcome_from(2, 70, "carol");
  CAF_CHECK_EQUAL(traffic(), (lines{"notice carol has joined the chat"}));
  CAF_CHECK_EQUAL(peers.members().size(), 2u);
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
    list.push_back({"m" + std::to_string(n), "10.0.1.1",
                    static_cast<uint16_t>(n), id(n)});
  machine.on_members(alice, list);
  CAF_CHECK_EQUAL(traffic(), (lines{"notice alice lost connection",
                                    "close 1"}));
}

CAF_TEST(an unspecified address means the host of the sender of the list) {
  machine.start(6000, {});
  auto& alice = accepted_member(1, "alice", 10);
  traffic();
  machine.on_members(alice, {{"bob", "0.0.0.0", 5002, id(20)},
                             {"carol", "::", 5003, id(30)}});
  CAF_CHECK_EQUAL(traffic(), (lines{"dial 10.0.0.9:5002",
                                    "dial 10.0.0.9:5003"}));
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

CAF_TEST_FIXTURE_SCOPE_END()
