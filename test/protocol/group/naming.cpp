// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.group.naming

#include "protocol/group/naming.hpp"

#include <caf/test/unit_test.hpp>

#include "protocol/group/mock_callee.hpp"

using namespace groupchat::protocol;
using namespace std::chrono_literals;

namespace {

const peer_id nina(peer_id_size, 'a');
const peer_id bob_id(peer_id_size, 'b');
const peer_id carol_id(peer_id_size, 'c');

// A member refuses `name` as taken.
message refused(const std::string& name) {
  return make_refuse(refusal::name_taken, naming::taken_reason(name), name);
}

struct fixture {
  mock_callee callee;
  peer_table peers;
  rejoin_schedule rejoin{10min, 1s, 30s};
  naming names{"nina", nina, peers, rejoin, callee, 5s};

  peer& member(conn_id conn, const peer_id& id, std::string name) {
    auto& p = peers.add(conn, stage::accepted, false, endpoint{"10.0.0.9", 0},
                        callee.clock);
    p.name = std::move(name);
    peer_table::promote(p, id, callee.clock);
    return p;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(naming_tests, fixture)

CAF_TEST(a rename goes to every member) {
  member(1, bob_id, "bob");
  member(2, carol_id, "carol");
  CAF_CHECK(names.rename("Nadia") == std::nullopt);
  CAF_CHECK_EQUAL(names.name(), "Nadia");
  CAF_CHECK_EQUAL(
    callee.log,
    (std::vector<std::string>{"send 1 nick", "send 2 nick", "renamed Nadia"}));
}

CAF_TEST(a rename to a taken or invalid name is refused at once) {
  member(1, bob_id, "bob");
  CAF_CHECK_EQUAL(names.rename("ｂｏｂ").value_or(""),
                  naming::taken_reason("ｂｏｂ"));
  CAF_CHECK_EQUAL(names.rename("nina").value_or(""),
                  "that is your name already");
  CAF_CHECK(names.rename(std::string(40, 'x')).has_value());
  CAF_MESSAGE("a lost member keeps its name for the rejoin window");
  rejoin.lost({"zed", "10.0.0.7", 5007, carol_id}, callee.clock);
  CAF_CHECK(names.rename("Zed").has_value());
  CAF_CHECK(callee.log.empty());
}

CAF_TEST(the rename of a member is shown or refused) {
  auto& bob = member(1, bob_id, "bob");
  member(2, carol_id, "carol");
  auto nick = make_nick("robert");
  names.on_nick(bob, nick);
  CAF_CHECK_EQUAL(bob.name, "robert");
  auto taken = make_nick("Carol");
  names.on_nick(bob, taken);
  auto ours = make_nick("NINA");
  names.on_nick(bob, ours);
  CAF_CHECK_EQUAL(bob.name, "robert");
  CAF_CHECK_EQUAL(callee.log,
                  (std::vector<std::string>{"notice bob is now known as robert",
                                            "send 1 refuse", "send 1 refuse"}));
}

CAF_TEST(a refusal of our rename takes the old name back in time) {
  auto& bob = member(1, bob_id, "bob");
  CAF_REQUIRE(names.rename("zed") == std::nullopt);
  callee.log.clear();
  CAF_MESSAGE("a refusal about another name changes nothing");
  CAF_CHECK(!names.on_refuse(bob, refused("other")));
  CAF_MESSAGE("nothing branches on the text: the code and name decide");
  CAF_CHECK(!names.on_refuse(
    bob, make_refuse(refusal::other, naming::taken_reason("zed"), "zed")));
  CAF_CHECK(names.on_refuse(bob, refused("zed")));
  CAF_CHECK_EQUAL(names.name(), "nina");
  CAF_CHECK_EQUAL(callee.log.back(), "notice Could not take the name zed: "
                                       + naming::taken_reason("zed")
                                       + "; you are nina again");
  CAF_MESSAGE("once undone, the same refusal again is stale");
  CAF_CHECK(!names.on_refuse(bob, refused("nina")));
}

CAF_TEST(a late refusal is stale) {
  auto& bob = member(1, bob_id, "bob");
  CAF_REQUIRE(names.rename("zed") == std::nullopt);
  callee.clock += 6s;
  CAF_CHECK(!names.on_refuse(bob, refused("zed")));
  CAF_CHECK_EQUAL(names.name(), "zed");
}

CAF_TEST_FIXTURE_SCOPE_END()
