// SPDX-License-Identifier: MIT
// Deterministic tests of the join handshake and the leave paths.
//
// Several membership actors run under CAF's test coordinator, wired together
// by a simulated network: a fake dialer per peer and a pair of "wire end"
// actors per connection, standing in for the two connection brokers. The
// network can refuse a peer's port or cut a connection the moment a given
// message type crosses it. Time is simulated; nothing sleeps.

#define CAF_SUITE actors.membership
#define FAIL(msg) CAF_FAIL(msg)

#include "actors/membership.hpp"

#include <map>
#include <optional>
#include <random>
#include <set>

#include <caf/test/dsl.hpp>

#include "actors/errors.hpp"
#include "actors/messages.hpp"
#include "protocol/crypto/identity.hpp"

using namespace groupchat;
using namespace std::chrono_literals;
using protocol::message;
using protocol::message_type;

CAF_BEGIN_TYPE_ID_BLOCK(membership_test, caf::first_custom_type_id + 100)
  CAF_ADD_ATOM(membership_test, test_atom, deliver, "deliver")
  CAF_ADD_ATOM(membership_test, test_atom, pair, "pair")
  CAF_ADD_ATOM(membership_test, test_atom, hangup, "hangup")
CAF_END_TYPE_ID_BLOCK(membership_test)

namespace {

struct fixture;

// One side of a simulated TCP connection, as its membership sees it.
struct wire_state {
  static inline constexpr const char* name = "wire";
  fixture* net = nullptr;
  caf::actor owner; // membership using this end
  caf::actor other; // the far end
};

caf::behavior wire_end(caf::stateful_actor<wire_state>* self, fixture* net,
                       caf::actor owner);

struct fixture : test_coordinator_fixture<> {
  struct peer {
    /// Its number: its key is `key(n)`.
    int n = 0;
    std::string name;
    std::string host;
    uint16_t port;
    caf::actor membership;
    dialer_actor dialer;
    caf::actor console;
  };

  /// Every peer by name.
  std::map<std::string, peer> peers;

  /// What each peer's console printed, by peer name.
  std::map<std::string, std::vector<std::string>> screen;

  /// Listen addresses ("host:port") whose connects are refused.
  std::set<std::string> refused;

  /// If set, the next message of this type crossing any wire is not
  /// delivered: the connection breaks instead (both ends go down).
  std::optional<message_type> cut_on;

  /// Every wire end created, so the fixture can kill them at the end.
  std::vector<caf::actor> wires;

  /// How many wire ends are alive (two per open connection).
  size_t live_wires = 0;

  /// Peers whose outgoing traffic vanishes without the connection closing,
  /// like a process stopped with SIGSTOP or a pulled cable.
  std::set<caf::actor_addr> muted;

  /// A partition: peers (by membership) on different sides neither reach
  /// each other's port nor get each other's traffic; peers without a side
  /// reach everyone.
  std::map<caf::actor_addr, int> side;

  /// Pairs of peers (by membership) that cannot connect to each other,
  /// either way, though both reach everyone else: a firewall between them.
  std::set<std::pair<caf::actor_addr, caf::actor_addr>> cut;

  void cannot_connect(const std::string& x, const std::string& y) {
    auto a = peers.at(x).membership.address();
    auto b = peers.at(y).membership.address();
    cut.emplace(a, b);
    cut.emplace(b, a);
  }

  /// Connects asked for, by "host:port".
  std::map<std::string, size_t> dials;

  /// The membership at the far end of each wire end.
  std::map<caf::actor_addr, caf::actor_addr> far_owner;

  bool blocked(const caf::actor_addr& x, const caf::actor_addr& y) const {
    auto i = side.find(x);
    auto j = side.find(y);
    return i != side.end() && j != side.end() && i->second != j->second;
  }

  /// Splits the group: each peer named in `sides[k]` is on side k.
  void partition(std::vector<std::vector<std::string>> sides) {
    side.clear();
    for (size_t k = 0; k < sides.size(); ++k)
      for (auto& name : sides[k])
        side[peers.at(name).membership.address()] = static_cast<int>(k);
  }

  void heal() {
    side.clear();
  }

  /// The traffic log: what each wire end was given to send, by the address
  /// of the end, and the ends whose owner closed them.
  std::map<caf::actor_addr, std::vector<message_type>> sent;
  std::set<caf::actor_addr> closed_by_owner;

  /// When each probe was sent (simulated time).
  std::vector<caf::actor_clock::time_point> probe_times;

  /// The last challenge sent on each wire end.
  std::map<caf::actor_addr, std::string> challenges;

  /// The key pairs of the simulated peers and strangers, by number.
  std::map<int, std::shared_ptr<const protocol::identity>> keys;

  std::shared_ptr<const protocol::identity> key(int n) {
    auto& k = keys[n];
    if (!k)
      k = std::make_shared<const protocol::identity>();
    return k;
  }

  protocol::peer_id id(int n) {
    return key(n)->id();
  }

  ~fixture() override {
    reset();
  }

  /// Delivers every pending message, but fires no timer (unlike `run`).
  void drain() {
    consume_messages();
  }

  /// Like `drain`, but each step runs a randomly chosen ready actor: every
  /// seed scripts another interleaving of the same events.
  void drain_shuffled(std::mt19937& rng) {
    while (!sched.jobs.empty()) {
      std::uniform_int_distribution<size_t> pick{0, sched.jobs.size() - 1};
      std::swap(sched.jobs.front(), sched.jobs[pick(rng)]);
      sched.run_once();
    }
  }

  /// Advances simulated time in steps of `step`, delivering what each step
  /// triggers.
  void wait(caf::timespan total, caf::timespan step = 100ms) {
    for (caf::timespan t{0}; t < total; t += step) {
      advance_time(std::min(step, total - t));
      drain();
    }
  }

  static std::string address(const std::string& host, uint16_t port) {
    return host + ":" + std::to_string(port);
  }

  /// The options every simulated peer runs with; `n` numbers its key.
  membership_options options(const std::string& name, int n) {
    membership_options opts;
    opts.join.name = name;
    opts.join.join_timeout = 5s;
    opts.max_frame_size = 1024;
    opts.heartbeat_interval = 1s;
    opts.peer_timeout = 5s;
    opts.greeting_timeout = 2s;
    opts.join.self = key(n);
    opts.simulated_clock = true;
    return opts;
  }

  /// Creates the peers `names`, numbered 1, 2, ... in order.
  void add_peers(std::initializer_list<const char*> names) {
    int n = 1;
    for (auto name : names)
      add_peer(name, n++);
  }

  /// Creates the peers `names`; the first creates a group, each other one
  /// joins through the first.
  void group(std::initializer_list<const char*> names) {
    add_peers(names);
    auto first = *names.begin();
    start(first);
    for (auto name : names)
      if (name != first)
        start(name, {first});
  }

  /// Ends every actor of the simulation, for tests that run it repeatedly.
  void reset() {
    for (auto& kvp : peers)
      for (auto& hdl :
           {kvp.second.membership,
            caf::actor_cast<caf::actor>(kvp.second.dialer), kvp.second.console})
        caf::anon_send_exit(hdl, caf::exit_reason::kill);
    for (auto& hdl : wires)
      caf::anon_send_exit(hdl, caf::exit_reason::kill);
    wires.clear();
    drain();
    peers.clear();
    screen.clear();
    sent.clear();
    closed_by_owner.clear();
  }

