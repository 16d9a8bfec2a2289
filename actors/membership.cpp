#include "actors/membership.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/messages.hpp"
#include "protocol/endpoint.hpp"
#include "protocol/message.hpp"

namespace groupchat {

namespace {

using protocol::endpoint;
using protocol::member_info;
using protocol::message;
using protocol::message_type;
using time_point = caf::actor_clock::time_point;

/// Gossip: every this many heartbeat ticks, one member gets our member list.
constexpr unsigned gossip_every = 5;

/// Where this peer stands in its own life cycle.
enum class phase {
  /// Waiting for `start`.
  idle,
  /// Trying the bootstrap peers in order, asking one for the member list.
  bootstrapping,
  /// Greeting every member of the list.
  joining,
  /// A member of a group (possibly alone in it).
  running,
  /// Leaving: leave messages sent, waiting for connections to flush.
  leaving,
};

/// What we know about the peer at the other end of one connection.
struct peer {
  enum class stage {
    /// Accepted, no greeting yet (a newcomer, or a stranger).
    accepted,
    /// Dialed as our entry into a group; `hello` sent, waiting for `members`.
    entry,
    /// `greeting` sent, waiting for `welcome`.
    greeting,
    /// A member of the group: chat flows in both directions.
    member,
    /// Sent `leave`; its connection is closing.
    left,
  };

  caf::actor conn;
  stage st = stage::accepted;
  /// Whether we dialed this connection (else we accepted it).
  bool dialed = false;
  /// Display name (from its greeting or welcome, never from a chat payload).
  std::string name;
  /// Where it listens: the host it connects from (or we dialed), its port.
  endpoint address;
  /// Its peer ID, once known.
  uint64_t id = 0;
  /// When it last sent anything.
  time_point last_seen;
  /// When it became a member.
  time_point joined_at;
  /// We closed this connection: nothing it still delivers counts, and its
  /// end reports nothing.
  bool closed = false;
};

struct membership_state {
  static inline constexpr const char* name = "membership";

  caf::stateful_actor<membership_state>* self = nullptr;
  membership_options opts;
  caf::actor dialer;
  caf::actor console;

  phase ph = phase::idle;
  /// Our listen port, announced in greetings and member lists.
  uint16_t port = 0;
  /// The bootstrap peers and the index of the next one to try.
  std::vector<endpoint> bootstrap;
  size_t next_bootstrap = 0;
  /// Every connection, by the address of its actor.
  std::map<caf::actor_addr, peer> peers;
  /// IDs of peers whose connect is under way.
  std::set<uint64_t> dialing;
  /// Per sender ID, the highest chat sequence number shown.
  std::map<uint64_t, uint64_t> last_seq;
  /// Our next chat sequence number.
  uint64_t next_seq = 1;
  /// Chat lines received (for the benchmark hook).
  uint64_t received = 0;
  /// Identifies the one phase timer that counts; older ones are ignored.
  uint64_t timer = 0;
  /// Counts heartbeat ticks, for gossip.
  unsigned ticks = 0;
  /// Whether a tick is scheduled. A peer alone has nothing to check and
  /// nobody to send heartbeats to: it does not tick, so it never wakes up.
  bool ticking = false;
  /// Lines typed before the join completed, sent once it has.
  std::vector<message> outbox;
  /// Why we quit: user_shutdown after a leave, an error if refused.
  caf::error quit_reason = caf::exit_reason::user_shutdown;

  // -- helpers ----------------------------------------------------------------

  void notice(std::string line) {
    self->send(console, atom::notice_v, std::move(line));
  }

  void send(const peer& p, message msg) {
    self->send(p.conn, atom::send_v, std::move(msg));
  }

  // Closes the connection; from now on nothing it does counts, and its end
  // reports nothing.
  void discard(peer& p) {
    self->send(p.conn, atom::close_v);
    p.closed = true;
  }

  void arm_timer(caf::timespan after) {
    self->delayed_send(self, after, atom::timeout_v, ++timer);
  }

  void disarm_timer() {
    ++timer;
  }

  time_point now() {
    return self->clock().now();
  }

  std::vector<peer*> members() {
    std::vector<peer*> result;
    for (auto& kvp : peers)
      if (kvp.second.st == peer::stage::member && !kvp.second.closed)
        result.push_back(&kvp.second);
    return result;
  }

