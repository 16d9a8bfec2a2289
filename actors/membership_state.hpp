// SPDX-License-Identifier: MIT
// The Membership actor's state: the adapter between CAF and the plain
// logic of protocol/. Included by membership.cpp only; a header of its own
// so that the actor's behaviour (membership.cpp) and its state each stay
// small enough to read (compare connection_state.hpp).

#pragma once

#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/broker.hpp>
#include <caf/io/middleman.hpp>
#include <spdlog/spdlog.h>

#include "actors/connection_ids.hpp"
#include "actors/membership.hpp"
#include "actors/errors.hpp"
#include "actors/messages.hpp"
#include "actors/send_at_once.hpp"
#include "actors/membership_liveness.hpp"
#include "actors/tidy_broker.hpp"
#include "protocol/wire/endpoint.hpp"
#include "protocol/chat/commands.hpp"
#include "protocol/chat/delivery.hpp"
#include "protocol/chat/line_seals.hpp"
#include "protocol/chat/outbox.hpp"
#include "protocol/chat/relay.hpp"
#include "protocol/group/join_machine.hpp"
#include "protocol/wire/message.hpp"
#include "protocol/group/peer_table.hpp"

namespace groupchat::membership_detail {

using protocol::conn_id;
using protocol::endpoint;
using protocol::message;
using protocol::message_type;
using protocol::peer;
using protocol::phase;
using protocol::stage;

// The adapter between CAF and the plain logic of protocol/ (peer table,
// join machine, failure detector, delivery, outbox): it maps connection
// actors to IDs and turns messages into calls and calls into messages.
// `Base` is a typed broker in production (on the I/O thread beside the
// connections and the console: a line crosses no thread in the process),
// a typed event-based actor in the deterministic tests. Connections are
// untyped, and CAF 0.17 lets a typed actor only send() to typed ones: they
// get anon_send(), the same cost (see actors/README.md), or a line
// send_at_once() (send_at_once.hpp), which names Membership as the sender
// (a connection never asks).
template <class Base>
struct membership_state : membership_liveness<membership_state<Base>>,
                          protocol::join_callee,
                          protocol::delivery_callee,
                          protocol::outbox_callee,
                          protocol::relay_callee {
  using actor_type = caf::stateful_actor<membership_state, Base>;

  static inline constexpr const char* name = "membership";

  actor_type* self = nullptr;
  membership_options opts;
  dialer_actor dialer;
  console_actor console;

  protocol::peer_table peers;
  std::optional<protocol::join_machine> join;

  /// Every connection actor by ID, and the ID of each.
  connection_ids conns;

  /// Which lines the user is shown, in which order; our own numbering.
  std::optional<protocol::delivery> chat;
  uint64_t wall_now() override {
    return protocol::wall_micros(opts.simulated_clock ? std::optional{now()}
                                                      : std::nullopt);
  }

  /// Our lines on their way out.
  std::optional<protocol::outbox> out;
  /// Lines carried between members that cannot connect to each other.
  std::optional<protocol::relay> carry;
  /// The signatures of our public lines.
  std::optional<protocol::line_seals> seals;
  /// The user asked to leave: we do once the join completed and every line
  /// typed before went out.
  bool leave_requested = false;
  /// We had other members since we last said we are alone.
  bool had_members = false;
  /// The member names the console last got.
  std::vector<std::string> last_roster;
  /// The outbox sends more than one frame now (`sending`).
  bool burst = false;

  void init(actor_type* ptr, membership_options o, dialer_actor d,
            console_actor c) {
    self = ptr;
    opts = std::move(o);
    dialer = std::move(d);
    console = std::move(c);
    this->detector.emplace(opts.heartbeat_interval, opts.peer_timeout,
                           opts.greeting_timeout);
    join.emplace(opts.join, peers, *this);
    chat.emplace(opts.history_lines, opts.history_bytes, *this);
    // A batch no longer than a keeper keeps of an author, or it is never
    // passed on whole.
    seals.emplace(opts.join.self,
                  std::clamp<size_t>(opts.history_lines, 1, 32));
    out.emplace(opts.max_frame_size, *chat, *this, &*seals);
    carry.emplace(opts.join.self, peers, *chat, *this, opts.history_lines,
                  opts.history_bytes / 4);
  }