  /// Creates a peer named `name` with key `n` at 10.0.0.`at`, port
  /// 5000+`at` (`at` is `n` unless given).
  peer& add_peer(const std::string& name, int n, int at = 0) {
    if (at == 0)
      at = n;
    auto& p = peers[name];
    p.n = n;
    p.name = name;
    p.host = "10.0.0." + std::to_string(at);
    p.port = static_cast<uint16_t>(5000 + at);
    // State goes in as spawn arguments, not captures: CAF 0.17 dereferences
    // a null pointer (UBSan) when spawning a function without arguments.
    p.console = sys.spawn(
      [](caf::event_based_actor*,
         std::vector<std::string>* lines) -> caf::behavior {
        return {
          // As in a pipe: a line said earlier looks like a live one.
          [lines](atom::show, const groupchat::protocol::event& ev) {
            lines->push_back(to_text(ev));
          },
          // Status lines are shown at a terminal only, as in a pipe here.
          [](atom::status, const std::string&) {},
          [](atom::who, const std::vector<std::string>&) {},
          [lines](atom::nick, const std::string& name) {
            lines->push_back("(renamed to " + name + ")");
          },
        };
      },
      &screen[name]);
    p.dialer = sys.spawn(
      [](dialer_actor::pointer self, fixture* net,
         std::string host) -> dialer_actor::behavior_type {
        return {
          [=](atom::connect, const std::string& to_host,
              uint16_t to_port) -> caf::result<caf::actor, std::string> {
            auto requester
              = caf::actor_cast<caf::actor>(self->current_sender());
            return net->dial(host, requester, to_host, to_port);
          },
        };
      },
      this, p.host);
    p.membership = caf::actor_cast<caf::actor>(
      spawn_membership(sys, options(name, n), p.dialer,
                       caf::actor_cast<console_actor>(p.console)));
    return p;
  }

  /// The simulated connect: a pair of wire ends, the far one announced to
  /// the listening peer's membership as an accepted connection.
  caf::result<caf::actor, std::string>
  dial(const std::string& from_host, caf::actor requester,
       const std::string& host, uint16_t port) {
    auto addr = address(host, port);
    ++dials[addr];
    for (auto& kvp : peers) {
      auto& target = kvp.second;
      if (address(target.host, target.port) != addr || refused.count(addr)
          || blocked(requester.address(), target.membership.address())
          || cut.count({requester.address(), target.membership.address()}))
        continue;
      auto near = sys.spawn(wire_end, this, requester);
      auto far = sys.spawn(wire_end, this, target.membership);
      wires.push_back(near);
      wires.push_back(far);
      far_owner[near.address()] = target.membership.address();
      far_owner[far.address()] = requester.address();
      caf::anon_send(near, test_atom::pair_v, far);
      caf::anon_send(far, test_atom::pair_v, near);
      // The listening side learns of the connection from the connection.
      caf::send_as(far, target.membership, atom::incoming_v, from_host);
      return {near, host};
    }
    return to_caf_error({protocol::ec::connect_failed, "connection refused"});
  }

  /// Starts `name` with the given bootstrap peers (names of other peers, or
  /// "host:port" strings for addresses where nobody listens).
  void start(const std::string& name, std::vector<std::string> via = {}) {
    std::vector<protocol::endpoint> bootstrap;
    for (auto& x : via) {
      auto i = peers.find(x);
      if (i != peers.end())
        bootstrap.push_back({i->second.host, i->second.port});
      else
        bootstrap.push_back(*protocol::parse_endpoint(x));
    }
    auto& p = peers.at(name);
    caf::anon_send(p.membership, atom::start_v, p.port, std::move(bootstrap));
    drain();
  }

  /// A stranger connection to `name`, driven by the test through `deliver`.
  caf::actor stranger(const std::string& name, const std::string& host) {
    auto end = sys.spawn(wire_end, this, self);
    wires.push_back(end);
    caf::send_as(end, peers.at(name).membership, atom::incoming_v, host);
    drain(); // Its challenge arrives.
    return end;
  }

  /// A greeting from peer `n` as `name`, for `target` on the stranger
  /// connection `end`: signed by `signer` (by default `n` itself) over the
  /// challenge `target` sent there.
  message greeting(const caf::actor& end, const std::string& target,
                   const std::string& name, int n, int signer = 0,
                   uint64_t said = 0) {
    auto nonce = protocol::make_nonce();
    auto msg = protocol::make_greeting(name, static_cast<uint16_t>(5000 + n),
                                       id(n), nonce, said);
    msg.proof = key(signer != 0 ? signer : n)
                  ->prove(protocol::proof_transcript(
                    protocol::proof_role::greeting, challenges[end.address()],
                    nonce, id(n), id(peers.at(target).n), "",
                    protocol::proof_claims(msg.name, msg.port, msg.seq)));
    return msg;
  }

  /// Delivers `msg` to `name` as if it arrived on connection `end`.
  void deliver(const caf::actor& end, const std::string& name, message msg) {
    caf::send_as(end, peers.at(name).membership, atom::received_v,
                 std::move(msg));
  }

  void say(const std::string& name, const std::string& text) {
    caf::anon_send(peers.at(name).membership, atom::chat_v, text);
    drain();
  }

  void leave(const std::string& name) {
    caf::anon_send(peers.at(name).membership, atom::leave_v);
  }

  /// A crash: the process and every socket it had vanish at once.
  void crash(const std::string& name) {
    auto& p = peers.at(name);
    caf::anon_send_exit(p.membership, caf::exit_reason::kill);
    drain();
    for (auto& hdl : wires)
      caf::anon_send(hdl, test_atom::hangup_v, p.membership.address());
    drain();
  }

  const std::vector<std::string>& lines(const std::string& name) {
    return screen[name];
  }

