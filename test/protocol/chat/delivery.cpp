// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.chat.delivery

#include "protocol/chat/delivery.hpp"

#include <string>
#include <vector>

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

const peer_id bob(peer_id_size, 'b');
const peer_id carol(peer_id_size, 'c');

// Records what delivery asks for, as one string per line.
struct recorder : delivery_callee {
  std::vector<std::string> screen;

  void report(event line) override {
    if (line.what != event::kind::chat) {
      screen.push_back("! " + to_text(line));
      return;
    }
    std::string prefix;
    if (line.history)
      prefix = "(earlier " + std::to_string(line.time) + ") ";
    else if (line.whisper)
      prefix = "(private) ";
    else if (line.action)
      prefix = "* ";
    screen.push_back(prefix + line.name + ": " + line.text);
  }
};

message hello_from(uint64_t said, uint64_t seen = 0, uint64_t replay = 0,
                   bool welcome = true) {
  auto msg = welcome
               ? make_welcome("x", bob, {}, said)
               : make_greeting("x", 1, bob, std::string(nonce_size, 'd'), said);
  msg.seen = seen;
  msg.replay = replay;
  return msg;
}

struct fixture {
  recorder rec;
  delivery chat{200, 1 << 20, rec};

  // A member that joined the group with us, nothing said yet.
  fixture() {
    chat.on_met(1, bob, "bob", hello_from(0));
    chat.on_met(2, carol, "carol", hello_from(0));
    chat.on_joined();
  }

  void live(uint64_t conn, const peer_id& id, const std::string& name,
            std::string text, uint64_t seq) {
    auto msg = make_chat(std::move(text), seq);
    chat.on_chat(conn, id, name, msg);
  }