  // -- join_callee ------------------------------------------------------------

  void dial(const protocol::dial_request& req) override {
    self
      ->request(dialer, caf::infinite, atom::connect_v, req.address.host,
                req.address.port)
      .then(
        [this, req](caf::actor conn, std::string host) {
          auto id = conns.adopt(conn);
          if (join->on_dialed(req, id, std::move(host))) {
            watch(conn);
            caf::anon_send(conn, atom::start_v); // Now we know it: read.
          } else {
            reject(id);
          }
        },
        [this, req](const caf::error& err) {
          join->on_dial_failed(req, describe(err));
        });
  }

  void send(conn_id conn, const message& msg) override {
    caf::anon_send(conns.actor_of(conn), atom::send_v, msg);
  }

  // Leaving, a member's connection lingers until the member, having read
  // our leave, closes its end (see connection.hpp).
  void close(conn_id conn) override {
    auto p = peers.find(conn);
    bool linger = join->current() == phase::leaving && p != nullptr
                  && p->st == stage::member;
    caf::anon_send(conns.actor_of(conn), atom::close_v, linger);
    // A connection we close holds none of our lines back.
    on_congested(conn, false);
  }

  void admit(conn_id conn) override {
    caf::anon_send(conns.actor_of(conn), atom::admit_v);
  }

  void arm_timer(protocol::timespan after, uint64_t token) override {
    self->delayed_send(self, after, atom::timeout_v, token);
  }

  // What happened, for the console. A live line is stamped with the time
  // it arrived; our own private line, with who we are.
  void report(protocol::event ev) override {
    if (ev.what == protocol::event::kind::chat) {
      if (ev.time == 0)
        ev.time = wall_now();
      if (ev.name.empty()) {
        ev.name = join->name();
        ev.id = opts.join.self->id();
      }
    }
    // History comes in bursts, which the console holds until a flush it
    // sends itself after the first line: the whole burst must be in its
    // mailbox by then, so none of it goes at once.
    if (ev.history)
      self->send(console, atom::show_v, std::move(ev));
    else
      send_at_once(self, console, atom::show_v, std::move(ev));
  }

  void running() override {
    out->open();
    // History that never comes (a member that promised and does not send)
    // holds nothing back for long.
    self->delayed_send(self, opts.join.join_timeout, atom::flush_v);
    chat->on_joined();
    // A leave asked for during the join: through the mailbox, not from
    // inside the join machine's call.
    if (leave_requested)
      self->send(self, atom::leave_v);
  }

  // Connections link to us: quitting with a non-normal reason takes down
  // every connection still open (stalled peers, late dial results).
  void quit(const std::optional<protocol::error>& reason) override {
    if (auto n = carry->forwarded(); n > 0)
      spdlog::info("carried {} lines between members that cannot connect", n);
    if (reason)
      self->quit(to_caf_error(*reason));
    else
      self->quit(caf::exit_reason::user_shutdown);
  }

  protocol::time_point now() override {
    return self->clock().now();
  }

  // Lines in the outbox are numbered but not sent: a member greeted now
  // gets them from the outbox, so they do not count as said before.
  uint64_t lines_said() override {
    return chat->lines_sent();
  }

  void renamed(const std::string& name) override {
    self->send(console, atom::nick_v, name);
  }

  void say_seen(const protocol::peer_id& id, uint64_t since,
                message& msg) override {
    chat->say_seen(id, since, msg);
  }

  uint64_t replay_size(const peer& p, uint64_t seen) override {
    return chat->replay_size(seen)
           + (p.asked ? carry->replay_for(p).size() : 0);
  }

  void forget(const protocol::peer_id& id) override {
    chat->forget(id);
  }