  /// Whether `name`'s screen shows `line` exactly `n` times.
  bool shows(const std::string& name, const std::string& line, size_t n = 1) {
    auto& xs = screen[name];
    return static_cast<size_t>(std::count(xs.begin(), xs.end(), line)) == n;
  }
};

caf::behavior wire_end(caf::stateful_actor<wire_state>* self, fixture* net,
                       caf::actor owner) {
  self->state.net = net;
  self->state.owner = std::move(owner);
  ++net->live_wires;
  self->attach_functor([net] { --net->live_wires; });
  auto hang_up = [self] {
    self->send(self->state.other, atom::close_v, false);
    self->quit();
  };
  // Outgoing: hand the message to the far end, unless the network cuts it.
  auto forward = [self, hang_up](const message& msg) {
    self->state.net->sent[self->address()].push_back(msg.type);
    if (msg.type == message_type::probe)
      self->state.net->probe_times.push_back(
        self->state.net->sched.clock().now());
    if (msg.type == message_type::challenge)
      self->state.net->challenges[self->address()] = msg.nonce;
    auto& cut = self->state.net->cut_on;
    auto net = self->state.net;
    if (net->muted.count(self->state.owner.address()) > 0
        || net->blocked(self->state.owner.address(),
                        net->far_owner[self->address()]))
      return;
    if (cut && *cut == msg.type) {
      CAF_MESSAGE("network cuts the connection carrying "
                  << protocol::to_string(msg.type));
      cut.reset();
      hang_up();
      return;
    }
    self->send(self->state.other, test_atom::deliver_v, msg);
  };
  return {
    [self](test_atom::pair, caf::actor other) {
      self->state.other = std::move(other);
    },
    // Outgoing, encoded once by a broadcast: decode as the far end would.
    [forward](atom::send, const std::string& body) {
      auto msg = protocol::decode(body);
      CAF_REQUIRE(static_cast<bool>(msg));
      forward(*msg);
    },
    [forward](atom::send, const message& msg) { forward(msg); },
    // A simulated wire delivers in order anyway: nothing to hold.
    [](atom::start) {},
    // The simulated network has no frame limits to lift.
    [](atom::admit) {},
    // Incoming: what the far end's membership sent us.
    // Chat comes as the batch a connection makes of one read's frames,
    // everything else as single messages: both ways are exercised.
    [self](test_atom::deliver, message& msg) {
      if (msg.type == message_type::chat)
        self->send(self->state.owner, atom::received_v,
                   std::vector<message>{std::move(msg)});
      else
        self->send(self->state.owner, atom::received_v, std::move(msg));
    },
    // Our membership closes, or the far end went away: the socket is gone.
    [self, hang_up](atom::close, bool) {
      // From the membership using this end (not the far end hanging up;
      // membership sends anonymously, see actors/membership.cpp).
      auto& other = self->state.other;
      if (!other || self->current_sender() != other.address())
        self->state.net->closed_by_owner.insert(self->address());
      hang_up();
    },
    // The owner of one end crashed: sockets of a dead process close.
    [self, hang_up](test_atom::hangup, const caf::actor_addr& dead) {
      if (self->state.owner.address() == dead)
        hang_up();
    },
  };
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(membership_tests, fixture)

CAF_TEST(a peer without bootstrap peers creates a group) {
  add_peer("alice", 1);
  start("alice");
  CAF_CHECK_EQUAL(lines("alice"),
                  std::vector<std::string>{"Created a new group chat"});
}

CAF_TEST(a join through one member of a group of three) {
  for (auto [name, n] :
       {std::pair{"alice", 1}, {"bob", 2}, {"carol", 3}, {"dave", 4}})
    add_peer(name, n);
  start("alice");
  start("bob", {"alice"});
  start("carol", {"alice"});
  CAF_MESSAGE("dave joins through bob and greets everyone bob lists");
  start("dave", {"bob"});
  CAF_CHECK_EQUAL(lines("dave"),
                  (std::vector<std::string>{"Joined the group chat",
                                            "Members: alice, bob, carol"}));
  for (auto name : {"alice", "bob", "carol"})
    CAF_CHECK(shows(name, "dave has joined the chat"));
  CAF_MESSAGE("a chat line reaches every other member exactly once");
  say("dave", "hi all");
  for (auto name : {"alice", "bob", "carol"})
    CAF_CHECK(shows(name, "dave: hi all"));
  CAF_CHECK(shows("dave", "dave: hi all", 0));
  say("carol", "hello dave");
  CAF_CHECK(shows("dave", "carol: hello dave"));
  CAF_CHECK(shows("alice", "carol: hello dave"));
}

CAF_TEST(a chain of joins connects everyone) {
  for (auto [name, n] : {std::pair{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}})
    add_peer(name, n);
  start("a");
  start("b", {"a"});
  start("c", {"b"});
  start("d", {"c"});
  CAF_CHECK(shows("d", "Members: a, b, c"));
  say("a", "x");
  for (auto name : {"b", "c", "d"})
    CAF_CHECK(shows(name, "a: x"));
  CAF_CHECK(shows("a", "d has joined the chat"));
}

CAF_TEST(bootstrap falls back past unreachable addresses in order) {
  add_peers({"alice", "bob"});
  add_peer("other", 9);
  start("alice");
  start("other");
  start("bob", {"10.9.9.9:1", "alice", "other"});
  CAF_CHECK(shows("bob", "Members: alice"));
  CAF_MESSAGE("the later address, of another group, is never contacted");
  CAF_CHECK(shows("other", "bob has joined the chat", 0));
}

CAF_TEST(no reachable peer creates a new group) {
  add_peer("bob", 2);
  start("bob", {"10.9.9.9:1", "10.9.9.9:2"});
  CAF_CHECK_EQUAL(lines("bob"),
                  std::vector<std::string>{"Created a new group chat"});
}

CAF_TEST(the entry peer disconnects before answering) {
  add_peers({"alice", "bob", "carol"});
  start("alice");
  start("carol");
  cut_on = message_type::members;
  start("bob", {"alice", "carol"});
  CAF_MESSAGE("bob moves on to the next bootstrap peer");
  CAF_CHECK(shows("bob", "Members: carol"));
  CAF_CHECK(lines("alice").size() == 1); // "Created": no join, no loss
}

CAF_TEST(the entry peer never answers within the join timeout) {
  add_peers({"alice", "bob"});
  CAF_MESSAGE("alice accepts connections but her membership is hung");
  caf::anon_send_exit(peers.at("alice").membership, caf::exit_reason::kill);
  peers.at("alice").membership
    = sys.spawn([](int) -> caf::behavior { return {[](caf::message&) {}}; }, 0);
  start("bob", {"alice"});
  CAF_CHECK(lines("bob").empty());
  advance_time(4s);
  drain();
  CAF_CHECK(lines("bob").empty());
  advance_time(1s);
  drain();
  CAF_CHECK_EQUAL(lines("bob"),
                  std::vector<std::string>{"Created a new group chat"});
}

CAF_TEST(the entry peer disconnects after answering) {
  add_peers({"alice", "bob", "carol"});
  start("alice");
  start("bob", {"alice"});
  cut_on = message_type::greeting; // carol's greeting to alice breaks
  start("carol", {"alice"});
  CAF_MESSAGE("carol joins bob, whom alice listed, and bob's welcome lists "
              "alice again: carol reaches her on a second connection");
  CAF_CHECK(shows("carol", "Joined the group chat"));
  CAF_CHECK(shows("bob", "carol has joined the chat"));
  CAF_CHECK(shows("alice", "carol has joined the chat"));
  auto& cs = lines("carol");
  CAF_CHECK(std::count(cs.begin(), cs.end(), "Members: alice, bob")
              + std::count(cs.begin(), cs.end(), "alice has joined the chat")
            == 1);
  say("carol", "hi");
  CAF_CHECK(shows("alice", "carol: hi"));
  CAF_CHECK(shows("bob", "carol: hi"));
}

CAF_TEST(a member refuses the connection) {
  add_peers({"alice", "bob", "carol"});
  start("alice");
  start("bob", {"alice"});
  refused.insert("10.0.0.2:5002");
  start("carol", {"alice"});
  CAF_CHECK(shows("carol", "Members: alice"));
  CAF_CHECK(shows("alice", "carol has joined the chat"));
  CAF_CHECK(shows("bob", "carol has joined the chat", 0));
}

CAF_TEST(a member disconnects mid greeting) {
  add_peers({"alice", "bob"});
  start("alice");
  cut_on = message_type::welcome;
  start("bob", {"alice"});
  CAF_MESSAGE("alice saw bob join, then lose the connection");
  CAF_CHECK_EQUAL(lines("alice"),
                  (std::vector<std::string>{"Created a new group chat",
                                            "bob has joined the chat",
                                            "bob lost connection"}));
  CAF_CHECK_EQUAL(lines("bob"), (std::vector<std::string>{
                                  "Could not reach any member of the group",
                                  "Created a new group chat"}));
}

CAF_TEST(a graceful leave is reported as left not lost) {
  group({"alice", "bob", "carol"});
  auto bob = peers.at("bob").membership;
  self->monitor(bob);
  leave("bob");
  drain();
  CAF_CHECK(shows("alice", "bob has left the chat"));
  CAF_CHECK(shows("carol", "bob has left the chat"));
  CAF_CHECK(shows("alice", "bob lost connection", 0));
  CAF_MESSAGE("bob's membership quits once its connections are closed");
  expect((caf::down_msg), from(bob).to(self).with(_));
  say("alice", "still here");
  CAF_CHECK(shows("carol", "alice: still here"));
}

CAF_TEST(a leave completes within the leave timeout even if nobody closes) {
  group({"alice", "bob"});
  auto alice = peers.at("alice").membership;
  self->monitor(alice);
  // The wires will not answer `close`: alice waits for the timeout.
  for (auto& hdl : wires)
    caf::anon_send_exit(hdl, caf::exit_reason::kill);
  wires.clear();
  drain();
  CAF_CHECK(shows("alice", "bob lost connection"));
  leave("alice");
  drain();
  expect((caf::down_msg), from(alice).to(self).with(_));
}

CAF_TEST(a crash is reported as lost connection) {
  add_peers({"alice", "bob", "carol"});
  start("alice");
  start("bob", {"alice"});
  start("carol", {"bob"});
  crash("bob");
  CAF_CHECK(shows("alice", "bob lost connection"));
  CAF_CHECK(shows("carol", "bob lost connection"));
  CAF_CHECK(shows("alice", "bob has left the chat", 0));
  say("carol", "bye bob");
  CAF_CHECK(shows("alice", "carol: bye bob"));
}

CAF_TEST(two leaves at once) {
  group({"alice", "bob", "carol"});
  leave("bob");
  leave("carol");
  drain();
  CAF_CHECK(shows("alice", "bob has left the chat"));
  CAF_CHECK(shows("alice", "carol has left the chat"));
  CAF_CHECK(shows("alice", "bob lost connection", 0));
  CAF_CHECK(shows("alice", "carol lost connection", 0));
  CAF_MESSAGE("bob and carol, both leaving, print nothing about each other");
  CAF_CHECK(shows("bob", "carol has left the chat", 0));
  CAF_CHECK(shows("bob", "carol lost connection", 0));
}

CAF_TEST(lines typed during the join are sent once it completes) {
  add_peers({"alice", "bob"});
  start("alice");
  auto bob = peers.at("bob").membership;
  caf::anon_send(bob, atom::start_v, peers.at("bob").port,
                 std::vector<protocol::endpoint>{{"10.0.0.1", 5001}});
  caf::anon_send(bob, atom::chat_v, std::string{"early bird"});
  drain();
  CAF_CHECK(shows("bob", "Members: alice"));
  CAF_CHECK_EQUAL(lines("alice").back(), "bob: early bird");
}

CAF_TEST(a private line typed during the join keeps its place) {
  group({"alice", "carol"});
  add_peer("bob", 3);
  CAF_MESSAGE("carol's welcome never reaches bob: his join waits for it");
  muted.insert(peers.at("carol").membership.address());
  auto bob = peers.at("bob").membership;
  caf::anon_send(bob, atom::start_v, peers.at("bob").port,
                 std::vector<protocol::endpoint>{{"10.0.0.1", 5001}});
  caf::anon_send(bob, atom::chat_v, std::string{"one"});
  drain();
  caf::anon_send(bob, atom::whisper_v, std::string{"alice"},
                 std::string{"two"});
  caf::anon_send(bob, atom::chat_v, std::string{"three"});
  drain();
  CAF_CHECK(shows("alice", "bob: one", 0));
  CAF_CHECK(shows("alice", "bob (private): two", 0));
  CAF_MESSAGE("the join times out on carol and completes with alice");
  wait(5s);
  auto& xs = lines("alice");
  auto at = [&](const std::string& line) {
    return std::find(xs.begin(), xs.end(), line) - xs.begin();
  };
  CAF_REQUIRE(shows("alice", "bob: one"));
  CAF_REQUIRE(shows("alice", "bob (private): two"));
  CAF_REQUIRE(shows("alice", "bob: three"));
  CAF_CHECK_LESS(at("bob: one"), at("bob (private): two"));
  CAF_CHECK_LESS(at("bob (private): two"), at("bob: three"));
}

CAF_TEST(a line too long for one frame is refused locally) {
  group({"alice", "bob"});
  say("bob", std::string(2000, 'x'));
  CAF_CHECK_EQUAL(lines("alice").size(), 2u);
  CAF_CHECK(lines("bob").back().find("too long") != std::string::npos);
}

CAF_TEST(a message in the wrong phase drops the connection) {
  add_peer("alice", 1);
  start("alice");
  auto end = stranger("alice", "10.6.6.6");
  CAF_MESSAGE("a chat before any greeting is refused, and never shown");
  deliver(end, "alice", protocol::make_chat("spoofed", 1));
  drain();
  CAF_CHECK(shows("alice", "spoofed", 0));
  CAF_CHECK_EQUAL(lines("alice").size(), 1u);
  CAF_CHECK_EQUAL(closed_by_owner.count(end.address()), 1u);
  using types = std::vector<message_type>;
  CAF_CHECK_EQUAL(sent[end.address()], types{message_type::challenge});
  CAF_MESSAGE("a greeting after that counts nothing: the connection is gone");
  deliver(end, "alice", greeting(end, "alice", "mallory", 6));
  drain();
  CAF_CHECK(shows("alice", "mallory has joined the chat", 0));
  CAF_CHECK_EQUAL(sent[end.address()], types{message_type::challenge});
}

CAF_TEST(a stopped peer is reported lost once within the peer timeout) {
  group({"alice", "bob", "carol"});
  CAF_MESSAGE("bob stops: his sockets stay open, nothing comes out");
  muted.insert(peers.at("bob").membership.address());
  // Probed within a round (1s), suspected half a round later, lost when
  // the rest of the 5s is over: never before 4s, always by 5s.
  wait(3900ms);
  CAF_CHECK(shows("alice", "bob lost connection", 0));
  CAF_CHECK(shows("carol", "bob lost connection", 0));
  wait(1100ms);
  CAF_CHECK(shows("alice", "bob lost connection"));
  CAF_CHECK(shows("carol", "bob lost connection"));
  wait(10s);
  CAF_CHECK(shows("alice", "bob lost connection"));
  CAF_CHECK(shows("carol", "bob lost connection"));
  CAF_MESSAGE("the others keep talking, and nobody else was declared lost");
  say("alice", "without bob");
  CAF_CHECK(shows("carol", "alice: without bob"));
  CAF_CHECK(shows("alice", "carol lost connection", 0));
  CAF_CHECK(shows("carol", "alice lost connection", 0));
}

CAF_TEST(a stopped peer is lost within the timeout in a larger group) {
  // Whoever probes mallory first, every member learns of it and probes it
  // itself: all report it within the timeout, wherever it stops.
  for (auto pause : {0ms, 300ms, 600ms, 900ms}) {
    CAF_MESSAGE("mallory stops " << pause.count() << "ms later");
    group({"a", "b", "c", "d", "e", "mallory"});
    if (pause.count() > 0)
      wait(pause, pause);
    muted.insert(peers.at("mallory").membership.address());
    wait(3900ms);
    wait(1100ms);
    for (auto x : {"a", "b", "c", "d", "e"})
      CAF_CHECK(shows(x, "mallory lost connection"));
    reset();
    muted.clear();
  }
}

CAF_TEST(a member that answers late is not lost) {
  group({"alice", "bob"});
  auto bob = peers.at("bob").membership.address();
  for (int round = 0; round < 5; ++round) {
    // Silent for 2.5s: suspected, then probed every round, bob answers a
    // probe before the 5s are over.
    muted.insert(bob);
    wait(2500ms);
    muted.erase(bob);
    wait(1500ms);
  }
  CAF_CHECK(shows("alice", "bob lost connection", 0));
  say("bob", "still alive");
  CAF_CHECK(shows("alice", "bob: still alive"));
}

CAF_TEST(the probes of all members go out together) {
  // Started at different moments, the members still tick on the same grid
  // of the clock: probes and answers travel together (one wake-up a
  // round, not one per member).
  add_peers({"alice", "bob", "carol"});
  start("alice");
  wait(330ms, 10ms);
  start("bob", {"alice"});
  wait(410ms, 10ms);
  start("carol", {"alice"});
  wait(2s, 10ms);
  probe_times.clear();
  wait(5s, 10ms);
  std::set<caf::actor_clock::time_point> instants(probe_times.begin(),
                                                  probe_times.end());
  CAF_MESSAGE(probe_times.size()
              << " probes at " << instants.size() << " instants");
  CAF_CHECK_GREATER_OR_EQUAL(probe_times.size(), 3u * 4);
  CAF_CHECK_LESS_OR_EQUAL(instants.size(), 6u);
}

CAF_TEST(an idle member sends one probe a round whatever the group size) {
  // With a heartbeat to everyone, an idle group of N sent N * (N - 1)
  // frames a round; paired off, partners probe each other and each probe
  // is the other's answer: one frame a member a round (with an odd count,
  // one member probes two), and a gossip every fifth.
  for (size_t n : {8u, 7u}) {
    auto per_round = n + n % 2;
    CAF_MESSAGE(n << " members");
    if (n == 8)
      group({"a", "b", "c", "d", "e", "f", "g", "h"});
    else
      group({"a", "b", "c", "d", "e", "f", "g"});
    wait(2s);
    sent.clear();
    probe_times.clear();
    wait(10s);
    size_t frames = 0;
    for (auto& [end, types] : sent)
      frames += types.size();
    CAF_MESSAGE(frames << " frames in 10 rounds among " << n << " members");
    CAF_CHECK_EQUAL(probe_times.size(), per_round * 10);
    CAF_CHECK_LESS_OR_EQUAL(frames, per_round * 10 + n * 2);
    CAF_MESSAGE("settled for a minute: no member lists, probes only");
    wait(60s, 1s);
    sent.clear();
    wait(10s, 1s);
    frames = 0;
    for (auto& [end, types] : sent)
      frames += types.size();
    CAF_CHECK_EQUAL(frames, per_round * 10);
    for (auto& [name, lines] : screen)
      for (auto& line : lines)
        CAF_CHECK(line.find("lost connection") == std::string::npos);
    reset();
  }
}

CAF_TEST(concurrent joins through different members converge) {
  for (unsigned seed = 1; seed <= 40; ++seed) {
    CAF_MESSAGE("interleaving #" << seed);
    std::mt19937 rng{seed};
    add_peer("a", 1);
    add_peer("b", 2);
    start("a");
    start("b", {"a"});
    std::vector<std::pair<std::string, std::string>> newcomers{
      {"n1", "a"}, {"n2", "b"}, {"n3", "a"}, {"n4", "b"}};
    int n = 10;
    for (auto& nc : newcomers)
      add_peer(nc.first, n++);
    for (auto& nc : newcomers) {
      auto& p = peers.at(nc.first);
      auto& via = peers.at(nc.second);
      caf::anon_send(p.membership, atom::start_v, p.port,
                     std::vector<protocol::endpoint>{{via.host, via.port}});
    }
    drain_shuffled(rng);
    CAF_MESSAGE("one gossip round repairs what the welcomes did not");
    wait(6s);
    std::vector<std::string> names{"a", "b", "n1", "n2", "n3", "n4"};
    for (auto& x : names)
      say(x, "from " + x);
    for (auto& x : names) {
      for (auto& y : names) {
        if (x == y)
          continue;
        auto& ys = lines(y);
        auto joined = std::count(ys.begin(), ys.end(),
                                 x + " has joined the chat");
        auto listed = std::count_if(ys.begin(), ys.end(), [&](auto& line) {
          return line.rfind("Members: ", 0) == 0
                 && (line + ",").find(" " + x + ",") != std::string::npos;
        });
        if (joined + listed != 1)
          CAF_ERROR(y << " learned of " << x << " " << (joined + listed)
                      << " times (seed " << seed << ")");
        CAF_CHECK(shows(y, x + ": from " + x));
        CAF_CHECK(shows(y, x + " lost connection", 0));
      }
    }
    CAF_MESSAGE("exactly one connection per pair of peers");
    CAF_CHECK_EQUAL(live_wires, 2 * (names.size() * (names.size() - 1) / 2));
    reset();
  }
}

CAF_TEST(members that cannot connect hear each other through others) {
  for (unsigned seed = 1; seed <= 40; ++seed) {
    CAF_MESSAGE("interleaving #" << seed);
    std::mt19937 rng{seed};
    add_peers({"a", "b", "c", "d", "e"});
    cannot_connect("a", "d");
    cannot_connect("b", "e");
    start("a");
    // Each joins through a member it reaches, all at once.
    for (auto [name, via] :
         {std::pair{"b", "a"}, {"c", "a"}, {"d", "b"}, {"e", "c"}}) {
      auto& p = peers.at(name);
      auto& entry = peers.at(via);
      caf::anon_send(p.membership, atom::start_v, p.port,
                     std::vector<protocol::endpoint>{{entry.host, entry.port}});
    }
    drain_shuffled(rng);
    // Gossip rounds (one member a round, from each): everyone learns of
    // everyone, through whom it can.
    wait(20s);
    std::vector<std::string> names{"a", "b", "c", "d", "e"};
    for (auto& x : names)
      caf::anon_send(peers.at(x).membership, atom::chat_v, "from " + x);
    drain_shuffled(rng);
    wait(2s);
    for (auto& x : names)
      for (auto& y : names) {
        if (x == y)
          continue;
        auto& ys = lines(y);
        auto told = std::count_if(ys.begin(), ys.end(), [&](auto& line) {
          return line.rfind(x + " has joined the chat", 0) == 0
                 || (line.rfind("Members: ", 0) == 0
                     && (line + ",").find(" " + x + ",") != std::string::npos);
        });
        if (told != 1)
          CAF_ERROR(y << " learned of " << x << " " << told << " times (seed "
                      << seed << ")");
        if (!shows(y, x + ": from " + x))
          CAF_ERROR(y << " did not hear " << x << " once (seed " << seed
                      << ")");
        CAF_CHECK(shows(y, x + " lost connection", 0));
      }

    for (auto [x, y] :
         {std::pair{"a", "d"}, {"d", "a"}, {"b", "e"}, {"e", "b"}})
      CAF_CHECK(std::any_of(lines(x).begin(), lines(x).end(), [&](auto& l) {
        return l.rfind(std::string{y} + " has joined the chat (through ", 0)
               == 0;
      }));
    reset();
    cut.clear();
  }
}

CAF_TEST(a member reached through others that leaves is reported left) {
  add_peers({"a", "b", "c"});
  cannot_connect("a", "c");
  start("a");
  start("b", {"a"});
  start("c", {"b"});
  wait(2s);
  CAF_CHECK(shows("c", "a has joined the chat (through b)"));
  leave("a");
  wait(2s);
  CAF_CHECK(shows("c", "a has left the chat"));
  CAF_CHECK(shows("c", "a lost connection", 0));
}

CAF_TEST(simultaneous connects between two peers leave one connection) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng{seed};
    add_peer("alice", 1);
    add_peer("bob", 2);
    start("alice");
    start("bob");
    CAF_MESSAGE("zed is a member of both groups and tells each of the other");
    auto to_alice = stranger("alice", "10.0.0.9");
    auto to_bob = stranger("bob", "10.0.0.9");
    deliver(to_alice, "alice", greeting(to_alice, "alice", "zed", 9));
    deliver(to_bob, "bob", greeting(to_bob, "bob", "zed", 9));
    drain();
    deliver(to_alice, "alice",
            protocol::make_members({{"bob", "10.0.0.2", 5002, id(2)}}));
    deliver(to_bob, "bob",
            protocol::make_members({{"alice", "10.0.0.1", 5001, id(1)}}));
    drain_shuffled(rng);
    CAF_CHECK(shows("alice", "bob has joined the chat"));
    CAF_CHECK(shows("bob", "alice has joined the chat"));
    CAF_CHECK_EQUAL(live_wires, 4u); // alice-bob, plus the two strangers
    say("alice", "once");
    CAF_CHECK(shows("bob", "alice: once"));
    reset();
  }
}