  /// The other connection (greeting or member) to the peer with `id`.
  peer* find_id(uint64_t id, const peer* except) {
    for (auto& kvp : peers) {
      auto& p = kvp.second;
      if (&p != except && p.id == id && !p.closed
          && (p.st == peer::stage::greeting || p.st == peer::stage::member))
        return &p;
    }
    return nullptr;
  }

  bool name_taken(const std::string& name, uint64_t id) {
    if (name == opts.name && id != opts.id)
      return true;
    for (auto p : members())
      if (p->name == name && p->id != id)
        return true;
    return false;
  }

  /// Every member we are connected to; with ourselves first if `with_self`.
  std::vector<member_info> member_list(bool with_self) {
    std::vector<member_info> list;
    if (with_self)
      list.push_back({opts.name, "", port, opts.id});
    for (auto p : members())
      list.push_back({p->name, p->address.host, p->address.port, p->id});
    return list;
  }

  void ensure_ticking() {
    if (ticking || ph == phase::leaving)
      return;
    ticking = true;
    self->delayed_send(self, opts.heartbeat_interval, atom::tick_v);
  }

  peer& add_peer(caf::actor conn, peer::stage st, bool dialed,
                 endpoint address) {
    ensure_ticking();
    self->monitor(conn);
    auto key = conn.address();
    auto& p = peers[key];
    p = peer{std::move(conn), st, dialed, {}, std::move(address), 0, now(),
             now(), false};
    return p;
  }

  // -- start-up and bootstrap -------------------------------------------------

  void start(uint16_t listen_port, std::vector<endpoint> peers_to_try) {
    if (ph != phase::idle)
      return;
    port = listen_port;
    bootstrap = std::move(peers_to_try);
    ph = phase::bootstrapping;
    try_next_bootstrap();
  }

  // Step 1: dial the bootstrap peers in order; the first that answers is our
  // entry point. Later peers (perhaps of other groups) are never contacted.
  void try_next_bootstrap() {
    if (next_bootstrap == bootstrap.size()) {
      notice("Created a new group chat");
      become_running();
      return;
    }
    auto addr = bootstrap[next_bootstrap++];
    self->request(dialer, caf::infinite, atom::connect_v, addr.host, addr.port)
      .then(
        [this, addr](caf::actor conn) {
          if (ph != phase::bootstrapping) {
            self->send(conn, atom::close_v);
            return;
          }
          auto& p = add_peer(std::move(conn), peer::stage::entry, true, addr);
          send(p, protocol::make_hello());
          arm_timer(opts.join_timeout);
        },
        [this, addr](const caf::error& err) {
          spdlog::warn("could not reach {}: {}", protocol::to_string(addr),
                       describe(err));
          if (ph == phase::bootstrapping)
            try_next_bootstrap();
        });
  }

  // Step 2 arrived: greet every member of the list.
  void begin_join(peer& entry, const std::vector<member_info>& list) {
    disarm_timer();
    for (auto& m : list)
      if (m.name == opts.name)
        return refused("the name '" + opts.name
                       + "' is already taken in this group");
    ph = phase::joining;
    // Step 3: the entry peer lists itself with an empty host; it is greeted
    // over the connection we already have.
    auto self_entry = std::find_if(list.begin(), list.end(),
                                   [](auto& m) { return m.host.empty(); });
    if (self_entry == list.end()) {
      spdlog::warn("entry peer {} did not list itself",
                   protocol::to_string(entry.address));
      discard(entry);
    } else {
      entry.st = peer::stage::greeting;
      entry.id = self_entry->id;
      entry.name = self_entry->name;
      entry.address.port = self_entry->port;
      send(entry, protocol::make_greeting(opts.name, port, opts.id));
    }
    connect_to(list, entry.address.host);
    arm_timer(opts.join_timeout);
    maybe_finish_join();
  }

  // Connects to every member of `list` we do not know yet. `via_host` is
  // where the sender of the list is: loopback addresses in the list are only
  // meaningful there.
  void connect_to(const std::vector<member_info>& list,
                  const std::string& via_host) {
    for (auto& m : list) {
      if (m.host.empty() || m.id == opts.id || dialing.count(m.id) > 0
          || find_id(m.id, nullptr) != nullptr)
        continue;
      endpoint addr{m.host, m.port};
      if (protocol::is_loopback(m.host))
        addr.host = via_host;
      dial_member(m, std::move(addr));
    }
  }

