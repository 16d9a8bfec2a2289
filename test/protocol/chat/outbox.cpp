// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.chat.outbox

#include "protocol/chat/outbox.hpp"

#include <array>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

// Records what the outbox asks for, one line each; shows nothing.
struct recorder : outbox_callee, delivery_callee {
  std::vector<std::string> log;
  std::set<std::string> members{"bob"};
  size_t released = 0;
  /// What `sending` announced, in order, and the log's size then.
  std::vector<std::pair<size_t, size_t>> announced;

  void sending(size_t n) override {
    announced.emplace_back(n, log.size());
  }

  void broadcast(std::string body) override {
    log.push_back("all " + body);
  }

  bool send_to(const std::string& name, std::string body) override {
    if (members.count(name) == 0)
      return false;
    log.push_back("to " + name + " " + body);
    return true;
  }

  void report(event ev) override {
    log.push_back("! " + to_text(ev));
  }

  void release(size_t n) override {
    released += n;
  }

  bool carried() override {
    return through_carrier;
  }

  uint64_t run() override {
    return 5;
  }

  bool through_carrier = false;
};

// The log's entries of `type` (their JSON `type`), decoded.
std::vector<message> sent(const std::vector<std::string>& log,
                          message_type type) {
  std::vector<message> result;
  for (auto& entry : log)
    if (entry.rfind("all ", 0) == 0)
      if (auto msg = decode(entry.substr(4)); msg && msg->type == type)
        result.push_back(*msg);
  return result;
}