CAF_TEST(a duplicate name is refused at join) {
  group({"alice", "bob"});
  auto& second = add_peer("bob#2", 3);
  auto newcomer = second.membership;
  self->monitor(newcomer);
  // Same display name as the first bob, another process.
  caf::anon_send_exit(newcomer, caf::exit_reason::kill);
  drain();
  self->receive([](caf::down_msg&) {});
  second.membership = caf::actor_cast<caf::actor>(
    spawn_membership(sys, options("bob", 3), second.dialer,
                     caf::actor_cast<console_actor>(second.console)));
  self->monitor(second.membership);
  start("bob#2", {"alice"});
  caf::error reason;
  self->receive([&](caf::down_msg& dm) { reason = dm.reason; });
  CAF_CHECK_NOT_EQUAL(reason, caf::exit_reason::user_shutdown);
  CAF_CHECK(caf::to_string(reason).find("already taken") != std::string::npos);
  CAF_CHECK_EQUAL(lines("alice"),
                  (std::vector<std::string>{"Created a new group chat",
                                            "bob has joined the chat"}));
}

CAF_TEST(a duplicate name is refused at greeting) {
  group({"alice", "bob"});
  auto end = stranger("alice", "10.0.0.7");
  deliver(end, "alice", greeting(end, "alice", "bob", 7));
  drain();
  CAF_CHECK(shows("alice", "bob has joined the chat"));
  CAF_CHECK_EQUAL(lines("alice").size(), 2u);
  CAF_CHECK_EQUAL(
    sent[end.address()],
    (std::vector<message_type>{message_type::challenge, message_type::refuse}));
  CAF_CHECK_EQUAL(closed_by_owner.count(end.address()), 1u);
}

