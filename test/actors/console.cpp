// SPDX-License-Identifier: MIT
// Deterministic tests of the Console: what typed lines become, what is
// released to the stdin reader, and how incoming lines are shown. The
// console is the production broker, run by CAF's test multiplexer;
// membership is a plain actor that records what it gets.

#define CAF_SUITE actors.console

#include "actors/console.hpp"

#include <ctime>
#include <regex>
#include <set>

#include <caf/test/io_dsl.hpp>

#include "actors/messages.hpp"

using namespace groupchat;

namespace {

struct fixture : test_node_fixture<> {
  /// What the console displayed, what membership got, what was released.
  std::vector<std::string> shown;
  std::vector<std::string> got;
  size_t released = 0;
  std::vector<std::string> completions;
  caf::actor membership;
  caf::actor console;

  fixture() {
    // State goes in as an argument: CAF 0.17 dereferences a null pointer
    // (UBSan) when spawning a function without arguments.
    membership = sys.spawn(
      [](caf::event_based_actor*, fixture* fix) -> caf::behavior {
        auto note = [fix](std::string x) { fix->got.push_back(std::move(x)); };
        return {
          [=](atom::chat, const std::string& x) { note("chat " + x); },
          [=](atom::action, const std::string& x) { note("action " + x); },
          [=](atom::whisper, const std::string& to, const std::string& x) {
            note("whisper " + to + ": " + x);
          },
          [=](atom::nick, const std::string& x) { note("nick " + x); },
          [=](atom::leave) { note("leave"); },
          [=](atom::who) {
            note("who");
            std::vector<protocol::member_summary> others{
              {"bob", "", "10.0.0.2:5001", 65, {}}};
            return caf::make_message(std::string{"alice"}, uint16_t{5000},
                                     std::move(others));
          },
        };
      },
      this);
  }

  ~fixture() override {
    for (auto& hdl : {console, membership})
      caf::anon_send_exit(hdl, caf::exit_reason::kill);
    run();
  }

  void start(console_options opts = {}, bool attach = true) {
    opts.display = [this](const std::string& x) { shown.push_back(x); };
    opts.release = [this](size_t n) { released += n; };
    opts.completions = [this](std::vector<std::string> names) {
      completions = std::move(names);
    };
    console = caf::actor_cast<caf::actor>(spawn_console(sys, std::move(opts)));
    if (attach)
      caf::anon_send(console, atom::attach_v,
                     caf::actor_cast<membership_actor>(membership));
    run();
  }

  static console_options terminal(bool color = false) {
    console_options opts;
    opts.terminal = true;
    opts.color = color;
    opts.name = "alice";
    return opts;
  }

  void type(const std::string& line) {
    caf::anon_send(console, atom::line_v, line);
    run();
  }

  /// A message from membership to the console.
  template <class... Ts>
  void incoming(Ts&&... xs) {
    caf::send_as(membership, console, std::forward<Ts>(xs)...);
    run();
  }

  /// A line from member `name`, as membership shows it.
  void said(std::string name, std::string text, bool action = false,
            bool whisper = false) {
    auto ev = protocol::event::line(std::move(name), {}, std::move(text));
    ev.action = action;
    ev.whisper = whisper;
    incoming(atom::show_v, std::move(ev));
  }

  /// A line said earlier, at `time` (microseconds since the epoch).
  void earlier(std::string name, std::string text, bool action, uint64_t time) {
    auto ev = protocol::event::line(std::move(name), {}, std::move(text));
    ev.action = action;
    ev.history = true;
    ev.time = time;
    incoming(atom::show_v, std::move(ev));
  }

  /// The last line shown.
  std::string last_shown() {
    return shown.empty() ? std::string{"(nothing)"} : shown.back();
  }