  void dial_member(const member_info& m, endpoint addr) {
    dialing.insert(m.id);
    self->request(dialer, caf::infinite, atom::connect_v, addr.host, addr.port)
      .then(
        [this, m, addr](caf::actor conn) {
          dialing.erase(m.id);
          // Too late (join timed out into leaving), or connected meanwhile.
          if (ph == phase::leaving || find_id(m.id, nullptr) != nullptr) {
            self->send(conn, atom::close_v);
            return;
          }
          auto& p = add_peer(std::move(conn), peer::stage::greeting, true,
                             addr);
          p.name = m.name;
          p.id = m.id;
          send(p, protocol::make_greeting(opts.name, port, opts.id));
        },
        [this, m, addr](const caf::error& err) {
          dialing.erase(m.id);
          spdlog::warn("could not reach {} at {}: {}", m.name,
                       protocol::to_string(addr), describe(err));
          maybe_finish_join();
        });
  }

  // Step 5: once every member answered or failed, we are in.
  void maybe_finish_join() {
    if (ph != phase::joining || !dialing.empty())
      return;
    for (auto& kvp : peers)
      if (kvp.second.st == peer::stage::greeting && !kvp.second.closed)
        return;
    disarm_timer();
    auto list = members();
    if (list.empty()) {
      notice("Could not reach any member of the group");
      notice("Created a new group chat");
      become_running();
      return;
    }
    std::vector<std::string> sorted;
    for (auto p : list)
      sorted.push_back(p->name);
    std::sort(sorted.begin(), sorted.end());
    std::string names;
    for (auto& name : sorted)
      names += (names.empty() ? "" : ", ") + name;
    notice("Joined the group chat");
    notice("Members: " + names);
    become_running();
  }

  void become_running() {
    ph = phase::running;
    for (auto& msg : outbox)
      broadcast_chat(std::move(msg));
    outbox.clear();
  }

  // The group refused us (e.g. our name is taken): leave what we joined and
  // quit with the reason, so that main can exit non-zero.
  void refused(const std::string& why) {
    quit_reason = caf::make_error(caf::sec::invalid_argument, why);
    leave();
  }

  // -- two connections to one peer --------------------------------------------

  // `fresh` just identified itself as peer `id`. If another connection to
  // that peer exists, only the one dialed by the lower peer ID survives;
  // both sides apply the same rule, so both keep the same connection.
  // Returns whether `fresh` survives, and whether the peer was already a
  // member over the other connection (so no second "has joined").
  std::pair<bool, bool> resolve_duplicate(peer& fresh, uint64_t id) {
    auto other = find_id(id, &fresh);
    if (other == nullptr)
      return {true, false};
    bool dialer_is_lower = fresh.dialed ? opts.id < id : id < opts.id;
    if (!dialer_is_lower) {
      spdlog::debug("closing duplicate connection to {}", fresh.name);
      discard(fresh);
      return {false, false};
    }
    bool was_member = other->st == peer::stage::member;
    spdlog::debug("replacing the connection to {}", other->name);
    discard(*other);
    return {true, was_member};
  }

  // -- incoming messages ------------------------------------------------------

  void on_received(const caf::actor_addr& from, message& msg) {
    auto i = peers.find(from);
    if (i == peers.end() || ph == phase::leaving)
      return; // A connection we already gave up on.
    auto& p = i->second;
    if (p.closed)
      return;
    p.last_seen = now();
    using st = peer::stage;
    switch (msg.type) {
      case message_type::hello:
        if (p.st == st::accepted || p.st == st::member)
          return send(p, protocol::make_members(member_list(true)));
        break;
      case message_type::members:
        if (p.st == st::entry && ph == phase::bootstrapping)
          return begin_join(p, msg.members);
        if (p.st == st::member) // Gossip.
          return connect_to(msg.members, p.address.host);
        break;
      case message_type::greeting:
        if (p.st == st::accepted)
          return on_greeting(p, msg);
        break;
      case message_type::welcome:
        if (p.st == st::greeting)
          return on_welcome(p, msg);
        break;
      case message_type::refuse:
        if (p.st == st::greeting || p.st == st::entry)
          return on_refuse(p, msg);
        break;
      case message_type::chat:
        if (p.st == st::member)
          return on_chat(p, msg);
        break;
      case message_type::heartbeat:
        if (p.st == st::member || p.st == st::greeting)
          return;
        break;
      case message_type::leave:
        if (p.st == st::member) {
          notice(p.name + " has left the chat");
          self->send(p.conn, atom::close_v);
          p.st = st::left;
          return;
        }
        break;
    }
    // Guards above failed: a message in the wrong phase is a protocol error.
    spdlog::warn("dropping {} ({}): unexpected {}",
                 p.name.empty() ? "peer" : p.name,
                 protocol::to_string(p.address),
                 protocol::to_string(msg.type));
    if (p.st == st::member)
      notice(p.name + " lost connection");
    discard(p);
  }