CAF_TEST(duplicate and reordered sequence numbers are dropped) {
  add_peer("alice", 1);
  start("alice");
  auto end = stranger("alice", "10.0.0.9");
  deliver(end, "alice", greeting(end, "alice", "zed", 9));
  constexpr uint64_t too_far = 6 + protocol::max_seq_gap;
  for (auto [text, seq] : {std::pair<const char*, uint64_t>{"a", 1},
                           {"b", 2},
                           {"b again", 2},
                           {"a late", 1},
                           {"c", 3},
                           {"e", 5},
                           {"d late", 4},
                           {"a jump that cannot be real", too_far},
                           {"f", 6}})
    deliver(end, "alice", protocol::make_chat(text, seq));
  drain();
  CAF_CHECK_EQUAL(lines("alice"),
                  (std::vector<std::string>{
                    "Created a new group chat", "zed has joined the chat",
                    "zed: a", "zed: b", "zed: c",
                    "1 line from zed did not reach you (said while you were "
                    "apart, and no longer kept)",
                    "zed: e", "zed: f"}));
}

CAF_TEST(nobody greets chats or leaves as another member) {
  group({"alice", "bob", "carol"});
  CAF_MESSAGE("mallory (6) read bob's ID from a member list and greets carol "
              "with it, signing with her own key");
  auto end = stranger("carol", "10.6.6.6");
  deliver(end, "carol", greeting(end, "carol", "bob", 2, 6));
  deliver(end, "carol",
          protocol::make_chat("forged by mallory", protocol::max_seq));
  deliver(end, "carol", protocol::make_leave());
  drain();
  CAF_CHECK_EQUAL(closed_by_owner.count(end.address()), 1u);
  CAF_CHECK(shows("carol", "bob: forged by mallory", 0));
  CAF_CHECK(shows("carol", "bob has left the chat", 0));
  CAF_CHECK(shows("carol", "bob lost connection", 0));
  CAF_MESSAGE("bob's real connection stays, and his lines arrive");
  say("bob", "still me");
  CAF_CHECK(shows("carol", "bob: still me"));
  CAF_CHECK(shows("alice", "bob: still me"));
}

