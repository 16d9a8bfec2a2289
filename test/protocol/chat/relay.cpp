// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.chat.relay

#include "protocol/chat/relay.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

struct network;

// One member: its peer table, delivery and relay, as Membership wires
// them; what it shows is recorded.
struct node : relay_callee, delivery_callee {
  node(network& net, size_t index, const std::array<uint8_t, 32>& seed)
    : net(net), index(index), key(std::make_shared<const identity>(seed)),
      name("m" + std::to_string(index)) {
    chat.on_joined();
  }

  network& net;
  size_t index;
  std::shared_ptr<const identity> key;
  std::string name;
  uint64_t since = 1'000'000 + index;
  uint64_t said = 0;
  peer_table peers;
  delivery chat{200, 1 << 20, *this};
  relay carry{key, peers, chat, *this};
  line_seals seals{key};
  std::vector<event> shown;

  void send(conn_id conn, const message& msg) override;

  void report(event ev) override {
    shown.push_back(std::move(ev));
  }

  // Connection IDs: ours to member j is j + 1.
  void connect(const node& other) {
    auto& p = peers.add(other.index + 1, stage::member, true,
                        endpoint{"127.0.0.1", 5000}, {});
    p.id = other.key->id();
    p.name = other.name;
    p.since = other.since;
  }

  member_info info() const {
    return {name, "127.0.0.1", static_cast<uint16_t>(5000 + index), key->id(),
            since};
  }

  // A public line to every member we are connected to, signed as the
  // outbox signs it: alone while a carrier passes our lines on, else in a
  // batch, which `seal` seals (Membership, every heartbeat).
  void say(const std::string& text) {
    auto msg = make_chat(text, ++said);
    msg.time = 42 + said;
    std::optional<message> before;
    if (carry.carried()) {
      seals.sign_alone(msg, since);
      before = seals.seal();
    } else {
      before = seals.add(msg, since);
    }
    if (before)
      broadcast(*before);
    broadcast(msg);
  }

  void seal() {
    if (auto msg = seals.seal())
      broadcast(*msg);
  }

  void broadcast(const message& msg) {
    for (auto p : peers.members())
      send(p->conn, msg);
  }

  // Membership's on_received, for what concerns chat and carrying.
  void receive(size_t from, message msg) {
    auto p = peers.find(from + 1);
    if (p == nullptr)
      return; // Gone meanwhile.
    switch (msg.type) {
      case message_type::chat:
        carry.on_line(*p, msg);
        return chat.on_chat(p->conn, p->id, p->name, msg);
      case message_type::carry:
        return carry.on_carry(*p, msg);
      case message_type::route:
        return carry.on_route(*p, msg);
      case message_type::carried:
        if (msg.history)
          return carry.on_archived(*p, msg, name);
        return carry.on_carried(*p, msg);
      case message_type::seal:
        return carry.on_seal(*p, msg);
      default:
        CAF_FAIL("unexpected " << to_string(msg.type));
    }
  }

  // The lines shown from `author`, in order.
  std::vector<std::string> lines_of(const node& author) const {
    std::vector<std::string> result;
    for (auto& ev : shown)
      if (ev.what == event::kind::chat && ev.id == author.key->id())
        result.push_back(ev.text);
    return result;
  }

  size_t count(event::kind what) const {
    return std::count_if(shown.begin(), shown.end(),
                         [&](auto& ev) { return ev.what == what; });
  }
};