  /// Whether the last line shown rings the bell.
  bool rang() {
    return !shown.empty() && !shown.back().empty()
           && shown.back().back() == '\a';
  }
};

using strings = std::vector<std::string>;

// "[HH:MM:SS] " at the start of a line, as at a terminal.
const std::regex stamped{R"(^\[\d\d:\d\d:\d\d\] .*)"};

// The colour a line starts with ("\033[38;5;Nm").
std::string color_of(const std::string& line) {
  return line.substr(0, line.find('m') + 1);
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(console_tests, fixture)

CAF_TEST(a typed line goes to membership as chat and is not released) {
  start();
  type("hello there");
  CAF_CHECK_EQUAL(got, strings{"chat hello there"});
  CAF_CHECK_EQUAL(released, 0u);
  CAF_CHECK(shown.empty()); // No echo in pipe mode.
}

CAF_TEST(commands become their messages to membership) {
  start();
  incoming(atom::who_v, strings{"bob smith", "carol"});
  type("/me waves");
  type("/msg bob smith hi there");
  type("/msg \"carol\" psst");
  type("//slash");
  CAF_CHECK_EQUAL(got, (strings{"action waves", "whisper bob smith: hi there",
                                "whisper carol: psst", "chat /slash"}));
  CAF_CHECK_EQUAL(released, 0u);
  type("/nick dave");
  CAF_CHECK_EQUAL(got.back(), "nick dave");
  CAF_CHECK_EQUAL(released, 1u);
}

CAF_TEST(lines that send nothing are released one each) {
  start();
  type("");
  type("   ");
  type("/bogus");
  type("/msg bob");
  type("/help");
  CAF_CHECK(got.empty());
  CAF_CHECK_EQUAL(released, 5u);
  CAF_REQUIRE_GREATER(shown.size(), 2u);
  CAF_CHECK_EQUAL(shown[0].rfind("Unknown command /bogus", 0), 0u);
  CAF_CHECK_EQUAL(shown[1].rfind("Usage: /msg NAME TEXT", 0), 0u);
  CAF_CHECK_EQUAL(shown[2].rfind("Type a line and press Enter", 0), 0u);
  CAF_CHECK_EQUAL(shown.back(), "/help            this text");
}

CAF_TEST(who asks membership and shows its answer) {
  start();
  type("/who");
  CAF_CHECK_EQUAL(got, strings{"who"});
  CAF_CHECK_EQUAL(shown, (strings{"alice (you) listening on port 5000",
                                  "bob at 10.0.0.2:5001, here for 1m5s"}));
  CAF_CHECK_EQUAL(released, 1u);
}

CAF_TEST(quit says its words then leaves once and later input is released) {
  start();
  type("/quit see you");
  CAF_CHECK_EQUAL(got, (strings{"chat see you", "leave"}));
  CAF_CHECK_EQUAL(released, 0u);
  type("too late");
  caf::anon_send(console, atom::eof_v);
  run();
  CAF_CHECK_EQUAL(got.size(), 2u);
  CAF_CHECK_EQUAL(released, 1u);
}

CAF_TEST(exit and end of input leave) {
  start();
  type("exit");
  CAF_CHECK_EQUAL(got, strings{"leave"});
  CAF_CHECK_EQUAL(released, 1u);
  caf::anon_send_exit(console, caf::exit_reason::kill);
  got.clear();
  start();
  caf::anon_send(console, atom::eof_v);
  run();
  CAF_CHECK_EQUAL(got, strings{"leave"});
}

CAF_TEST(lines typed before attach are released not sent) {
  start({}, false);
  type("early");
  CAF_CHECK(got.empty());
  CAF_CHECK_EQUAL(released, 1u);
}

CAF_TEST(own lines are echoed as everyone sees them) {
  console_options opts;
  opts.echo_name = "alice";
  start(opts);
  type("hi");
  type("/me waves");
  CAF_CHECK_EQUAL(shown, (strings{"alice: hi", "* alice waves"}));
  incoming(atom::nick_v, std::string{"al"});
  type("again");
  CAF_CHECK_EQUAL(last_shown(), "al: again");
}

CAF_TEST(incoming lines are shown as sent in pipe mode) {
  start();
  said(std::string{"bob"}, std::string{"hi"});
  said(std::string{"bob"}, std::string{"waves"}, true);
  said(std::string{"bob"}, std::string{"psst"}, false, true);
  incoming(atom::show_v,
           protocol::event::member(protocol::event::kind::joined, "carol", ""));
  earlier(std::string{"bob"}, std::string{"before"}, false,
          uint64_t{1700000000000000});
  incoming(atom::status_v, std::string{"alone in the group"});
  CAF_CHECK_EQUAL(shown,
                  (strings{"bob: hi", "* bob waves", "bob (private): psst",
                           "carol has joined the chat", "bob: before"}));
}

CAF_TEST(control characters from peers are shown as question marks) {
  start();
  said(std::string{"b\033ob"}, std::string{"a\033[2Jb\nc"});
  CAF_CHECK_EQUAL(last_shown(), "b?ob: a?[2Jb?c");
}

CAF_TEST(at a terminal lines carry their time and status lines show) {
  start(terminal());
  said(std::string{"bob"}, std::string{"hi"});
  incoming(atom::status_v, std::string{"alone in the group"});
  CAF_REQUIRE_EQUAL(shown.size(), 2u);
  for (auto& line : shown)
    CAF_CHECK(std::regex_match(line, stamped));
  CAF_CHECK_EQUAL(shown[0].substr(11), "bob: hi");
  CAF_CHECK_EQUAL(shown[1].substr(11), "alone in the group");
  CAF_MESSAGE("a line said earlier shows the time it was said");
  std::time_t said = 1700000000;
  char stamp[16];
  std::tm local{};
  localtime_r(&said, &local);
  std::strftime(stamp, sizeof(stamp), "[%H:%M:%S] ", &local);
  earlier(std::string{"bob"}, std::string{"old"}, true,
          uint64_t{1700000000000000});
  CAF_CHECK_EQUAL(last_shown(), std::string{stamp} + "(earlier) * bob old");
}

CAF_TEST(a line naming us as a word rings the bell at a terminal) {
  start(terminal());
  said(std::string{"bob"}, std::string{"hi Alice!"});
  CAF_CHECK(rang());
  said(std::string{"bob"}, std::string{"malice"});
  CAF_CHECK(!rang());
  said(std::string{"alice"}, std::string{"alice here"});
  CAF_CHECK(!rang());
  said(std::string{"bob"}, std::string{"psst"}, false, true);
  CAF_CHECK(rang());
}

CAF_TEST(without mention_bell a mention is only highlighted) {
  auto opts = terminal(true);
  opts.mention_bell = false;
  start(opts);
  said(std::string{"bob"}, std::string{"alice?"});
  CAF_CHECK(!rang());
  CAF_CHECK_NOT_EQUAL(last_shown().find("\033[1m"), std::string::npos);
  said(std::string{"bob"}, std::string{"hi all"});
  CAF_CHECK_EQUAL(last_shown().find("\033[1m"), std::string::npos);
}

CAF_TEST(eight names get eight colours and keep them) {
  console_options opts;
  opts.color = true;
  start(opts);
  std::set<std::string> colors;
  for (auto name : {"ann", "ben", "cat", "dan", "eve", "fay", "gus", "hal"}) {
    said(std::string{name}, std::string{"x"});
    CAF_CHECK_EQUAL(last_shown().rfind("\033[38;5;", 0), 0u);
    colors.insert(color_of(last_shown()));
  }
  CAF_CHECK_EQUAL(colors.size(), 8u);
  auto first = color_of(shown[0]);
  said(std::string{"ann"}, std::string{"again"});
  CAF_CHECK_EQUAL(color_of(last_shown()), first);
}

CAF_TEST(at a terminal too control and bidi characters show as question marks) {
  start(terminal());
  said("bob", "a\tb\033[2Jc\u202Ed\nz");
  CAF_CHECK_EQUAL(last_shown().substr(11), "bob: a\tb?[2Jc?d?z");
}

CAF_TEST(in json mode every event is one exact json line) {
  console_options opts;
  opts.json = true;
  opts.name = "alice";
  start(opts);
  incoming(atom::listen_v, strings{"127.0.0.1:5000"});
  CAF_CHECK(shown.empty()); // Part of `ready`, not a line of its own.
  incoming(atom::show_v, protocol::event::ready(true, "alice", ""));
  CAF_CHECK_EQUAL(last_shown(),
                  R"({"event":"ready","schema":1,"created":true,)"
                  R"("name":"alice","id":"","addresses":["127.0.0.1:5000"]})");
  said("bob: x", "a\nb\033");
  CAF_CHECK_EQUAL(last_shown().rfind(R"({"event":"chat","from":"bob: x",)"
                                     R"("id":"","text":"a\nb\u001b",)",
                                     0),
                  0u);
}

CAF_TEST(in json mode input is command objects) {
  console_options opts;
  opts.json = true;
  start(opts);
  type(R"({"cmd":"say","text":"/me is text"})");
  type(R"({"cmd":"msg","to":"bob","text":"psst"})");
  CAF_CHECK_EQUAL(got, (strings{"chat /me is text", "whisper bob: psst"}));
  CAF_CHECK(shown.empty()); // No echo.
  type("/who");
  CAF_CHECK_EQUAL(last_shown(), R"({"event":"error","code":"bad_input",)"
                                R"("text":"not a JSON object","line":3})");
  CAF_CHECK_EQUAL(released, 1u);
  type(R"({"cmd":"who"})");
  CAF_CHECK_EQUAL(last_shown(),
                  R"({"event":"members","members":[{"name":"bob","id":"",)"
                  R"("address":"10.0.0.2:5001"}]})");
  type(R"({"cmd":"quit","text":"bye"})");
  CAF_CHECK_EQUAL(got.back(), "leave");
}

CAF_TEST(the member list goes to completion) {
  start();
  incoming(atom::who_v, strings{"bob", "carol"});
  CAF_CHECK_EQUAL(completions, (strings{"bob", "carol"}));
}

CAF_TEST_FIXTURE_SCOPE_END()