struct fixture {
  recorder rec;
  delivery chat{200, 1 << 20, rec};
  outbox out{1024, chat, rec};
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(outbox_tests, fixture)

CAF_TEST(lines wait for the join and go out in the order typed) {
  out.say("one", false, 10);
  out.whisper("bob", "psst", true);
  out.say("waves", true, 20);
  CAF_CHECK(rec.log.empty());
  CAF_CHECK_EQUAL(rec.released, 0u);
  CAF_CHECK_EQUAL(chat.lines_sent(), 0u);
  out.open();
  CAF_REQUIRE_EQUAL(rec.log.size(), 4u);
  CAF_CHECK_EQUAL(rec.log[0], "all " + encode(make_chat("one", 1)));
  CAF_CHECK_EQUAL(rec.log[1], "to bob " + encode(make_whisper("psst", 1)));
  CAF_CHECK_EQUAL(rec.log[2], "! -> bob: psst");
  CAF_CHECK_EQUAL(rec.log[3], "all " + encode(make_action("waves", 2)));
  CAF_CHECK_EQUAL(rec.released, 3u);
  CAF_CHECK_EQUAL(chat.lines_sent(), 2u);
  CAF_CHECK_EQUAL(chat.replay_size(0), 2u);
}

CAF_TEST(the callee hears how many frames go before they go) {
  out.say("one", false, 10);
  out.whisper("bob", "psst", true);
  out.say("two", false, 20);
  out.open();
  out.say("three", false, 30);
  using entry = std::pair<size_t, size_t>;
  // Three waiting (a burst), announced before the first; then one alone.
  CAF_CHECK_EQUAL(rec.announced, (std::vector<entry>{{3, 0}, {1, 4}}));
  CAF_CHECK_EQUAL(rec.log.size(), 5u);
}

CAF_TEST(a member whose output piles up holds every line back) {
  out.open();
  out.congested(7, true);
  out.say("one", false, 10);
  out.congested(8, true);
  out.congested(7, false);
  CAF_CHECK(rec.log.empty());
  out.congested(8, false);
  CAF_CHECK_EQUAL(rec.log.size(), 1u);
  CAF_CHECK_EQUAL(rec.released, 1u);
}

CAF_TEST(lines too long for a frame are refused with a notice) {
  out.open();
  out.say(std::string(2000, 'x'), false, 10);
  CAF_CHECK_EQUAL(rec.released, 1u);
  CAF_REQUIRE_EQUAL(rec.log.size(), 1u);
  CAF_CHECK(rec.log[0].find("too long") != std::string::npos);
  CAF_MESSAGE("it was never numbered: the next line is still number 1");
  CAF_CHECK_EQUAL(chat.next_public(), 1u);
  CAF_MESSAGE("a line that fits now but not as history later is refused too");
  auto fits_now = 1024 - encode(make_chat("", 1)).size();
  out.say(std::string(fits_now, 'y'), false, 10);
  CAF_CHECK_EQUAL(rec.released, 2u);
  CAF_CHECK_EQUAL(chat.next_public(), 1u);
  CAF_MESSAGE("nor one that others could not pass on as carried history");
  out.say(std::string(fits_now - 300, 'z'), false, 10);
  CAF_CHECK_EQUAL(rec.released, 3u);
  CAF_CHECK_EQUAL(chat.next_public(), 1u);
  out.say(std::string(fits_now - 500, 'z'), false, 10);
  CAF_CHECK_EQUAL(chat.next_public(), 2u);
}

CAF_TEST(a private line needs a member to go to) {
  out.open();
  out.whisper("zed", "hi", false);
  CAF_CHECK_EQUAL(
    rec.log, (std::vector<std::string>{"! No member named zed (see /who)"}));
  CAF_MESSAGE("a member that left before the line went out");
  out.congested(1, true);
  out.whisper("bob", "hi", true);
  rec.members.clear();
  out.congested(1, false);
  CAF_CHECK_EQUAL(rec.log.back(), "! Not sent to bob, who left: hi");
  CAF_CHECK_EQUAL(rec.released, 2u);
}

CAF_TEST(leaving sends what waits regardless and refuses the rest) {
  out.open();
  out.congested(1, true);
  out.say("last words", false, 10);
  out.close();
  CAF_CHECK_EQUAL(rec.log.size(), 1u);
  out.say("too late", false, 20);
  out.whisper("bob", "too late", true);
  CAF_CHECK_EQUAL(rec.log.size(), 1u);
  CAF_CHECK_EQUAL(rec.released, 3u);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(lines are sealed in batches behind them or alone while carried) {
  recorder rec;
  delivery chat{200, 1 << 20, rec};
  auto key = std::make_shared<const identity>(std::array<uint8_t, 32>{4});
  line_seals seals{key, 2};
  outbox out{1024, chat, rec, &seals};
  out.open();
  for (auto text : {"one", "two", "three"})
    out.say(text, false, 10);
  // A batch is full at two lines: sealed before the third joins the next.
  auto lines = sent(rec.log, message_type::chat);
  auto seal = sent(rec.log, message_type::seal);
  CAF_REQUIRE_EQUAL(lines.size(), 3u);
  CAF_REQUIRE_EQUAL(seal.size(), 1u);
  CAF_CHECK(lines[0].proof.empty() && lines[0].time == 10);
  CAF_CHECK(decode(rec.log[2].substr(4))->type == message_type::seal);
  CAF_CHECK(sealed_by(key->id(), 5, {lines[0], lines[1]}, seal[0].proof));
  // A heartbeat seals the rest; nothing new, nothing sent.
  out.seal();
  out.seal();
  seal = sent(rec.log, message_type::seal);
  CAF_REQUIRE_EQUAL(seal.size(), 2u);
  CAF_CHECK_EQUAL(seal[1].first, 3u);
  CAF_CHECK_EQUAL(rec.released, 3u);
  // Carried: each line is signed alone, after the seal of what came before.
  out.say("four", false, 20);
  rec.through_carrier = true;
  out.say("five", false, 30);
  lines = sent(rec.log, message_type::chat);
  CAF_REQUIRE_EQUAL(lines.size(), 5u);
  CAF_CHECK(sealed_by(key->id(), 5, {lines[4]}, lines[4].proof));
  seal = sent(rec.log, message_type::seal);
  CAF_CHECK_EQUAL(seal.back().seq, 4u);
  // Leaving seals what is left. Ill-formed UTF-8 is signed as receivers
  // decode it: the seal checks against what arrived.
  rec.through_carrier = false;
  out.say("six \xff", false, 40);
  out.close();
  lines = sent(rec.log, message_type::chat);
  CAF_CHECK_EQUAL(lines.back().text, "six \xEF\xBF\xBD");
  seal = sent(rec.log, message_type::seal);
  CAF_CHECK_EQUAL(seal.back().first, 6u);
  CAF_CHECK(sealed_by(key->id(), 5, {lines.back()}, seal.back().proof));
  CAF_CHECK_EQUAL(rec.released, 6u);
}
