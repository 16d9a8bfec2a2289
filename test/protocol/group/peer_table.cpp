// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.group.peer_table

#include "protocol/group/peer_table.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

const time_point t0{};

// A table with members alice (ID 1) and bob (ID 2), a stranger and a
// connection being closed that was carol (ID 3).
peer_table sample() {
  peer_table peers;
  auto& alice = peers.add(10, stage::member, true, {"10.0.0.1", 5001}, t0);
  alice.name = "alice";
  alice.id = "1";
  auto& bob = peers.add(11, stage::member, false, {"10.0.0.2", 5002}, t0);
  bob.name = "bob";
  bob.id = "2";
  peers.add(12, stage::accepted, false, {"10.6.6.6", 0}, t0);
  auto& carol = peers.add(13, stage::closing, true, {"10.0.0.3", 5003}, t0);
  carol.name = "carol";
  carol.id = "3";
  return peers;
}

} // namespace

CAF_TEST(members are the connections at the member stage) {
  auto peers = sample();
  auto members = peers.members();
  CAF_REQUIRE_EQUAL(members.size(), 2u);
  CAF_CHECK_EQUAL(members[0]->name, "alice");
  CAF_CHECK_EQUAL(members[1]->name, "bob");
  auto list = peers.member_list();
  CAF_REQUIRE_EQUAL(list.size(), 2u);
  CAF_CHECK(list[1] == (member_info{"bob", "10.0.0.2", 5002, "2"}));
}

CAF_TEST(a closing connection is no member and has no identity) {
  auto peers = sample();
  CAF_CHECK(peers.find_id("3") == nullptr);
  CAF_CHECK(peers.find_member("carol") == nullptr);
  CAF_CHECK(!peers.name_taken("carol", "9"));
  CAF_CHECK(!peers.find(13)->live());
}

CAF_TEST(find by ID skips the connection asked about) {
  auto peers = sample();
  auto alice = peers.find_id("1");
  CAF_REQUIRE(alice != nullptr);
  CAF_CHECK_EQUAL(alice->conn, 10u);
  CAF_CHECK(peers.find_id("1", alice) == nullptr);
  auto& again = peers.add(14, stage::greeting, true, {"10.0.0.1", 5001}, t0);
  again.id = "1";
  CAF_CHECK_EQUAL(peers.find_id("1", alice), &again);
}

CAF_TEST(a name is taken by another member only) {
  auto peers = sample();
  CAF_CHECK(peers.name_taken("bob", "9"));
  CAF_CHECK(!peers.name_taken("bob", "2")); // bob himself, on a second line
  CAF_CHECK(!peers.name_taken("dave", "9"));
}

CAF_TEST(promotion makes a member with its ID and join time) {
  peer_table peers;
  auto& p = peers.add(1, stage::accepted, false, {"10.0.0.9", 0}, t0);
  peer_table::promote(p, "9", t0 + std::chrono::seconds(3));
  CAF_CHECK(p.st == stage::member);
  CAF_CHECK_EQUAL(p.id, "9");
  CAF_CHECK(p.joined_at == t0 + std::chrono::seconds(3));
  CAF_CHECK_EQUAL(peers.members().size(), 1u);
}

CAF_TEST(removal returns the connection as it was) {
  auto peers = sample();
  auto gone = peers.remove(11);
  CAF_REQUIRE(gone.has_value());
  CAF_CHECK_EQUAL(gone->name, "bob");
  CAF_CHECK(peers.find(11) == nullptr);
  CAF_CHECK(!peers.remove(11).has_value());
  CAF_CHECK_EQUAL(peers.size(), 3u);
}

CAF_TEST(dials under way are tracked by peer ID) {
  peer_table peers;
  CAF_CHECK(!peers.dials_pending());
  peers.dialing("7");
  CAF_CHECK(peers.is_dialing("7"));
  CAF_CHECK(peers.dials_pending());
  peers.dialed("7");
  CAF_CHECK(!peers.is_dialing("7"));
  peers.dialing("8");
  peers.clear_dials();
  CAF_CHECK(!peers.dials_pending());
}

CAF_TEST(of two connections to one peer the one the lower ID dialed stays) {
  auto peers = sample();
  // A second connection to alice (ID 1) identifies itself. We are ID 5:
  // alice's ID is the lower, so the connection she dialed stays.
  auto& accepted = peers.add(20, stage::greeting, false, {"10.0.0.1", 0}, t0);
  CAF_CHECK_EQUAL(peers.duplicate_loser(accepted, "1", "5"),
                  peers.find(10)); // Our dial to her goes.
  auto& dialed = peers.add(21, stage::greeting, true, {"10.0.0.1", 0}, t0);
  CAF_CHECK_EQUAL(peers.duplicate_loser(dialed, "1", "5"), &dialed);
  // We are ID 0, the lower: our dials stay.
  CAF_CHECK_EQUAL(peers.duplicate_loser(dialed, "1", "0"), peers.find(10));
  CAF_CHECK_EQUAL(peers.duplicate_loser(accepted, "1", "0"), &accepted);
  // The only connection to a peer has no rival.
  auto& dave = peers.add(22, stage::greeting, true, {"10.0.0.4", 0}, t0);
  CAF_CHECK_EQUAL(peers.duplicate_loser(dave, "4", "5"), nullptr);
}

CAF_TEST(of two runs of one key the later stays whoever dialed) {
  auto peers = sample();
  peers.find(10)->since = 100;
  CAF_MESSAGE("alice restarted with her key file: her new run dials us");
  auto& later = peers.add(20, stage::greeting, false, {"10.0.0.1", 0}, t0);
  later.since = 200;
  CAF_CHECK_EQUAL(peers.duplicate_loser(later, "1", "0"), peers.find(10));
  CAF_MESSAGE("the old run, back from a freeze, loses to the new one");
  peer_table::promote(later, "1", t0);
  peers.remove(10);
  auto& old_run = peers.add(21, stage::greeting, true, {"10.0.0.1", 0}, t0);
  old_run.since = 100;
  CAF_CHECK_EQUAL(peers.duplicate_loser(old_run, "1", "0"), &old_run);
}

CAF_TEST(a connection that only claims a key never closes one that proved it) {
  peer_table peers;
  // A forger listed erin's key (ID 9, the higher) at its own address: our
  // dial there waits for a welcome it will never prove.
  auto& forged = peers.add(1, stage::greeting, true, {"10.0.0.66", 0}, t0);
  forged.id = "9";
  // The real erin dials us and proves her key.
  auto& real = peers.add(2, stage::greeting, false, {"10.0.0.5", 0}, t0);
  CAF_CHECK_EQUAL(peers.duplicate_loser(real, "9", "5"), nullptr);
  peer_table::promote(real, "9", t0);
  CAF_MESSAGE("a proven rival is found behind an unproven one");
  auto& again = peers.add(3, stage::greeting, true, {"10.0.0.5", 0}, t0);
  CAF_CHECK_EQUAL(peers.duplicate_loser(again, "9", "5"), peers.find(2));
}