CAF_TEST(a member says how far its lines went when it greets) {
  add_peer("alice", 1);
  start("alice");
  auto end = stranger("alice", "10.0.0.9");
  CAF_MESSAGE("zed said 100 lines before he met alice (his proof covers the "
              "count: nobody on the path can change it)");
  auto msg = greeting(end, "alice", "zed", 9, 0, 100);
  deliver(end, "alice", msg);
  deliver(end, "alice", protocol::make_chat("old", 100));
  deliver(end, "alice", protocol::make_chat("new", 101));
  drain();
  CAF_CHECK(shows("alice", "zed: old", 0));
  CAF_CHECK(shows("alice", "zed: new"));
}

CAF_TEST(a greeting changed on the path proves nothing) {
  add_peer("alice", 1);
  start("alice");
  auto end = stranger("alice", "10.0.0.9");
  CAF_MESSAGE("a count raised on the path would silence zed's real lines");
  auto msg = greeting(end, "alice", "zed", 9);
  msg.seq = protocol::max_seq_gap * 100;
  deliver(end, "alice", msg);
  drain();
  CAF_CHECK(shows("alice", "zed has joined the chat", 0));
  CAF_CHECK_EQUAL(closed_by_owner.count(end.address()), 1u);
  CAF_MESSAGE("so would another name");
  auto end2 = stranger("alice", "10.0.0.9");
  auto renamed = greeting(end2, "alice", "zed", 9);
  renamed.name = "zeb";
  deliver(end2, "alice", renamed);
  drain();
  CAF_CHECK(shows("alice", "zeb has joined the chat", 0));
  CAF_CHECK_EQUAL(closed_by_owner.count(end2.address()), 1u);
}

