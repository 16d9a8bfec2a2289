// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.chat.relay

#include "protocol/chat/relay_network.hpp"

CAF_TEST(five members with two pairs blocked hear everyone once in order) {
  for (unsigned seed = 1; seed <= 40; ++seed) {
    CAF_MESSAGE("seed " << seed);
    network net{seed, 5, two_blocked};
    net.drain();
    // Each end of a blocked pair was told once that the other is here.
    for (auto [a, b] : two_blocked)
      for (auto x : {a, b})
        CAF_CHECK_EQUAL(net.nodes[x]->count(event::kind::joined), 1u);
    net.chat(3, "line ");
    check_everyone_heard_everyone(net, 3, "line ");
    // One copy per line and far member: 2 pairs, both ways, 3 lines.
    CAF_CHECK_EQUAL(net.forwarded(), 2u * 2u * 3u);
    for (auto& n : net.nodes) {
      CAF_CHECK_EQUAL(n->count(event::kind::gap), 0u);
      CAF_CHECK_EQUAL(n->count(event::kind::lost), 0u);
      CAF_CHECK_EQUAL(n->count(event::kind::notice), 0u);
    }
  }
}

CAF_TEST(in a whole mesh nothing is carried and no line is signed alone) {
  network net{7, 4, {}};
  net.drain();
  size_t signed_lines = 0;
  std::map<message_type, size_t> frames;
  net.tamper = [&](size_t, message& msg) {
    signed_lines += msg.type == message_type::chat && !msg.proof.empty();
    ++frames[msg.type];
  };
  net.chat(5, "x");
  net.nodes[0]->seal(); // A heartbeat.
  net.drain();
  check_everyone_heard_everyone(net, 5, "x");
  CAF_CHECK_EQUAL(net.forwarded(), 0u);
  CAF_CHECK_EQUAL(signed_lines, 0u);
  // Frames per line: one per receiver; one seal per receiver and batch.
  CAF_CHECK_EQUAL(frames[message_type::chat], 4u * 5u * 3u);
  CAF_CHECK_EQUAL(frames[message_type::seal], 3u);
  CAF_CHECK_EQUAL(frames.size(), 2u);
}

CAF_TEST(a bridge that leaves is replaced by another member) {
  for (unsigned seed = 1; seed <= 40; ++seed) {
    CAF_MESSAGE("seed " << seed);
    network net{seed, 5, two_blocked};
    net.drain();
    net.chat(2, "before ");
    // Member 0 hears member 3 through a carrier; that carrier leaves.
    auto summary = net.nodes[0]->carry.summary(0);
    CAF_REQUIRE_EQUAL(summary.size(), 1u);
    auto bridge = static_cast<size_t>(summary[0].via[1] - '0');
    net.leave(bridge);
    net.drain();
    for (auto& n : net.nodes)
      if (n != nullptr) {
        // No false notice: only the bridge's own leave.
        CAF_CHECK_EQUAL(n->count(event::kind::lost), 0u);
        for (auto& ev : n->shown)
          if (ev.what == event::kind::left)
            CAF_CHECK_EQUAL(ev.name, "m" + std::to_string(bridge));
        n->shown.clear();
      }
    net.chat(2, "after ");
    check_everyone_heard_everyone(net, 2, "after ");
    for (auto& n : net.nodes)
      if (n != nullptr)
        CAF_CHECK_EQUAL(n->count(event::kind::gap), 0u);
  }
}

CAF_TEST(a member with no carrier left is reported lost) {
  // 0 and 2 reach each other only through 1.
  network net{3, 3, {{0, 2}}};
  net.drain();
  CAF_CHECK_EQUAL(net.nodes[0]->carry.summary(0).size(), 1u);
  auto& p = *net.nodes[0]->peers.find(2); // Member 1, as 0 knows it.
  net.nodes[0]->carry.on_gone(p, false);
  net.nodes[0]->peers.remove(2);
  net.drain();
  CAF_CHECK_EQUAL(net.nodes[0]->count(event::kind::lost), 1u);
  CAF_CHECK(net.nodes[0]->carry.summary(0).empty());
}

CAF_TEST(a carried line that was altered is never shown) {
  network net{5, 3, {{0, 2}}};
  net.drain();
  net.tamper = [](size_t from, message& msg) {
    if (from == 1 && msg.type == message_type::carried)
      msg.text = "altered";
  };
  net.nodes[0]->say("original");
  net.drain();
  CAF_CHECK(net.nodes[2]->lines_of(*net.nodes[0]).empty());
  CAF_CHECK_EQUAL(net.nodes[1]->lines_of(*net.nodes[0]).size(), 1u);
  CAF_REQUIRE_EQUAL(net.nodes[2]->count(event::kind::notice), 1u);
  CAF_CHECK_EQUAL(net.nodes[2]->shown.back().code, "forged_line");
  // A renumbered line fails the same way.
  net.tamper = [](size_t from, message& msg) {
    if (from == 1 && msg.type == message_type::carried)
      msg.seq += 1;
  };
  net.nodes[0]->say("second");
  net.drain();
  CAF_CHECK(net.nodes[2]->lines_of(*net.nodes[0]).empty());
  // Warned once per carrier and author: a carrier cannot flood the screen.
  CAF_CHECK_EQUAL(net.nodes[2]->count(event::kind::notice), 1u);
}

