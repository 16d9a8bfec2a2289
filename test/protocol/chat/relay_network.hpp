// SPDX-License-Identifier: MIT
// The relay's test network, shared by the suites of its two halves
// (relay.cpp: carrying; relay_history.cpp: lines kept and passed on):
// members as Membership wires their peer tables, deliveries and relays,
// on a simulated network whose connections interleave as a seed says.

#pragma once

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
        // Our lines said so far are sealed at once (Membership's on_route).
        carry.on_route(*p, msg);
        if (carry.carried())
          seal();
        return;
      case message_type::carried:
        if (msg.history && !carry.reaches_through(msg.id, p->conn))
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

  // Members `a` and `b` lose their connection and cannot connect again:
  // `a` asks another member to carry, and `b` too if `both_ask` (else it
  // hears of the carrier first).
  void cut(size_t a, size_t b, bool both_ask = true) {
    blocked.insert({a, b});
    for (auto [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
      auto& n = *nodes[x];
      n.carry.on_gone(*n.peers.find(y + 1), false);
      n.peers.remove(y + 1);
      links[{x, y}].clear();
    }
    nodes[a]->carry.unreachable(nodes[b]->info());
    if (both_ask)
      nodes[b]->carry.unreachable(nodes[a]->info());
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
inline void check_everyone_heard_everyone(network& net, size_t lines,
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