  bool unreachable(const protocol::member_info& m) override {
    return carry->unreachable(m);
  }

  // A member (back, or new): it gets our lines it has not seen.
  // A newcomer that joined through us also gets what we keep of members
  // that left, first: it waits for our own history, not for those.
  void met(const peer& p, const message& msg) override {
    carry->on_member(p);
    if (p.asked)
      carry->replay_to(p);
    auto conn = conns.actor_of(p.conn);
    for (auto& line : chat->on_met(p.conn, p.id, p.name, msg))
      caf::anon_send(conn, atom::send_v, std::move(line));
    check_alone();
  }

  // -- connection actors ------------------------------------------------------

  // The join machine keeps the connection: its end reaches us as down_msg.
  void watch(const caf::actor& conn) {
    this->ensure_ticking();
    self->monitor(conn);
  }

  // The join machine does not want the connection: close it, forget it.
  void reject(conn_id id) {
    caf::anon_send(conns.forget(id), atom::close_v, false);
  }

  void on_incoming(caf::actor conn, std::string host) {
    auto id = conns.adopt(conn);
    if (join->on_incoming(id, std::move(host))) {
      watch(conn);
      // In a passphrase group it waits for this before it answers the
      // handshake: a host out of guesses gets no answer to test one on.
      caf::anon_send(conn, atom::start_v);
    } else {
      reject(id);
    }
  }

  // -- how things stand ------------------------------------------------------

  void status(std::string text) {
    self->send(console, atom::status_v, std::move(text));
  }

  // The members changed: the console completes their names; and once the
  // last other member is gone (lost or left), we say so.
  void check_alone() {
    std::vector<std::string> names;
    for (auto p : peers.members())
      names.push_back(p->name);
    for (auto& name : carry->names())
      names.push_back(name);
    if (names != last_roster) {
      this->detector->members_changed(); // Gossip until settled again.
      last_roster = names;
      self->send(console, atom::who_v, std::move(names));
    }
    if (!last_roster.empty()) {
      had_members = true;
      return;
    }
    if (!had_members || join->current() != phase::running)
      return;
    had_members = false;
    status(join->rejoining() ? "You are alone in the group (trying to reach "
                               "the others again)"
                             : "You are alone in the group");
  }

  void on_down(const caf::down_msg& dm) {
    auto id = conns.id_of(dm.source);
    if (id == 0)
      return;
    conns.forget(id);
    gone(peers.find(id), false);
    join->on_closed(id, from_caf_error(dm.reason));
    on_congested(id, false);
    chat->on_closed(id);
    check_alone();
  }

  // Our last connection to member `p` ended: whom we carried it to, and
  // whom we hear through it, need to know.
  void gone(const peer* p, bool left) {
    if (p != nullptr && p->st == stage::member
        && peers.find_id(p->id, p) == nullptr)
      carry->on_gone(*p, left);
  }

  // A typed line; once we leave (asked to, or refused), nothing goes out.
  void say(std::string text, bool action) {
    if (join->current() == phase::leaving)
      return release(1);
    out->say(std::move(text), action, wall_now());
  }

  // -- outbox_callee -----------------------------------------------------------

  // A frame alone goes at once (send_at_once.hpp); a burst through the
  // mailboxes, where each connection gathers it into one send.
  void sending(size_t n) override {
    burst = n > 1;
  }

  template <class... Ts>
  void send_line(const caf::actor& conn, Ts&&... xs) {
    if (burst)
      caf::anon_send(conn, std::forward<Ts>(xs)...);
    else
      send_at_once(self, conn, std::forward<Ts>(xs)...);
  }

  // Every member's connection gets the same body, encoded once.
  void broadcast(std::string body) override {
    auto packet = caf::make_message(atom::send_v, std::move(body));
    for (auto p : peers.members())
      send_line(conns.actor_of(p->conn), packet);
  }

