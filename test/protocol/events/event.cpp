// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.events.event

#include "protocol/events/event.hpp"

#include <set>
#include <string>

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

const peer_id bob_id(peer_id_size, 'b');

} // namespace

CAF_TEST(every kind has its own name) {
  std::set<std::string> names;
  for (auto what : all_kinds)
    names.insert(to_string(what));
  CAF_CHECK_EQUAL(names.size(), std::size(all_kinds));
  CAF_CHECK_EQUAL(to_string(event::kind::chat), std::string{"chat"});
}

CAF_TEST(members come sorted by name) {
  auto ev = event::member_list(
    {{"carol", "", ""}, {"Bob", "", ""}, {"alice", "", ""}});
  CAF_REQUIRE_EQUAL(ev.members.size(), 3u);
  CAF_CHECK_EQUAL(ev.members[0].name, "Bob");
  CAF_CHECK_EQUAL(to_text(ev), "Members: Bob, alice, carol");
  CAF_CHECK_EQUAL(to_text(event::member_list({})), "Members: ");
}

CAF_TEST(system events read as the sentences users know) {
  using kind = event::kind;
  CAF_CHECK_EQUAL(to_text(event::ready(true, "alice", "")),
                  "Created a new group chat");
  CAF_CHECK_EQUAL(to_text(event::ready(false, "alice", "")),
                  "Joined the group chat");
  CAF_CHECK_EQUAL(to_text(event::member(kind::joined, "bob", bob_id)),
                  "bob has joined the chat");
  CAF_MESSAGE("a member back after a loss reads as before: joined");
  CAF_CHECK_EQUAL(to_text(event::member(kind::back, "bob", bob_id)),
                  "bob has joined the chat");
  CAF_CHECK_EQUAL(to_text(event::member(kind::left, "bob", bob_id)),
                  "bob has left the chat");
  CAF_CHECK_EQUAL(to_text(event::member(kind::lost, "bob", bob_id)),
                  "bob lost connection");
  CAF_CHECK_EQUAL(to_text(event::renamed("bob", "robert", bob_id, false)),
                  "bob is now known as robert");
  CAF_CHECK_EQUAL(to_text(event::renamed("al", "alice", "", true)),
                  "You are now known as alice");
  CAF_CHECK_EQUAL(to_text(event::missed("bob", bob_id, 1)),
                  "1 line from bob did not reach you (said while you were "
                  "apart, and no longer kept)");
  CAF_CHECK_EQUAL(to_text(event::failure("too_long", "Message not sent")),
                  "Message not sent");
}

CAF_TEST(lines read as in a pipe) {
  auto ev = event::line("bob", bob_id, "hi");
  CAF_CHECK_EQUAL(to_text(ev), "bob: hi");
  ev.action = true;
  CAF_CHECK_EQUAL(to_text(ev), "* bob hi");
  ev.action = false;
  ev.whisper = true;
  CAF_CHECK_EQUAL(to_text(ev), "bob (private): hi");
  ev.to = "carol";
  CAF_CHECK_EQUAL(to_text(ev), "-> carol: hi");
}

CAF_TEST(events compare by every field) {
  auto x = event::line("bob", bob_id, "hi");
  auto y = x;
  CAF_CHECK(x == y);
  y.time = 1;
  CAF_CHECK(!(x == y));
  y = x;
  y.addresses.push_back("127.0.0.1:5000");
  CAF_CHECK(!(x == y));
}