// -- blips, partitions and history ---------------------------------------------

namespace {

// The chat lines `xs` shows from said(), in the order shown.
std::vector<std::string> said_lines(const std::vector<std::string>& xs) {
  std::vector<std::string> result;
  for (auto& x : xs)
    if (x.find(": said ") != std::string::npos)
      result.push_back(x);
  return result;
}

// The lines of `sender` among them.
std::vector<std::string> said_by(const std::vector<std::string>& xs,
                                 const std::string& sender) {
  std::vector<std::string> result;
  for (auto& x : said_lines(xs))
    if (x.rfind(sender + ": ", 0) == 0)
      result.push_back(x);
  return result;
}

} // namespace

CAF_TEST(a member cut off for a while comes back and gets what it missed) {
  group({"alice", "bob", "carol"});
  say("alice", "said before");
  CAF_MESSAGE("carol's link goes down for 8 seconds, longer than the "
              "peer timeout");
  partition({{"alice", "bob"}, {"carol"}});
  say("alice", "said while apart 1");
  say("carol", "said alone 1");
  wait(6s);
  CAF_CHECK(shows("alice", "carol lost connection"));
  CAF_CHECK(shows("carol", "alice lost connection"));
  CAF_CHECK(shows("carol", "bob lost connection"));
  say("bob", "said while apart 2");
  say("carol", "said alone 2");
  wait(2s);
  heal();
  CAF_MESSAGE("both sides retry: within the backoff, the group is whole");
  wait(40s);
  CAF_CHECK(shows("alice", "carol has joined the chat", 2));
  CAF_CHECK(shows("bob", "carol has joined the chat", 2));
  CAF_CHECK(shows("carol", "alice has joined the chat"));
  CAF_CHECK(shows("carol", "bob has joined the chat"));
  CAF_MESSAGE("what each side said reaches the other, once, in its "
              "sender's order");
  CAF_CHECK_EQUAL(said_by(lines("carol"), "alice"),
                  (std::vector<std::string>{"alice: said before",
                                            "alice: said while apart 1"}));
  CAF_CHECK_EQUAL(said_by(lines("carol"), "bob"),
                  (std::vector<std::string>{"bob: said while apart 2"}));
  for (auto name : {"alice", "bob"})
    CAF_CHECK_EQUAL(
      said_by(lines(name), "carol"),
      (std::vector<std::string>{"carol: said alone 1", "carol: said alone 2"}));
  CAF_CHECK(shows("alice", "bob: said while apart 2"));
  CAF_CHECK(shows("bob", "alice: said while apart 1"));
  say("carol", "said live");
  CAF_CHECK(shows("alice", "carol: said live"));
  CAF_CHECK(shows("bob", "carol: said live"));
}

CAF_TEST(a partition heals and every member ends with every line) {
  const std::vector<std::string> names{"a", "b", "c", "d", "e"};
  for (unsigned seed = 1; seed <= 40; ++seed) {
    CAF_MESSAGE("interleaving #" << seed);
    std::mt19937 rng{seed};
    group({"a", "b", "c", "d", "e"});
    std::map<std::string, std::vector<std::string>> said;
    int k = 0;
    auto speak = [&](const std::string& who) {
      auto text = "said " + who + std::to_string(++k);
      said[who].push_back(who + ": " + text);
      caf::anon_send(peers.at(who).membership, atom::chat_v, text);
    };
    for (int i = 0; i < 3; ++i)
      speak(names[rng() % names.size()]);
    drain_shuffled(rng);
    partition({{"a", "b"}, {"c", "d", "e"}});
    // Lines on both sides, before and after the loss is noticed, and a
    // heal at a random moment: 6 to 20 seconds later.
    auto apart = std::chrono::milliseconds(6000 + rng() % 14000);
    for (caf::timespan t{0}; t < apart; t += 500ms) {
      if (rng() % 3 == 0)
        speak(names[rng() % names.size()]);
      advance_time(500ms);
      drain_shuffled(rng);
    }
    heal();
    for (int i = 0; i < 3; ++i)
      speak(names[rng() % names.size()]);
    wait(60s, 500ms);
    for (auto& name : names) {
      // Everything was kept (far fewer lines than the history holds).
      for (auto& line : lines(name))
        CAF_CHECK(line.find("did not reach you") == std::string::npos);
      // Every line of every other member, once, in its sender's order.
      for (auto& other : names)
        if (other != name)
          CAF_CHECK_EQUAL(said_by(lines(name), other), said[other]);
    }
    reset();
  }
}

CAF_TEST(newcomers during and after a partition get every line) {
  group({"alice", "bob", "carol"});
  say("carol", "said by carol before");
  partition({{"alice", "bob"}, {"carol"}});
  wait(6s);
  CAF_MESSAGE("dave joins alice's side during the partition");
  add_peer("dave", 4);
  side[peers.at("dave").membership.address()] = 0;
  start("dave", {"alice"});
  say("dave", "said by dave apart");
  say("carol", "said by carol apart");
  wait(1s);
  heal();
  wait(40s);
  CAF_MESSAGE("carol and dave meet through gossip and swap their lines");
  CAF_CHECK(shows("carol", "dave has joined the chat"));
  CAF_CHECK(shows("carol", "dave: said by dave apart"));
  CAF_CHECK(shows("dave", "carol: said by carol before"));
  CAF_CHECK(shows("dave", "carol: said by carol apart"));
  CAF_MESSAGE("erin joins after it: she gets the recent history of all");
  add_peer("erin", 5);
  start("erin", {"bob"});
  CAF_CHECK_EQUAL(said_lines(lines("erin")),
                  (std::vector<std::string>{"carol: said by carol before",
                                            "dave: said by dave apart",
                                            "carol: said by carol apart"}));
}

CAF_TEST(a newcomer sees the history in the order it was said) {
  group({"alice", "bob"});
  say("alice", "said first");
  wait(1s);
  say("bob", "said second");
  wait(1s);
  say("alice", "said third");
  add_peer("dave", 4);
  start("dave", {"bob"});
  CAF_CHECK_EQUAL(lines("dave"), (std::vector<std::string>{
                                   "Joined the group chat",
                                   "Members: alice, bob", "alice: said first",
                                   "bob: said second", "alice: said third"}));
  say("bob", "said live");
  CAF_CHECK_EQUAL(lines("dave").back(), "bob: said live");
  CAF_MESSAGE("old members are not sent what they saw already");
  CAF_CHECK(shows("alice", "bob: said second"));
  CAF_CHECK(shows("bob", "alice: said first"));
}

