// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.chat.relay_history

#include "protocol/chat/relay_network.hpp"

CAF_TEST(a batch of history with a line renumbered shows none of it) {
  network net{29, 3, {}};
  net.chat(3, "real ");
  net.leave(0);
  net.tamper = [](size_t from, message& msg) {
    if (from == 1 && msg.type == message_type::carried && msg.seq == 2)
      msg.seq = 4;
  };
  auto& carol = net.join(1);
  net.drain();
  CAF_CHECK_EQUAL(carol.count(event::kind::chat), 0u);
  CAF_REQUIRE_EQUAL(carol.count(event::kind::notice), 1u);
  CAF_CHECK_EQUAL(carol.shown.back().code, "forged_line");
}

CAF_TEST(a newcomer sees the lines of a member who left before it came) {
  for (unsigned seed = 1; seed <= 10; ++seed) {
    network net{seed, 3, {}};
    net.chat(3, "said ");
    net.leave(0);
    auto& carol = net.join(1);
    net.drain();
    // From the entry only, each line once, as history, in order.
    std::vector<std::string> got;
    for (auto& ev : carol.shown) {
      CAF_REQUIRE(ev.what == event::kind::chat);
      CAF_CHECK(ev.history);
      CAF_CHECK_EQUAL(ev.name, "m0");
      got.push_back(ev.text);
    }
    CAF_CHECK_EQUAL(got,
                    (std::vector<std::string>{"said 1", "said 2", "said 3"}));
  }
}

CAF_TEST(a forged line of a member who left is not passed on) {
  network net{4, 3, {}};
  net.chat(1, "real ");
  net.leave(0);
  net.tamper = [](size_t from, message& msg) {
    if (from == 1 && msg.type == message_type::carried)
      msg.text = "forged";
  };
  auto& carol = net.join(1);
  net.drain();
  CAF_CHECK_EQUAL(carol.count(event::kind::chat), 0u);
  CAF_CHECK_EQUAL(carol.count(event::kind::notice), 1u);
}

CAF_TEST(history under our own name or a member name is not taken) {
  network net{19, 3, {}};
  net.chat(1, "real ");
  net.leave(0);
  // Member 1 passes on 0's line under the newcomer's own name, then under
  // member 2's.
  std::string rename;
  net.tamper = [&](size_t from, message& msg) {
    if (from == 1 && msg.type == message_type::carried)
      msg.name = rename;
  };
  rename = "m3";
  auto& carol = net.join(1);
  net.drain();
  CAF_CHECK_EQUAL(carol.count(event::kind::chat), 0u);
  rename = "m2";
  net.nodes[1]->carry.replay_to(*net.nodes[1]->peers.find(carol.index + 1));
  net.drain();
  CAF_CHECK_EQUAL(carol.count(event::kind::chat), 0u);
}

CAF_TEST(history cut short by one entry and sent whole by another checks) {
  network net{31, 3, {}};
  net.chat(3, "said ");
  net.leave(0);
  // The first entry's replay ends after one line (its connection broke);
  // the newcomer joins again through member 2.
  auto& carol = net.join(1);
  auto& from_1 = net.links[{1, carol.index}];
  CAF_REQUIRE_EQUAL(from_1.size(), 3u);
  from_1.resize(1);
  net.drain();
  net.nodes[2]->carry.replay_to(*net.nodes[2]->peers.find(carol.index + 1));
  net.drain();
  CAF_CHECK_EQUAL(carol.lines_of(*net.nodes[1]).size(), 0u);
  std::vector<std::string> got;
  for (auto& ev : carol.shown)
    if (ev.what == event::kind::chat)
      got.push_back(ev.text);
  CAF_CHECK_EQUAL(got,
                  (std::vector<std::string>{"said 1", "said 2", "said 3"}));
  CAF_CHECK_EQUAL(carol.count(event::kind::notice), 0u);
}

CAF_TEST(a bad seal of an author is not passed on and blames no entry) {
  network net{37, 3, {}};
  net.tamper = [](size_t from, message& msg) {
    if (from == 0 && msg.type == message_type::seal)
      msg.proof = std::string(proof_size, 'b');
  };
  net.chat(2, "said ");
  net.leave(0);
  net.tamper = nullptr;
  auto& carol = net.join(1);
  net.drain();
  CAF_CHECK_EQUAL(carol.count(event::kind::chat), 0u);
  CAF_CHECK_EQUAL(carol.count(event::kind::notice), 0u);
}

CAF_TEST(lines said before the carrier took over reach the far end) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    CAF_MESSAGE("seed " << seed);
    network net{seed, 3, {}};
    net.chat(2, "line ");
    // 0 and 2 part; both talk on before a carrier joins them again (the
    // one that asked and the one that did not): their lines reach 1 only,
    // in batches not sealed yet.
    net.cut(0, 2, seed % 2 == 0);
    for (auto k : {0, 2, 0, 2})
      net.nodes[k]->say("line " + std::to_string(net.nodes[k]->said + 1));
    for (auto k = net.rng() % 6; k > 0; --k)
      net.step();
    net.nodes[2]->say("line 5");
    net.drain();
    net.nodes[0]->say("line 5");
    net.drain();
    const std::vector<std::string> all{"line 1", "line 2", "line 3", "line 4",
                                       "line 5"};
    for (auto [reader, author] : {std::pair{2, 0}, std::pair{0, 2}}) {
      auto& r = *net.nodes[reader];
      CAF_CHECK_EQUAL(r.lines_of(*net.nodes[author]), all);
      CAF_CHECK_EQUAL(r.count(event::kind::gap), 0u);
      CAF_CHECK_EQUAL(r.count(event::kind::notice), 0u);
    }
  }
}

CAF_TEST(a member reached through another gets what its carrier keeps) {
  network net{47, 3, {}};
  net.chat(2, "line ");
  net.leave(2);
  // A newcomer that cannot connect to 0 hears its earlier lines from 1,
  // which carries them: sealed batches only.
  net.nodes[0]->seal();
  net.drain();
  auto& carol = net.join(1);
  net.cut(0, carol.index);
  net.drain();
  CAF_CHECK_EQUAL(carol.lines_of(*net.nodes[0]),
                  (std::vector<std::string>{"line 1", "line 2"}));
  CAF_CHECK_EQUAL(carol.count(event::kind::gap), 0u);
}
