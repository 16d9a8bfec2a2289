#include "actors/membership.hpp"

#include <algorithm>
#include <map>
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
using protocol::message;
using protocol::message_type;

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
    /// Accepted, nothing received yet (a newcomer, or a stranger).
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
  /// Display name (from its greeting or welcome, never from a chat payload).
  std::string name;
  /// Where it listens: the host it connects from (or we dialed), its port.
  endpoint address;
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
  /// The address the current entry peer was dialed at. Member-list entries
  /// that are only meaningful on the entry's host resolve to this host.
  endpoint entry_address;
  /// Members of the list whose connect is still under way.
  size_t pending_dials = 0;
  /// Every connection, by the address of its actor.
  std::map<caf::actor_addr, peer> peers;
  /// Identifies the one phase timer that counts; older ones are ignored.
  uint64_t timer = 0;
  /// Lines typed before the join completed, sent once it has.
  std::vector<message> outbox;

  // -- helpers ----------------------------------------------------------------

  void notice(std::string line) {
    self->send(console, atom::notice_v, std::move(line));
  }

  void send(const peer& p, message msg) {
    self->send(p.conn, atom::send_v, std::move(msg));
  }

  void close(const peer& p) {
    self->send(p.conn, atom::close_v);
  }

  void arm_timer(caf::timespan after) {
    self->delayed_send(self, after, atom::timeout_v, ++timer);
  }

  void disarm_timer() {
    ++timer;
  }

  std::vector<peer*> members() {
    std::vector<peer*> result;
    for (auto& kvp : peers)
      if (kvp.second.st == peer::stage::member)
        result.push_back(&kvp.second);
    return result;
  }

  peer& add_peer(caf::actor conn, peer::stage st, std::string name,
                 endpoint address) {
    self->monitor(conn);
    auto key = conn.address();
    auto& p = peers[key];
    p = peer{std::move(conn), st, std::move(name), std::move(address)};
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
          entry_address = addr;
          auto& p = add_peer(std::move(conn), peer::stage::entry, {}, addr);
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
  void begin_join(peer& entry, const std::vector<protocol::member_info>& list) {
    disarm_timer();
    ph = phase::joining;
    for (auto& m : list) {
      // Step 3: the entry peer lists itself with an empty host; it is greeted
      // over the connection we already have.
      if (m.host.empty()) {
        entry.st = peer::stage::greeting;
        entry.name = m.name;
        entry.address.port = m.port;
        send(entry, protocol::make_greeting(opts.name, port));
        continue;
      }
      dial_member(m);
    }
    if (entry.st == peer::stage::entry) {
      // A list without its sender: the entry peer is not a member itself.
      spdlog::warn("entry peer {} did not list itself",
                   protocol::to_string(entry.address));
      close(entry);
      entry.st = peer::stage::accepted;
    }
    arm_timer(opts.join_timeout);
    maybe_finish_join();
  }

  void dial_member(const protocol::member_info& m) {
    // A loopback address is only meaningful on the entry peer's host.
    endpoint addr{m.host, m.port};
    if (protocol::is_loopback(m.host))
      addr.host = entry_address.host;
    ++pending_dials;
    auto name = m.name;
    self->request(dialer, caf::infinite, atom::connect_v, addr.host, addr.port)
      .then(
        [this, addr, name](caf::actor conn) {
          // After the join timeout, late connections are closed unused.
          if (ph != phase::joining) {
            self->send(conn, atom::close_v);
            return;
          }
          --pending_dials;
          auto& p = add_peer(std::move(conn), peer::stage::greeting, name,
                             addr);
          send(p, protocol::make_greeting(opts.name, port));
        },
        [this, addr, name](const caf::error& err) {
          if (ph != phase::joining)
            return;
          --pending_dials;
          spdlog::warn("could not reach {} at {}: {}", name,
                       protocol::to_string(addr), describe(err));
          maybe_finish_join();
        });
  }

  // Step 5: once every member answered or failed, we are in.
  void maybe_finish_join() {
    if (ph != phase::joining || pending_dials > 0)
      return;
    for (auto& kvp : peers)
      if (kvp.second.st == peer::stage::greeting)
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
      broadcast(msg);
    outbox.clear();
  }

  void broadcast(const message& msg) {
    for (auto p : members())
      send(*p, msg);
  }

  // -- incoming messages ------------------------------------------------------

  void on_received(const caf::actor_addr& from, message& msg) {
    auto i = peers.find(from);
    if (i == peers.end() || ph == phase::leaving)
      return; // A connection we already gave up on.
    auto& p = i->second;
    using st = peer::stage;
    switch (msg.type) {
      case message_type::hello:
        if (p.st == st::accepted || p.st == st::member)
          return reply_members(p);
        break;
      case message_type::members:
        if (p.st == st::entry && ph == phase::bootstrapping)
          return begin_join(p, msg.members);
        break;
      case message_type::greeting:
        if (p.st == st::accepted)
          return on_greeting(p, msg);
        break;
      case message_type::welcome:
        if (p.st == st::greeting) {
          // The name a member gives for itself wins over the list's.
          p.st = st::member;
          p.name = std::move(msg.name);
          return maybe_finish_join();
        }
        break;
      case message_type::chat:
        if (p.st == st::member) {
          self->send(console, atom::chat_v, p.name, std::move(msg.text));
          return;
        }
        break;
      case message_type::leave:
        if (p.st == st::member) {
          p.st = st::left;
          notice(p.name + " has left the chat");
          close(p);
          return;
        }
        break;
    }
    // Guards above failed: a message in the wrong phase is a protocol error.
    spdlog::warn("dropping {} ({}): unexpected {}", p.name.empty() ? "peer" : p.name,
                 protocol::to_string(p.address),
                 protocol::to_string(msg.type));
    close(p);
    p.st = st::accepted;
  }

  // Step 2, on the entry peer's side: everyone we know, ourselves included.
  void reply_members(peer& newcomer) {
    std::vector<protocol::member_info> list;
    list.push_back({opts.name, "", port});
    for (auto p : members())
      list.push_back({p->name, p->address.host, p->address.port});
    send(newcomer, protocol::make_members(std::move(list)));
  }

  // Step 4: a newcomer greets us.
  void on_greeting(peer& p, message& msg) {
    p.st = peer::stage::member;
    p.name = std::move(msg.name);
    p.address.port = msg.port;
    send(p, protocol::make_welcome(opts.name));
    notice(p.name + " has joined the chat");
  }

  void on_down(const caf::down_msg& dm) {
    auto i = peers.find(dm.source);
    if (i == peers.end())
      return;
    auto p = std::move(i->second);
    peers.erase(i);
    using st = peer::stage;
    switch (p.st) {
      case st::member:
        if (ph != phase::leaving)
          notice(p.name + " lost connection");
        break;
      case st::entry:
        spdlog::warn("entry peer {} closed the connection before answering",
                     protocol::to_string(p.address));
        if (ph == phase::bootstrapping) {
          disarm_timer();
          try_next_bootstrap();
        }
        break;
      case st::greeting:
        spdlog::warn("{} at {} closed the connection during the greeting",
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
            close(kvp.second);
            kvp.second.st = peer::stage::accepted;
          }
        try_next_bootstrap();
        break;
      case phase::joining:
        for (auto& kvp : peers)
          if (kvp.second.st == peer::stage::greeting) {
            spdlog::warn("{} did not answer the greeting in time",
                         kvp.second.name);
            close(kvp.second);
            kvp.second.st = peer::stage::accepted;
          }
        pending_dials = 0; // Late answers find us running and are closed.
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

  // -- local input ------------------------------------------------------------

  void on_chat(std::string& text) {
    auto msg = protocol::make_chat(std::move(text));
    auto size = protocol::encode(msg).size();
    if (size > opts.max_frame_size) {
      notice("Message not sent: it is too long (" + std::to_string(size)
             + " bytes encoded, the maximum is "
             + std::to_string(opts.max_frame_size) + ")");
      return;
    }
    if (ph == phase::running)
      broadcast(msg);
    else if (ph != phase::leaving)
      outbox.push_back(std::move(msg)); // Sent once the join completes.
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
      close(kvp.second);
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
    self->quit(caf::exit_reason::user_shutdown);
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
      self->state.add_peer(std::move(conn), peer::stage::accepted, {},
                           endpoint{std::move(host), 0});
    },
    [self](atom::received, message& msg) {
      auto from = caf::actor_cast<caf::actor_addr>(self->current_sender());
      self->state.on_received(from, msg);
    },
    [self](atom::chat, std::string& text) { self->state.on_chat(text); },
    [self](atom::leave) { self->state.leave(); },
    [self](atom::timeout, uint64_t id) { self->state.on_timeout(id); },
  };
}

} // namespace

caf::actor spawn_membership(caf::actor_system& sys, membership_options opts,
                            caf::actor dialer, caf::actor console) {
  return sys.spawn(membership, std::move(opts), std::move(dialer),
                   std::move(console));
}

} // namespace groupchat