  // Step 4: a newcomer (or a member that learned of us) greets us.
  void on_greeting(peer& p, message& msg) {
    if (msg.id == opts.id) {
      discard(p); // We dialed ourselves.
      return;
    }
    if (name_taken(msg.name, msg.id)) {
      spdlog::warn("refusing {} from {}: name taken", msg.name,
                   protocol::to_string(p.address));
      send(p, protocol::make_refuse("the name '" + msg.name
                                    + "' is already taken in this group"));
      discard(p);
      return;
    }
    p.name = std::move(msg.name);
    p.address.port = msg.port;
    auto [survives, was_member] = resolve_duplicate(p, msg.id);
    if (!survives)
      return;
    p.st = peer::stage::member;
    p.id = msg.id;
    p.joined_at = now();
    send(p, protocol::make_welcome(opts.name, opts.id, member_list(false)));
    // While we join, new members are in the "Members:" line at the end.
    if (!was_member && ph == phase::running)
      notice(p.name + " has joined the chat");
  }

  void on_welcome(peer& p, message& msg) {
    // The name a member gives for itself wins over the list's.
    p.name = std::move(msg.name);
    auto [survives, was_member] = resolve_duplicate(p, msg.id);
    if (survives) {
      p.st = peer::stage::member;
      p.id = msg.id;
      p.joined_at = now();
      if (!was_member && ph == phase::running)
        notice(p.name + " has joined the chat");
      // Whoever it knows and we do not, joined concurrently with us.
      connect_to(msg.members, p.address.host);
    }
    maybe_finish_join();
  }

  void on_refuse(peer& p, const message& msg) {
    spdlog::warn("{} refused us: {}", protocol::to_string(p.address),
                 msg.text);
    discard(p);
    if (ph == phase::joining || ph == phase::bootstrapping)
      refused(msg.text);
  }

  void on_chat(peer& p, message& msg) {
    // Sequence numbers per sender: a line that arrives twice (over two
    // connections to the same peer) or late is shown once, in order.
    auto& last = last_seq[p.id];
    if (msg.seq <= last) {
      spdlog::debug("dropping chat #{} from {}: already at #{}", msg.seq,
                    p.name, last);
      return;
    }
    last = msg.seq;
    ++received;
    if (bench_due(msg))
      std::fprintf(stderr, "bench recv %s %llu %lld %llu\n", p.name.c_str(),
                   static_cast<unsigned long long>(msg.seq),
                   static_cast<long long>(mono_ns()),
                   static_cast<unsigned long long>(received));
    if (opts.bench_every > 0)
      return; // Measured up to here: the terminal is not part of it.
    if (msg.whisper)
      self->send(console, atom::whisper_v, p.name, std::move(msg.text));
    else if (msg.action)
      self->send(console, atom::action_v, p.name, std::move(msg.text));
    else
      self->send(console, atom::chat_v, p.name, std::move(msg.text));
  }

  void on_down(const caf::down_msg& dm) {
    auto i = peers.find(dm.source);
    if (i == peers.end())
      return;
    auto p = std::move(i->second);
    peers.erase(i);
    using st = peer::stage;
    switch (p.closed ? st::accepted : p.st) {
      case st::member:
        if (ph != phase::leaving)
          notice(p.name + " lost connection");
        break;
      case st::entry:
        // A group with another passphrase (or none) is not one to join,
        // nor a reason to create a new group: give up with the reason.
        if (auto why = auth_failure(dm.reason);
            !why.empty() && ph == phase::bootstrapping) {
          refused(why);
          break;
        }
        spdlog::warn("entry peer {} closed the connection before answering",
                     protocol::to_string(p.address));
        if (ph == phase::bootstrapping) {
          disarm_timer();
          try_next_bootstrap();
        }
        break;
      case st::greeting:
        spdlog::info("{} at {} closed the connection during the greeting",
                     p.name, protocol::to_string(p.address));
        maybe_finish_join();
        break;
      case st::accepted:
      case st::left:
        break;
    }
    if (ph == phase::leaving && peers.empty())
      quit();
  }