CAF_TEST(a private line through a carrier reaches only its recipient) {
  network net{9, 3, {{0, 2}}};
  net.drain();
  std::vector<std::string> seen_by_carrier;
  net.tamper = [&](size_t from, message& msg) {
    if (from == 0 || from == 1)
      seen_by_carrier.push_back(encode(msg));
  };
  CAF_REQUIRE(net.nodes[0]->carry.whisper("m2", encode(make_whisper("the "
                                                                    "secret",
                                                                    1))));
  net.drain();
  auto got = net.nodes[2]->lines_of(*net.nodes[0]);
  CAF_REQUIRE_EQUAL(got.size(), 1u);
  CAF_CHECK_EQUAL(got[0], "the secret");
  CAF_CHECK(net.nodes[2]->shown.back().whisper);
  CAF_CHECK(net.nodes[1]->lines_of(*net.nodes[0]).empty());
  for (auto& frame : seen_by_carrier)
    CAF_CHECK_EQUAL(frame.find("secret"), std::string::npos);
  // The carrier cannot send it again as a new line: a replay is a
  // duplicate.
  net.tamper = nullptr;
  auto replay = seen_by_carrier.back();
  auto msg = decode(replay);
  CAF_REQUIRE(static_cast<bool>(msg));
  net.nodes[2]->receive(1, *msg);
  CAF_CHECK_EQUAL(net.nodes[2]->lines_of(*net.nodes[0]).size(), 1u);
}

CAF_TEST(a carrier refuses private lines that are not the sender own) {
  network net{11, 3, {{0, 2}}};
  net.drain();
  // Member 1 passes on only what 0 sealed itself; a box that claims to be
  // from 0 but arrives from elsewhere, or for a pair it does not carry,
  // goes nowhere.
  message msg;
  msg.type = message_type::carried;
  msg.whisper = true;
  msg.id = net.nodes[2]->key->id(); // Not the sender (0).
  msg.to = net.nodes[2]->key->id();
  msg.text = "00";
  net.nodes[1]->receive(0, msg);
  CAF_CHECK_EQUAL(net.nodes[1]->carry.forwarded(), 0u);
  CAF_CHECK(net.links[{1, 2}].empty());
}

CAF_TEST(a carrier cannot turn a private line back to its sender) {
  network net{13, 3, {{0, 2}}};
  net.drain();
  std::vector<message> boxes;
  net.tamper = [&](size_t from, message& msg) {
    if (from == 0 && msg.type == message_type::carried)
      boxes.push_back(msg);
  };
  CAF_REQUIRE(net.nodes[0]->carry.whisper("m2", encode(make_whisper("x", 1))));
  net.drain();
  CAF_REQUIRE_EQUAL(boxes.size(), 1u);
  // The carrier hands 0's box to 0 as if 2 had sealed it for 0.
  auto turned = boxes[0];
  std::swap(turned.id, turned.to);
  net.nodes[0]->receive(1, turned);
  CAF_CHECK(net.nodes[0]->lines_of(*net.nodes[2]).empty());
}

CAF_TEST(a carrier cannot replay a line by claiming another run) {
  network net{17, 3, {{0, 2}}};
  net.drain();
  std::vector<message> carried;
  net.tamper = [&](size_t from, message& msg) {
    if (from == 1 && msg.type == message_type::carried)
      carried.push_back(msg);
  };
  net.nodes[0]->say("once");
  net.drain();
  CAF_REQUIRE_EQUAL(carried.size(), 1u);
  net.tamper = nullptr;
  // An unsigned word on the run, then the old line again.
  auto route = make_route(net.nodes[0]->key->id(), "m0", 0, 1);
  net.nodes[2]->receive(1, route);
  net.nodes[2]->receive(1, carried[0]);
  CAF_CHECK_EQUAL(net.nodes[2]->lines_of(*net.nodes[0]).size(), 1u);
  // From a member that does not carry 0 to 2, nothing is taken.
  auto again = carried[0];
  again.seq = 2;
  net.nodes[2]->receive(0, again); // Not even connected: ignored.
  CAF_CHECK_EQUAL(net.nodes[2]->lines_of(*net.nodes[0]).size(), 1u);
}

CAF_TEST(a rename reaches the far end through the carrier) {
  network net{23, 3, {{0, 2}}};
  net.drain();
  auto& carrier = *net.nodes[1];
  auto p = carrier.peers.find(1); // Member 0, as its carrier knows it.
  CAF_REQUIRE(p != nullptr);
  p->name = "zero";
  carrier.carry.on_renamed(*p);
  net.drain();
  auto& far = *net.nodes[2];
  CAF_REQUIRE(!far.shown.empty());
  CAF_CHECK(far.shown.back().what == event::kind::nick);
  CAF_CHECK_EQUAL(far.shown.back().text, "zero");
  CAF_CHECK_EQUAL(far.shown.back().via, "m1");
  CAF_CHECK(proved_names(far.shown.back()).empty());
  CAF_CHECK(far.carry.find("zero") != nullptr);
}

CAF_TEST(a route we do not take still has our lines signed alone) {
  network net{41, 3, {}};
  net.drain();
  auto& m0 = *net.nodes[0];
  CAF_CHECK(!m0.carry.carried());
  // Member 1 says it carries us to a stranger that claims member 2's
  // name: not taken, but 1 passes our lines on to it, signed.
  auto stranger = std::string(peer_id_size, 'c');
  m0.receive(1, make_route(stranger, "m2", 0, 1));
  CAF_CHECK(m0.carry.find("m2") == nullptr);
  CAF_CHECK(m0.carry.carried());
  m0.receive(1, make_unroute(stranger, false));
  CAF_CHECK(!m0.carry.carried());
}