  void earlier(uint64_t conn, const peer_id& id, const std::string& name,
               std::string text, uint64_t seq, uint64_t time) {
    auto msg = make_history(std::move(text), seq, false, time);
    chat.on_chat(conn, id, name, msg);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(delivery_tests, fixture)

CAF_TEST(a line that arrives twice is shown once and in order) {
  live(1, bob, "bob", "one", 1);
  live(1, bob, "bob", "one", 1);
  live(3, bob, "bob", "one again, on a second connection", 1);
  live(1, bob, "bob", "two", 2);
  CAF_CHECK_EQUAL(rec.screen,
                  (std::vector<std::string>{"bob: one", "bob: two"}));
}

CAF_TEST(senders are numbered apart) {
  live(1, bob, "bob", "hi", 1);
  live(2, carol, "carol", "hi", 1);
  CAF_CHECK_EQUAL(rec.screen.size(), 2u);
  CAF_CHECK_EQUAL(chat.seen_of(bob), 1u);
  CAF_CHECK_EQUAL(chat.seen_of(carol), 1u);
}

CAF_TEST(a sender that left is forgotten) {
  live(1, bob, "bob", "hi", 1);
  chat.forget(bob);
  CAF_CHECK_EQUAL(chat.seen_of(bob), 0u);
}

CAF_TEST(a restarted sender numbers its lines anew) {
  auto first_run = hello_from(0);
  first_run.since = 100;
  chat.on_met(1, bob, "bob", first_run);
  live(1, bob, "bob", "one", 1);
  live(1, bob, "bob", "two", 2);
  CAF_MESSAGE("greeting bob, we say how far we got in which run");
  message greeting;
  chat.say_seen(bob, 0, greeting);
  CAF_CHECK_EQUAL(greeting.seen, 2u);
  CAF_CHECK_EQUAL(greeting.seen_since, 100u);
  CAF_MESSAGE("the same run again (a second connection): nothing forgotten");
  chat.on_run(bob, 100);
  CAF_CHECK_EQUAL(chat.seen_of(bob), 2u);
  CAF_MESSAGE("bob restarted with his key file: a new run, from 1");
  message welcome;
  chat.say_seen(bob, 200, welcome);
  CAF_CHECK_EQUAL(welcome.seen, 0u);
  CAF_CHECK_EQUAL(welcome.seen_since, 200u);
  auto second_run = hello_from(0, 0, 0, false);
  second_run.since = 200;
  chat.on_met(3, bob, "bob", second_run);
  live(3, bob, "bob", "one of the new run", 1);
  CAF_CHECK_EQUAL(rec.screen,
                  (std::vector<std::string>{"bob: one", "bob: two",
                                            "bob: one of the new run"}));
}

CAF_TEST(a hole is reported once and never silently) {
  live(1, bob, "bob", "one", 1);
  live(1, bob, "bob", "five", 5);
  CAF_CHECK_EQUAL(rec.screen,
                  (std::vector<std::string>{
                    "bob: one",
                    "! 3 lines from bob did not reach you (said while you "
                    "were apart, and no longer kept)",
                    "bob: five"}));
}

CAF_TEST(a jump that cannot be real is dropped) {
  live(1, bob, "bob", "far", max_seq_gap + 2);
  CAF_CHECK(rec.screen.empty());
  live(1, bob, "bob", "one", 1);
  CAF_CHECK_EQUAL(rec.screen, (std::vector<std::string>{"bob: one"}));
}

CAF_TEST(private lines have numbers of their own) {
  live(1, bob, "bob", "public", 1);
  auto whisper = make_whisper("psst", 1);
  chat.on_chat(1, bob, "bob", whisper);
  auto again = make_whisper("psst", 1);
  chat.on_chat(1, bob, "bob", again);
  CAF_CHECK_EQUAL(rec.screen, (std::vector<std::string>{
                                "bob: public", "(private) bob: psst"}));
}

CAF_TEST(what a member said before we met comes as history only) {
  CAF_MESSAGE("bob greets us again, having said 3 lines meanwhile");
  chat.on_met(4, bob, "bob", hello_from(3, 0, 0, false));
  live(4, bob, "bob", "said before", 3);
  CAF_CHECK(rec.screen.empty());
  earlier(4, bob, "bob", "said before", 3, 30);
  CAF_CHECK_EQUAL(rec.screen,
                  (std::vector<std::string>{
                    "! 2 lines from bob did not reach you (said while you "
                    "were apart, and no longer kept)",
                    "(earlier 30) bob: said before"}));
}

CAF_TEST(a member we meet gets what it has not seen of ours) {
  chat.said(1, 10, "one", false);
  chat.said(2, 20, "two", true);
  CAF_MESSAGE("numbered, but not sent yet: not said as far as members know");
  CAF_CHECK_EQUAL(chat.replay_size(0), 0u);
  chat.sent(2);
  CAF_CHECK_EQUAL(chat.next_public(), 3u);
  CAF_CHECK_EQUAL(chat.lines_sent(), 2u);
  CAF_CHECK_EQUAL(chat.replay_size(1), 1u);
  auto replay = chat.on_met(5, carol, "carol", hello_from(0, 1));
  CAF_REQUIRE_EQUAL(replay.size(), 1u);
  CAF_CHECK_EQUAL(replay[0].text, "two");
  CAF_CHECK(replay[0].history);
  CAF_CHECK(replay[0].action);
  CAF_CHECK_EQUAL(replay[0].time, 20u);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(while joining history shows first in the order said then live lines) {
  recorder rec;
  delivery chat{200, 1 << 20, rec};
  chat.on_met(1, bob, "bob", hello_from(2, 0, 2));
  chat.on_met(2, carol, "carol", hello_from(1, 0, 1));
  chat.on_joined();
  CAF_CHECK(chat.holding());
  auto h2 = make_history("carol at 15", 1, false, 15);
  chat.on_chat(2, carol, "carol", h2);
  auto live = make_chat("live from carol", 2);
  chat.on_chat(2, carol, "carol", live);
  auto h1 = make_history("bob at 10", 1, false, 10);
  chat.on_chat(1, bob, "bob", h1);
  CAF_MESSAGE("bob still owes a line: everything waits");
  CAF_CHECK(rec.screen.empty());
  auto h3 = make_history("bob at 20", 2, false, 20);
  chat.on_chat(1, bob, "bob", h3);
  CAF_CHECK(!chat.holding());
  CAF_CHECK_EQUAL(rec.screen,
                  (std::vector<std::string>{"(earlier 10) bob: bob at 10",
                                            "(earlier 15) carol: carol at 15",
                                            "(earlier 20) bob: bob at 20",
                                            "carol: live from carol"}));
}

CAF_TEST(history that never comes holds nothing back for good) {
  recorder rec;
  delivery chat{200, 1 << 20, rec};
  chat.on_met(1, bob, "bob", hello_from(5, 0, 5));
  chat.on_joined();
  auto live = make_chat("six", 6);
  chat.on_chat(1, bob, "bob", live);
  CAF_CHECK(rec.screen.empty());
  CAF_MESSAGE("the connection goes: its history will not come");
  chat.on_closed(1);
  CAF_CHECK_EQUAL(rec.screen, (std::vector<std::string>{"bob: six"}));
}

CAF_TEST(the join timeout releases what is held) {
  recorder rec;
  delivery chat{200, 1 << 20, rec};
  chat.on_met(1, bob, "bob", hello_from(1, 0, 1));
  chat.on_joined();
  auto live = make_chat("two", 2);
  chat.on_chat(1, bob, "bob", live);
  chat.release();
  CAF_CHECK(!chat.holding());
  CAF_CHECK_EQUAL(rec.screen.back(), "bob: two");
}

CAF_TEST(a welcome without history reports what is not kept) {
  recorder rec;
  delivery chat{200, 1 << 20, rec};
  chat.on_met(1, bob, "bob", hello_from(0));
  chat.on_joined();
  CAF_MESSAGE("bob comes back having said 4 lines and keeping none");
  chat.on_met(2, bob, "bob", hello_from(4, 0, 0));
  CAF_CHECK_EQUAL(rec.screen,
                  (std::vector<std::string>{
                    "! 4 lines from bob did not reach you (said while you "
                    "were apart, and no longer kept)"}));
  CAF_CHECK_EQUAL(chat.seen_of(bob), 4u);
}