// Members on a simulated network: every connection keeps its order (TCP),
// connections interleave as the seed says. Chosen pairs cannot connect.
struct network {
  explicit network(unsigned seed, size_t n,
                   std::set<std::pair<size_t, size_t>> blocked)
    : rng(seed), blocked(std::move(blocked)) {
    for (size_t i = 0; i < n; ++i) {
      std::array<uint8_t, 32> s{};
      for (auto& b : s)
        b = static_cast<uint8_t>(rng());
      nodes.push_back(std::make_unique<node>(*this, i, s));
    }
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j)
        if (i != j && !is_blocked(i, j))
          nodes[i]->connect(*nodes[j]);
    // Each end of a blocked pair tried to connect, and failed.
    for (auto [a, b] : this->blocked) {
      nodes[a]->carry.unreachable(nodes[b]->info());
      nodes[b]->carry.unreachable(nodes[a]->info());
    }
  }

  std::mt19937 rng;
  std::set<std::pair<size_t, size_t>> blocked;
  std::vector<std::unique_ptr<node>> nodes;
  std::map<std::pair<size_t, size_t>, std::deque<message>> links;
  /// Called on every frame as it is sent: a hostile carrier's chance.
  std::function<void(size_t from, message&)> tamper;

  bool is_blocked(size_t a, size_t b) const {
    return blocked.count({a, b}) + blocked.count({b, a}) > 0;
  }

  // Every frame goes through the wire format, as on a real connection.
  void post(size_t from, size_t to, message msg) {
    if (tamper)
      tamper(from, msg);
    auto decoded = decode(encode(msg));
    CAF_REQUIRE(static_cast<bool>(decoded));
    links[{from, to}].push_back(std::move(*decoded));
  }

  // Delivers the next frame of one connection, chosen at random.
  bool step() {
    std::vector<std::pair<size_t, size_t>> busy;
    for (auto& [key, q] : links)
      if (!q.empty())
        busy.push_back(key);
    if (busy.empty())
      return false;
    auto key = busy[rng() % busy.size()];
    auto msg = std::move(links[key].front());
    links[key].pop_front();
    nodes[key.second]->receive(key.first, std::move(msg));
    return true;
  }

  void drain() {
    while (step())
      ; // Until nothing is in flight.
  }

  // Every member says `lines` lines, in an order the seed picks, while
  // frames are delivered in between.
  void chat(size_t lines, const std::string& prefix) {
    std::vector<size_t> todo;
    for (size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i] != nullptr)
        todo.insert(todo.end(), lines, i);
    std::shuffle(todo.begin(), todo.end(), rng);
    std::map<size_t, size_t> count;
    for (auto i : todo) {
      nodes[i]->say(prefix + std::to_string(++count[i]));
      for (auto k = rng() % 4; k > 0; --k)
        step();
    }
    drain();
  }

  // Member `k` leaves: it seals its last lines, as Membership does; its
  // members hear its leave, its frames vanish.
  void leave(size_t k) {
    nodes[k]->seal();
    drain();
    for (auto& n : nodes)
      if (n != nullptr && n->index != k)
        if (auto p = n->peers.find(k + 1)) {
          n->carry.on_gone(*p, true);
          n->peers.remove(k + 1);
        }
    for (auto& [key, q] : links)
      if (key.first == k || key.second == k)
        q.clear();
    nodes[k] = nullptr;
  }

  // A newcomer joins through member `entry`, connecting to every member.
  node& join(size_t entry) {
    std::array<uint8_t, 32> s{};
    for (auto& b : s)
      b = static_cast<uint8_t>(rng());
    auto index = nodes.size();
    nodes.push_back(std::make_unique<node>(*this, index, s));
    auto& fresh = *nodes.back();
    for (auto& n : nodes)
      if (n != nullptr && n.get() != &fresh) {
        fresh.connect(*n);
        n->connect(fresh);
      }
    nodes[entry]->carry.replay_to(*nodes[entry]->peers.find(index + 1));
    return fresh;
  }

  uint64_t forwarded() const {
    uint64_t n = 0;
    for (auto& x : nodes)
      if (x != nullptr)
        n += x->carry.forwarded();
    return n;
  }
};

void node::send(conn_id conn, const message& msg) {
  net.post(index, conn - 1, msg);
}

// Every live member shows every other live member's lines once, in order.
void check_everyone_heard_everyone(network& net, size_t lines,
                                   const std::string& prefix) {
  for (auto& reader : net.nodes)
    for (auto& author : net.nodes) {
      if (reader == nullptr || author == nullptr || reader == author)
        continue;
      std::vector<std::string> expected;
      for (size_t k = 1; k <= lines; ++k)
        expected.push_back(prefix + std::to_string(k));
      auto got = reader->lines_of(*author);
      if (got != expected)
        CAF_FAIL(reader->name << " heard " << caf::deep_to_string(got) << " of "
                              << author->name << ", not "
                              << caf::deep_to_string(expected));
    }
}

const std::set<std::pair<size_t, size_t>> two_blocked{{0, 3}, {1, 4}};

} // namespace

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
  net.tamper = [&](size_t, message& msg) {
    signed_lines += msg.type == message_type::chat && !msg.proof.empty();
  };
  net.chat(5, "x");
  check_everyone_heard_everyone(net, 5, "x");
  CAF_CHECK_EQUAL(net.forwarded(), 0u);
  CAF_CHECK_EQUAL(signed_lines, 0u);
}

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