  void on_timeout(uint64_t id) {
    if (id != timer)
      return;
    switch (ph) {
      case phase::bootstrapping:
        // The entry peer accepted but never answered: try the next one.
        for (auto& kvp : peers)
          if (kvp.second.st == peer::stage::entry) {
            spdlog::warn("entry peer {} did not answer within the join timeout",
                         protocol::to_string(kvp.second.address));
            discard(kvp.second);
          }
        try_next_bootstrap();
        break;
      case phase::joining:
        for (auto& kvp : peers)
          if (kvp.second.st == peer::stage::greeting) {
            spdlog::warn("{} did not answer the greeting in time",
                         kvp.second.name);
            discard(kvp.second);
          }
        dialing.clear(); // Late connects find us running and are used.
        maybe_finish_join();
        break;
      case phase::leaving:
        spdlog::warn("leave timeout: {} connection(s) did not flush",
                     peers.size());
        quit();
        break;
      default:
        break;
    }
  }

  // -- liveness ---------------------------------------------------------------

  void on_tick() {
    ticking = false;
    if (ph == phase::leaving || peers.empty())
      return; // Alone: the next connection starts the ticks again.
    ++ticks;
    auto list = members();
    for (auto p : list)
      send(*p, protocol::make_heartbeat());
    if (ticks % gossip_every == 0 && !list.empty()) {
      // One member a round, in turn: the group converges without every
      // member sending its whole list to everyone.
      auto target = list[(ticks / gossip_every) % list.size()];
      send(*target, protocol::make_members(member_list(false)));
    }
    check_liveness(true);
    ensure_ticking();
  }

  // Reports peers silent for `peer_timeout`. Ticks come once a heartbeat
  // interval; a peer whose deadline falls before the next tick gets a check
  // of its own at its deadline, so detection is exact to the deadline.
  void check_liveness(bool schedule) {
    auto t = now();
    for (auto& kvp : peers) {
      auto& p = kvp.second;
      if (p.closed
          || (p.st != peer::stage::member && p.st != peer::stage::greeting
              && p.st != peer::stage::accepted))
        continue;
      auto deadline = p.last_seen + opts.peer_timeout;
      if (deadline <= t) {
        if (p.st == peer::stage::member)
          notice(p.name + " lost connection");
        else
          spdlog::info("closing silent connection {}",
                       protocol::to_string(p.address));
        discard(p);
        maybe_finish_join();
      } else if (schedule && deadline < t + opts.heartbeat_interval) {
        self->delayed_send(self, deadline - t, atom::check_v);
      }
    }
  }

  // -- local input ------------------------------------------------------------

  // Whether a body of `size` bytes fits into a frame; tells the user if not.
  bool fits(size_t size) {
    if (size <= opts.max_frame_size)
      return true;
    notice("Message not sent: it is too long (" + std::to_string(size)
           + " bytes encoded, the maximum is "
           + std::to_string(opts.max_frame_size) + ")");
    return false;
  }

  bool fits(const message& msg) {
    return fits(protocol::encode(msg).size());
  }

  void on_chat_input(message msg) {
    if (ph == phase::running) {
      broadcast_chat(std::move(msg));
    } else if (ph != phase::leaving) {
      msg.seq = next_seq;
      if (fits(msg))
        outbox.push_back(std::move(msg)); // Sent once the join completes.
    }
  }

  // Encodes the line once; every member's connection gets the same body.
  void broadcast_chat(message msg) {
    msg.seq = next_seq;
    auto body = protocol::encode(msg);
    if (!fits(body.size()))
      return;
    ++next_seq;
    if (bench_due(msg))
      std::fprintf(stderr, "bench sent %llu %lld\n",
                   static_cast<unsigned long long>(msg.seq),
                   static_cast<long long>(mono_ns()));
    auto packet = caf::make_message(atom::send_v, std::move(body));
    for (auto p : members())
      self->send(p->conn, packet);
  }

  bool bench_due(const message& msg) const {
    return opts.bench_every > 0
           && (msg.seq % opts.bench_every == 0 || msg.text == "last");
  }

  static int64_t mono_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
  }

  void on_whisper_input(const std::string& name, std::string& text) {
    auto list = members();
    auto i = std::find_if(list.begin(), list.end(),
                          [&](peer* p) { return p->name == name; });
    if (i == list.end()) {
      notice("No member named " + name + " (see /who)");
      return;
    }
    auto msg = protocol::make_whisper(std::move(text), next_seq);
    auto body = protocol::encode(msg);
    if (!fits(body.size()))
      return;
    ++next_seq;
    notice("-> " + name + ": " + msg.text);
    self->send((*i)->conn, atom::send_v, std::move(body));
  }

