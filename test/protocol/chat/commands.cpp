// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.chat.commands

#include "protocol/chat/commands.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

using kind = typed_line::kind;

const std::vector<std::string> members{"bob", "bob smith", "Carol"};

typed_line typed(std::string line) {
  return parse_line(std::move(line), members);
}

} // namespace

CAF_TEST(plain lines are said and blank lines are not ) {
  CAF_CHECK(typed("hello").what == kind::say);
  CAF_CHECK_EQUAL(typed("hello\r").text, "hello");
  CAF_CHECK(typed("").what == kind::none);
  CAF_CHECK(typed(" \t ").what == kind::none);
  CAF_MESSAGE("a double slash sends a line that starts with a slash");
  CAF_CHECK(typed("//usr/bin").what == kind::say);
  CAF_CHECK_EQUAL(typed("//usr/bin").text, "/usr/bin");
}

CAF_TEST(leaving with and without last words) {
  CAF_CHECK(typed("exit").what == kind::leave);
  CAF_CHECK(typed(" exit ").what == kind::leave);
  CAF_CHECK(typed("/QUIT").what == kind::leave);
  CAF_CHECK(typed("/quit").text.empty());
  CAF_CHECK(typed("/quit   ").text.empty());
  CAF_CHECK_EQUAL(typed("/quit see you").text, "see you");
  CAF_CHECK(typed("exit now").what == kind::say);
  CAF_CHECK(is_exit_command("/quit bye"));
  CAF_CHECK(!is_exit_command("exits"));
}

CAF_TEST(commands and their mistakes) {
  CAF_CHECK(typed("/help").what == kind::help);
  CAF_CHECK(typed("/WHO").what == kind::who);
  auto nick = typed("/nick  robert ");
  CAF_CHECK(nick.what == kind::nick);
  CAF_CHECK_EQUAL(nick.name, "robert");
  CAF_CHECK_EQUAL(typed("/nick").text, "Usage: /nick NEWNAME");
  auto me = typed("/me waves");
  CAF_CHECK(me.what == kind::action);
  CAF_CHECK_EQUAL(me.text, "waves");
  CAF_CHECK_EQUAL(typed("/me").text, "Usage: /me ACTION");
  auto unknown = typed("/Frob x");
  CAF_CHECK(unknown.what == kind::mistake);
  CAF_CHECK_EQUAL(unknown.text, "Unknown command /frob (type /help; start a "
                                "line with // to send a slash)");
}

CAF_TEST(msg finds the longest member name the words start with) {
  auto msg = typed("/msg bob smith hi there");
  CAF_CHECK(msg.what == kind::whisper);
  CAF_CHECK_EQUAL(msg.name, "bob smith");
  CAF_CHECK_EQUAL(msg.text, "hi there");
  msg = typed("/msg bob hi");
  CAF_CHECK_EQUAL(msg.name, "bob");
  CAF_CHECK_EQUAL(msg.text, "hi");
  CAF_MESSAGE("no member: the first word, for membership to refuse");
  msg = typed("/msg zed  hi");
  CAF_CHECK_EQUAL(msg.name, "zed");
  CAF_CHECK_EQUAL(msg.text, "hi");
  CAF_MESSAGE("names compare exactly: carol is not Carol");
  CAF_CHECK_EQUAL(typed("/msg carol x").name, "carol");
}

CAF_TEST(msg takes a quoted name with escapes) {
  auto msg = typed(R"(/msg "say \"hi\" bob" hello)");
  CAF_CHECK(msg.what == kind::whisper);
  CAF_CHECK_EQUAL(msg.name, R"(say "hi" bob)");
  CAF_CHECK_EQUAL(msg.text, "hello");
  CAF_CHECK(typed(R"(/msg "bob" )").what == kind::mistake);
  CAF_CHECK(typed(R"(/msg "bob hi)").what == kind::mistake);
  CAF_CHECK(typed("/msg bob").what == kind::mistake);
  CAF_CHECK(typed("/msg").what == kind::mistake);
}

CAF_TEST(who lists us first then the members by name) {
  auto lines = format_who("alice", 5000,
                          {{"carol", "", "10.0.0.3:5002", 3725, {}},
                           {"bob", "", "10.0.0.2:5001", 59, {}},
                           {"dave", "", "10.0.0.4:5003", 61, "bob"}});
  CAF_CHECK_EQUAL(lines, (std::vector<std::string>{
                           "alice (you) listening on port 5000",
                           "bob at 10.0.0.2:5001, here for 59s",
                           "carol at 10.0.0.3:5002, here for 1h2m",
                           "dave at 10.0.0.4:5003 via bob, here for 1m1s"}));
}

CAF_TEST(who counts from when a member says it joined else from meeting it) {
  using namespace std::chrono_literals;
  peer_table peers;
  time_point t0{};
  auto& old = peers.add(1, stage::member, true, {"10.0.0.2", 5001}, t0);
  old.name = "bob";
  old.since = 1'000'000'000; // Says it joined at 1,000 s.
  auto& quiet = peers.add(2, stage::member, false, {"10.0.0.3", 5002}, t0);
  quiet.name = "carol";
  quiet.joined_at = t0 + 10s; // Says nothing: we met it at 10 s.
  auto& future = peers.add(3, stage::member, false, {"10.0.0.4", 5003}, t0);
  future.name = "dave";
  future.since = 9'000'000'000; // A clock ahead of ours: not believed.
  future.joined_at = t0 + 30s;
  auto s = summarize(peers.members(), t0 + 100s, 1'060'000'000);
  CAF_REQUIRE_EQUAL(s.size(), 3u);
  CAF_CHECK_EQUAL(s[0].address, "10.0.0.2:5001");
  CAF_CHECK_EQUAL(s[0].seconds, 60);
  CAF_CHECK_EQUAL(s[1].seconds, 90);
  CAF_CHECK_EQUAL(s[2].seconds, 70);
}