CAF_TEST(a member away longer than the rejoin window is not taken back) {
  group({"alice", "bob", "carol"});
  CAF_MESSAGE("bob is back after 9 minutes, carol only after 11");
  partition({{"alice", "bob"}, {"carol"}});
  wait(1min, 1s);
  partition({{"alice"}, {"bob"}, {"carol"}});
  wait(8min, 1s);
  partition({{"alice", "bob"}, {"carol"}});
  wait(2min, 1s);
  heal();
  wait(2min, 1s);
  CAF_CHECK(shows("alice", "bob has joined the chat", 2));
  CAF_CHECK(shows("alice", "carol lost connection"));
  CAF_CHECK(shows("alice", "carol has joined the chat", 1));
  say("carol", "said after giving up");
  CAF_CHECK(shows("alice", "carol: said after giving up", 0));
  CAF_MESSAGE("nobody dials carol any more");
  auto carol = address(peers.at("carol").host, peers.at("carol").port);
  auto before = dials[carol];
  wait(2min, 1s);
  CAF_CHECK_EQUAL(dials[carol], before);
}

CAF_TEST(a retry that connects but hears nothing is tried again) {
  group({"alice", "bob"});
  partition({{"alice"}, {"bob"}});
  wait(6s);
  CAF_CHECK(shows("alice", "bob lost connection"));
  CAF_MESSAGE("bob's port answers again, but bob says nothing (stopped)");
  heal();
  muted.insert(peers.at("bob").membership.address());
  wait(20s);
  CAF_MESSAGE("then he resumes: the next retry gets him back");
  muted.clear();
  wait(40s);
  CAF_CHECK(shows("alice", "bob has joined the chat", 2));
  say("bob", "said after the stop");
  CAF_CHECK(shows("alice", "bob: said after the stop"));
}

CAF_TEST(a restarted peer at the address of a lost member ends the retries) {
  group({"alice", "bob"});
  crash("bob");
  CAF_CHECK(shows("alice", "bob lost connection"));
  CAF_MESSAGE("a new process (a new key) listens where bob did");
  peers.erase("bob");
  add_peer("bob", 7, 2);
  start("bob");
  wait(10s);
  auto at = address("10.0.0.2", 5002);
  auto tried = dials[at];
  CAF_CHECK_GREATER_OR_EQUAL(tried, 1u);
  CAF_MESSAGE("it says it is not the peer alice means, and she stops");
  wait(3min, 1s);
  CAF_CHECK_EQUAL(dials[at], tried);
  CAF_CHECK(shows("alice", "bob has joined the chat", 1));
}

CAF_TEST(a member that says nothing after coming back shows what was lost) {
  group({"alice", "bob"});
  partition({{"alice"}, {"bob"}});
  wait(6s);
  for (int i = 0; i < 3; ++i)
    say("bob", "said apart " + std::to_string(i));
  heal();
  wait(40s);
  CAF_MESSAGE("all of it kept and sent again: no notice");
  CAF_CHECK(shows("alice", "bob: said apart 2"));
  for (auto& line : lines("alice"))
    CAF_CHECK(line.find("did not reach you") == std::string::npos);
}

CAF_TEST(who counts from when each member joined the group) {
  group({"alice", "bob"});
  wait(4min, 1s);
  add_peer("dave", 4);
  start("dave", {"bob"});
  self->send(peers.at("dave").membership, atom::who_v);
  drain();
  std::vector<std::string> shown;
  self->receive(
    [&](const std::string& own, uint16_t port,
        const std::vector<groupchat::protocol::member_summary>& others) {
      shown = groupchat::protocol::format_who(own, port, others);
    });
  CAF_REQUIRE_EQUAL(shown.size(), 3u);
  CAF_MESSAGE("dave met them just now; they have been here four minutes");
  CAF_CHECK_EQUAL(shown[1].substr(0, 5), "alice");
  CAF_CHECK(shown[1].find("here for 4m0s") != std::string::npos);
  CAF_CHECK(shown[2].find("here for 4m0s") != std::string::npos);
}

CAF_TEST(a member renames itself for everyone) {
  group({"alice", "bob", "carol"});
  caf::anon_send(peers.at("bob").membership, atom::nick_v, "robert");
  drain();
  for (auto name : {"alice", "carol"})
    CAF_CHECK(shows(name, "bob is now known as robert"));
  CAF_CHECK(shows("bob", "You are now known as robert"));
  say("bob", "new name");
  CAF_CHECK(shows("alice", "robert: new name"));
  CAF_MESSAGE("a name taken as far as the renamer knows is never sent");
  caf::anon_send(peers.at("bob").membership, atom::nick_v, "Carol");
  drain();
  CAF_CHECK(shows("bob", "Name not changed: the name 'Carol' is already "
                         "taken in this group"));
  CAF_CHECK(shows("alice", "robert is now known as Carol", 0));
}

CAF_TEST(a rename a member knows taken is refused and undone) {
  group({"alice", "bob", "carol"});
  CAF_MESSAGE("zed greets alice only: bob and carol do not know him");
  auto end = stranger("alice", "10.0.0.9");
  deliver(end, "alice", greeting(end, "alice", "zed", 9));
  drain();
  caf::anon_send(peers.at("bob").membership, atom::nick_v, "zed");
  drain();
  CAF_CHECK(shows("carol", "bob is now known as zed"));
  CAF_CHECK(shows("carol", "zed is now known as bob"));
  CAF_CHECK(shows("alice", "bob is now known as zed", 0));
  CAF_CHECK(shows("bob", "Could not take the name zed: the name 'zed' is "
                         "already taken in this group; you are bob again"));
  say("bob", "still bob");
  for (auto name : {"alice", "carol"})
    CAF_CHECK(shows(name, "bob: still bob"));
}

CAF_TEST(a stale refusal neither undoes a rename nor drops a member) {
  group({"alice", "bob"});
  caf::anon_send(peers.at("bob").membership, atom::nick_v, "robert");
  drain();
  CAF_CHECK(shows("alice", "bob is now known as robert"));
  wait(1min, 1s);
  CAF_MESSAGE("alice sends a refusal of the new name a minute later");
  auto& alice = peers.at("alice");
  // Bob's end of the connection: its far end is alice.
  auto bob_end = std::find_if(wires.begin(), wires.end(), [&](auto& w) {
    return far_owner[w.address()] == alice.membership.address();
  });
  CAF_REQUIRE(bob_end != wires.end());
  caf::anon_send(*bob_end, test_atom::deliver_v,
                 protocol::make_refuse(protocol::refusal::name_taken,
                                       "the name 'robert' is already taken "
                                       "in this group",
                                       "robert"));
  drain();
  CAF_CHECK(shows("alice", "robert is now known as bob", 0));
  say("bob", "still robert");
  CAF_CHECK(shows("alice", "robert: still robert"));
}

CAF_TEST_FIXTURE_SCOPE_END()