  std::vector<std::string> who() {
    std::vector<std::string> lines;
    auto t = now();
    for (auto p : members()) {
      auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                    t - p->joined_at)
                    .count();
      auto since = secs < 60 ? std::to_string(secs) + "s"
                             : std::to_string(secs / 60) + "m"
                                 + std::to_string(secs % 60) + "s";
      lines.push_back(p->name + " at " + protocol::to_string(p->address)
                      + ", here for " + since);
    }
    std::sort(lines.begin(), lines.end());
    lines.insert(lines.begin(), opts.name + " (you) listening on port "
                                  + std::to_string(port));
    return lines;
  }

  void leave() {
    if (ph == phase::leaving)
      return;
    ph = phase::leaving;
    // Leave, then close: the connection flushes before closing, so every
    // member gets the leave even though we quit right after.
    for (auto& kvp : peers) {
      if (kvp.second.st == peer::stage::member)
        send(kvp.second, protocol::make_leave());
      self->send(kvp.second.conn, atom::close_v);
    }
    if (peers.empty()) {
      quit();
      return;
    }
    arm_timer(opts.leave_timeout);
  }

  // Connections link to us: quitting with a non-normal reason takes down
  // every connection still open (stalled peers, late dial results).
  void quit() {
    self->quit(quit_reason);
  }

  /// The sentence of a connection that ended in a failed handshake, or "".
  static std::string auth_failure(const caf::error& reason) {
    if (!reason)
      return {}; // A normal exit: context() would dereference nothing.
    auto& ctx = reason.context();
    if (!ctx.match_elements<std::string>())
      return {};
    auto& text = ctx.get_as<std::string>(0);
    return text.rfind("authentication failed", 0) == 0 ? text : std::string{};
  }

  static std::string describe(const caf::error& err) {
    if (err.context().match_elements<std::string>())
      return err.context().get_as<std::string>(0);
    return caf::to_string(err);
  }
};

using membership_actor = caf::stateful_actor<membership_state>;

caf::behavior membership(membership_actor* self, membership_options opts,
                         caf::actor dialer, caf::actor console) {
  auto& st = self->state;
  st.self = self;
  st.opts = std::move(opts);
  st.dialer = std::move(dialer);
  st.console = std::move(console);
  self->set_down_handler([self](caf::down_msg& dm) {
    self->state.on_down(dm);
  });
  // Connections link to us so that they die with us; their own end reaches us
  // as a down_msg, never as a reason to quit.
  self->set_exit_handler([](caf::exit_msg&) {});
  return {
    [self](atom::start, uint16_t port, std::vector<endpoint>& peers) {
      self->state.start(port, std::move(peers));
    },
    [self](atom::incoming, std::string& host) {
      auto conn = caf::actor_cast<caf::actor>(self->current_sender());
      if (!conn)
        return;
      if (self->state.ph == phase::leaving) {
        self->send(conn, atom::close_v);
        return;
      }
      self->state.add_peer(std::move(conn), peer::stage::accepted, false,
                           endpoint{std::move(host), 0});
    },
    [self](atom::received, message& msg) {
      auto from = caf::actor_cast<caf::actor_addr>(self->current_sender());
      self->state.on_received(from, msg);
    },
    [self](atom::chat, std::string& text) {
      self->state.on_chat_input(protocol::make_chat(std::move(text), 1));
    },
    [self](atom::action, std::string& text) {
      self->state.on_chat_input(protocol::make_action(std::move(text), 1));
    },
    [self](atom::whisper, const std::string& name, std::string& text) {
      self->state.on_whisper_input(name, text);
    },
    [self](atom::who) { return self->state.who(); },
    [self](atom::leave) { self->state.leave(); },
    [self](atom::timeout, uint64_t id) { self->state.on_timeout(id); },
    [self](atom::tick) { self->state.on_tick(); },
    [self](atom::check) { self->state.check_liveness(false); },
  };
}

} // namespace

uint64_t random_peer_id() {
  std::random_device rd;
  std::uniform_int_distribution<uint64_t> dist{1, protocol::max_peer_id};
  return dist(rd);
}

caf::actor spawn_membership(caf::actor_system& sys, membership_options opts,
                            caf::actor dialer, caf::actor console) {
  return sys.spawn(membership, std::move(opts), std::move(dialer),
                   std::move(console));
}

} // namespace groupchat