  bool send_to(const std::string& name, std::string body) override {
    auto target = peers.find_member(name);
    if (target == nullptr)
      return carry->whisper(name, std::move(body));
    send_line(conns.actor_of(target->conn), atom::send_v, std::move(body));
    return true;
  }

  bool carried() override {
    return carry->carried();
  }

  uint64_t run() override {
    return join->since();
  }

  void release(size_t n) override {
    if (opts.release && n > 0)
      opts.release(n);
  }

  // While any member's output piles up, typed lines wait in the outbox and
  // the stdin reader, getting no releases, stops reading. A stranger that
  // reads slowly holds nobody up.
  void on_congested(conn_id id, bool yes) {
    auto p = peers.find(id);
    out->congested(id, yes && p != nullptr && p->st == stage::member);
  }

  // A signal (`interrupted`) stops a join at once: nothing is created.
  void on_leave_request(bool interrupted) {
    if (interrupted && !join->joining())
      return; // In a group: the reader's leave follows the lines typed.
    leave_requested = true;
    if (join->joining() && !interrupted)
      return; // Once the join completed: see running().
    chat->release();
    out->close();
    join->leave();
  }

  // -- incoming messages: one handler per message type ------------------------

  void on_received(const caf::actor_addr& from, message& msg) {
    auto p = peers.find(conns.id_of(from));
    if (p == nullptr || !p->live() || join->current() == phase::leaving)
      return; // A connection we already gave up on.
    p->last_seen = now();
    switch (msg.type) {
      case message_type::hello:
        return join->on_hello(*p);
      case message_type::members:
        return join->on_members(*p, msg.members);
      case message_type::greeting:
        return join->on_greeting(*p, msg);
      case message_type::welcome:
        return join->on_welcome(*p, msg);
      case message_type::refuse:
        return join->on_refuse(*p, msg);
      case message_type::chat:
        return on_chat(*p, msg);
      case message_type::heartbeat:
        return join->on_heartbeat(*p);
      case message_type::leave:
        gone(p, true);
        join->on_leave(*p);
        return check_alone();
      case message_type::challenge:
        return join->on_challenge(*p, msg);
      case message_type::nick:
        join->on_nick(*p, msg);
        carry->on_renamed(*p);
        return check_alone(); // The names to complete changed.
      case message_type::carry:
      case message_type::route:
      case message_type::carried:
        return on_carrying(*p, msg);
      case message_type::seal:
        if (p->st != stage::member)
          return join->unexpected(*p, msg.type);
        return carry->on_seal(*p, msg);
      case message_type::probe:
      case message_type::suspect:
        return this->on_probing(*p, msg);
    }
  }

  // A carrier passes our lines on now: the lines said so far are sealed at
  // once, for it to pass on as well.
  void on_route(peer& p, message& msg) {
    carry->on_route(p, msg);
    if (carry->carried())
      out->seal();
  }

  // What members that cannot connect to each other ask of us (relay.hpp).
  void on_carrying(peer& p, message& msg) {
    if (p.st != stage::member)
      return join->unexpected(p, msg.type);
    if (msg.type == message_type::carry)
      carry->on_carry(p, msg);
    else if (msg.type == message_type::route)
      on_route(p, msg);
    else if (!msg.history || carry->reaches_through(msg.id, p.conn))
      carry->on_carried(p, msg); // Live, or what we missed of a far member.
    else if (join->is_entry(p.conn) && chat->awaiting(p.conn)) {
      // Lines of members who left, from the member we joined through:
      // as many as its welcome promised, with its own history.
      carry->on_archived(p, msg, join->name());
      chat->replay_arrived(p.conn);
    }
    check_alone();
  }

  void on_chat(peer& p, message& msg) {
    if (p.st != stage::member)
      return join->unexpected(p, msg.type);
    carry->on_line(p, msg);
    // A live line is stamped as it arrives (held back while we join, it
    // keeps the time it came).
    if (!msg.history)
      msg.time = wall_now();
    chat->on_chat(p.conn, p.id, p.name, msg);
  }
};

} // namespace groupchat::membership_detail
