// SPDX-License-Identifier: MIT
// The join machine's life cycle: this peer's phases, connections opening
// and closing, timers, retries. The messages of the handshake are in
// join_handshake.cpp.

#include "protocol/group/join_machine.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "protocol/crypto/secure.hpp"

namespace groupchat::protocol {

join_callee::~join_callee() {
  // nop
}

namespace {

// The members as the user is told of them after a join.
event members_of(const std::vector<peer*>& list) {
  std::vector<member_entry> entries;
  for (auto p : list)
    entries.push_back({p->name, p->id, to_string(p->address)});
  return event::member_list(std::move(entries));
}

} // namespace

join_machine::join_machine(join_options opts, peer_table& peers,
                           join_callee& callee)
  : opts_(std::move(opts)), peers_(peers), callee_(callee),
    admission_(opts_, peers_),
    rejoin_(opts_.rejoin_window, opts_.rejoin_first, opts_.rejoin_longest),
    names_(opts_.name, opts_.self->id(), peers_, rejoin_, callee_,
           opts_.join_timeout),
    dials_(peers_, rejoin_, opts_.max_members) {
  // nop
}

// -- life cycle ---------------------------------------------------------------

void join_machine::start(uint16_t port, std::vector<endpoint> bootstrap) {
  if (phase_ != phase::idle)
    return;
  port_ = port;
  bootstrap_ = std::move(bootstrap);
  phase_ = phase::bootstrapping;
  // Our run: set once, so that every greeting and welcome of this process
  // says the same (a restart with the same key says another).
  since_ = callee_.wall_now();
  try_next_bootstrap();
}

void join_machine::leave() {
  if (phase_ == phase::leaving)
    return;
  phase_ = phase::leaving;
  // Leave, then close: a connection flushes before it closes, so every
  // member gets the leave even though we quit right after.
  for (auto& [conn, p] : peers_.all()) {
    if (!p.live())
      continue;
    if (p.st == stage::member)
      callee_.send(conn, make_leave());
    discard(p);
  }
  if (peers_.empty())
    finish_leave();
}

void join_machine::on_timeout(uint64_t token) {
  if (token != timer_)
    return;
  switch (phase_) {
    case phase::bootstrapping:
      // The entry peer accepted but never answered: try the next one.
      for (auto& [conn, p] : peers_.all())
        if (p.st == stage::entry) {
          spdlog::warn("entry peer {} did not answer within the join timeout",
                       to_string(p.address));
          discard(p);
        }
      try_next_bootstrap();
      break;
    case phase::joining:
      for (auto& [conn, p] : peers_.all())
        if (p.st == stage::greeting) {
          spdlog::warn("{} did not answer the greeting in time", p.name);
          discard(p);
        }
      peers_.clear_dials(); // Late connects find us running and are used.
      maybe_finish_join();
      break;
    case phase::idle:
    case phase::running:
    case phase::leaving:
      break;
  }
}

// Step 1: dial the bootstrap peers in order; the first that answers is our
// entry point. Later peers (perhaps of other groups) are never contacted.
void join_machine::try_next_bootstrap() {
  if (next_bootstrap_ == bootstrap_.size()) {
    // One line says it all: each address and why it failed.
    if (opts_.join_only && !bootstrap_.empty()) {
      std::string why = "none of the given addresses answered (--join-only)";
      for (auto& failure : bootstrap_failures_)
        why += (&failure == &bootstrap_failures_.front() ? ": " : "; ")
               + failure;
      return refused({ec::join_refused, why});
    }
    callee_.report(event::ready(true, name(), self_id()));
    become_running();
    return;
  }
  callee_.dial(dial_request{bootstrap_[next_bootstrap_++], member_info{}});
}

// Step 2 arrived: greet every member of the list.
void join_machine::begin_join(peer& entry,
                              const std::vector<member_info>& list) {
  disarm_timer();
  // Our own key under our name is our previous run, not someone else's
  // (a restart before the group noticed the old one gone).
  for (auto& m : list)
    if (names_.ours(m.name) && m.id != self_id())
      return refused({ec::join_refused, naming::taken_reason(name())});
  phase_ = phase::joining;
  // Step 3: the entry peer lists itself with an empty host; it is greeted
  // over the connection we already have.
  auto self_entry = std::find_if(list.begin(), list.end(),
                                 [](auto& m) { return m.host.empty(); });
  if (self_entry == list.end()) {
    spdlog::warn("entry peer {} did not list itself", to_string(entry.address));
    discard(entry);
  } else {
    entry.st = stage::greeting;
    entry_ = entry.conn;
    // Its welcome has the greeting timeout from now, as every dial's has
    // from its connect: the list itself came within the join deadline.
    entry.opened_at = callee_.now();
    entry.id = self_entry->id;
    entry.name = self_entry->name;
    entry.address.port = self_entry->port;
    send_greeting(entry);
  }
  connect_to(list, entry.address.host);
  arm_timer(opts_.join_timeout);
  maybe_finish_join();
}

// Connects to every member of `list` we do not know yet.
void join_machine::connect_to(const std::vector<member_info>& list,
                              const std::string& via_host) {
  for (auto& req : dials_.learn(list, via_host, self_id()))
    callee_.dial(req);
}

// Step 5: once every member answered or failed, we are in.
void join_machine::maybe_finish_join() {
  if (phase_ != phase::joining || peers_.dials_pending())
    return;
  for (auto& [conn, p] : peers_.all())
    if (p.st == stage::greeting)
      return;
  disarm_timer();
  auto list = peers_.members();
  if (list.empty()) {
    if (opts_.join_only)
      return refused({ec::join_refused, "could not reach any member of the "
                                        "group (--join-only)"});
    callee_.report(
      event::note("unreachable", "Could not reach any member of the group"));
    callee_.report(event::ready(true, name(), self_id()));
    become_running();
    return;
  }
  callee_.report(event::ready(false, name(), self_id()));
  callee_.report(members_of(list));
  become_running();
}

void join_machine::become_running() {
  phase_ = phase::running;
  callee_.running();
}

// The group refused us (e.g. our name is taken): leave what we joined and
// quit with the reason, so that main can exit non-zero.
void join_machine::refused(error why) {
  quit_reason_ = std::move(why);
  leave();
}

void join_machine::finish_leave() {
  if (finished_)
    return;
  finished_ = true;
  callee_.quit(quit_reason_);
}

void join_machine::arm_timer(timespan after) {
  callee_.arm_timer(after, ++timer_);
}

void join_machine::disarm_timer() {
  ++timer_;
}

// -- connections --------------------------------------------------------------

bool join_machine::on_incoming(conn_id conn, std::string host) {
  if (phase_ == phase::leaving)
    return false;
  if (!admission_.allows(host, callee_.now())) {
    // Out of guesses: told when to try again, in plaintext, unanswered.
    callee_.send(
      conn,
      make_refuse(refusal::throttled,
                  throttled_reason(admission_.wait_for(host, callee_.now()))));
    return false;
  }
  if (auto victim = admission_.make_room(host))
    discard(*victim);
  auto& p = peers_.add(conn, stage::accepted, false,
                       endpoint{std::move(host), 0}, callee_.now());
  p.charged = admission_.guarded();
  // Step 0: whoever greets us signs this nonce.
  callee_.send(conn, p.hs.challenge());
  return true;
}

void join_machine::on_answered(conn_id conn) {
  if (auto p = peers_.find(conn); p != nullptr && p->st == stage::accepted)
    p->started = true;
}

bool join_machine::on_dialed(const dial_request& req, conn_id conn,
                             std::string host) {
  auto& m = req.member;
  // Lists we hand out carry the numeric address, never a name the user
  // typed: nobody makes others look names up.
  endpoint address{std::move(host), req.address.port};
  if (m.id.empty()) {
    // Our entry peer: ask it who is in the group.
    if (phase_ != phase::bootstrapping)
      return false;
    peers_.add(conn, stage::entry, true, std::move(address), callee_.now());
    callee_.send(conn, make_hello());
    arm_timer(opts_.join_timeout);
    return true;
  }
  peers_.dialed(m.id);
  // Too late (join timed out into leaving), or connected meanwhile.
  if (phase_ == phase::leaving || peers_.find_id(m.id) != nullptr)
    return false;
  auto& p = peers_.add(conn, stage::greeting, true, std::move(address),
                       callee_.now());
  p.name = m.name;
  p.id = m.id; // What its welcome must prove.
  return true; // The greeting goes out once the member's challenge arrived.
}

void join_machine::on_dial_failed(const dial_request& req,
                                  const std::string& why) {
  auto& m = req.member;
  if (m.id.empty()) {
    // With --join-only, the refusal lists it: said once, not twice.
    bootstrap_failures_.push_back(to_string(req.address) + ": " + why);
    if (opts_.join_only)
      spdlog::info("could not reach {}: {}", to_string(req.address), why);
    else
      spdlog::warn("could not reach {}: {}", to_string(req.address), why);
    if (phase_ == phase::bootstrapping)
      try_next_bootstrap();
    return;
  }
  peers_.dialed(m.id);
  // A member that reaches it may carry its lines (relay.hpp).
  auto carried = phase_ != phase::leaving && callee_.unreachable(m);
  if (rejoin_.contains(m.id)) {
    spdlog::debug("{} is not back at {} yet: {}", m.name,
                  to_string(req.address), why);
    rejoin_.failed(m.id, callee_.now());
    return;
  }
  if (carried)
    spdlog::debug("could not reach {} at {}: {}", m.name,
                  to_string(req.address), why);
  else
    spdlog::warn("could not reach {} at {}: {}", m.name, to_string(req.address),
                 why);
  maybe_finish_join();
}

void join_machine::on_closed(conn_id conn, const std::optional<error>& why) {
  auto p = peers_.remove(conn);
  if (!p)
    return;
  switch (p->st) {
    case stage::member:
      if (phase_ != phase::leaving && !hand_over(*p))
        lose(*p);
      break;
    case stage::entry:
      // A group with another passphrase (or none) is not one to join, nor a
      // reason to create a new group: give up with the reason.
      if (why && why->code == ec::authentication_failed
          && phase_ == phase::bootstrapping) {
        refused(*why);
        break;
      }
      spdlog::warn("entry peer {} closed the connection before answering",
                   to_string(p->address));
      if (phase_ == phase::bootstrapping) {
        disarm_timer();
        try_next_bootstrap();
      }
      break;
    case stage::greeting:
      // The connection said it at info: a member with another passphrase
      // is worth a warning here, a join that ends (the entry) is not.
      if (why && why->code == ec::authentication_failed)
        spdlog::warn("authentication failed with {} at {}: {}", p->name,
                     to_string(p->address), why->detail);
      else
        spdlog::info("{} at {} closed the connection during the greeting",
                     p->name, to_string(p->address));
      maybe_finish_join();
      break;
    case stage::accepted:
    case stage::closing:
      break;
  }
  // A retry of a lost member that ended before it was a member again
  // (refused, silent, dropped, however): the next one after a longer wait.
  if (p->took_over && p->st != stage::member && phase_ != phase::leaving)
    took_over_failed(*p);
  else if (p->dialed && p->st != stage::member && rejoin_.contains(p->id))
    retry_failed(*p, why);
  // A stranger's handshake that failed, or ended after our answer (closed
  // by us to make room included): one more guess at the passphrase.
  admission_.on_closed(*p, why, callee_.now());
  if (phase_ == phase::leaving && peers_.empty())
    finish_leave();
}

// Member `gone` closed while our other connection to it waits for its
// welcome: of two connections to one peer, the peer kept that one
// (peer_table::duplicate_loser). It is lost only if that one fails too.
bool join_machine::hand_over(const peer& gone) {
  auto next = peers_.find_id(gone.id);
  if (next == nullptr || next->st != stage::greeting)
    return false;
  next->took_over = member_info{gone.name, gone.address.host, gone.address.port,
                                gone.id, gone.since};
  return true;
}

// The connection that took over from a member failed: the member is lost,
// as it was known over the connection it proved (the one that took over
// came from a list, perhaps a forger's), unless it is back meanwhile.
void join_machine::took_over_failed(const peer& p) {
  auto& m = *p.took_over;
  auto other = peers_.find_id(m.id);
  if (other != nullptr && other->st == stage::member)
    return;
  callee_.report(event::member(event::kind::lost, m.name, m.id));
  if (phase_ == phase::running)
    rejoin_.lost(m, callee_.now());
}

// Peer `id` just proved itself on another connection: one that was taking
// over for it is no news any more. Returns whether there was one (then the
// peer was a member all along, and is not announced again).
bool join_machine::claim_takeover(const peer_id& id) {
  bool found = false;
  for (auto& [conn, p] : peers_.all())
    if (p.id == id && p.took_over) {
      p.took_over.reset();
      found = true;
    }
  return found;
}

// A retry of lost member `p` ended before it was a member again: the next
// one after a longer wait. Unless the passphrase handshake failed: what
// answers at its address now is not the member we lost, and each retry
// would hand it one more guess at our passphrase.
void join_machine::retry_failed(const peer& p,
                                const std::optional<error>& why) {
  if (why && why->code == ec::authentication_failed
      && why->detail == wrong_passphrase) {
    spdlog::info("not retrying {} at {}: {}", p.name, to_string(p.address),
                 why->detail);
    rejoin_.forget(p.id);
    return;
  }
  rejoin_.failed(p.id, callee_.now());
}

void join_machine::on_silent(peer& p) {
  if (p.st == stage::member)
    lose(p);
  else
    spdlog::info("closing silent connection {}", to_string(p.address));
  discard(p);
  maybe_finish_join();
}

// A member went away without leaving: say so, and try to get it back.
void join_machine::lose(const peer& p) {
  callee_.report(event::member(event::kind::lost, p.name, p.id));
  if (phase_ == phase::running)
    rejoin_.lost({p.name, p.address.host, p.address.port, p.id}, callee_.now());
}

void join_machine::on_tick() {
  if (phase_ != phase::running)
    return;
  for (auto& req : dials_.retries(callee_.now()))
    callee_.dial(req);
}

// `p` is a member now: it is not lost any more, nor is an older key that
// had its name; it gets what it missed of ours.
void join_machine::met(peer& p, const message& msg) {
  rejoin_.forget(p.id);
  rejoin_.forget_name(p.name, p.id);
  callee_.met(p, msg);
}

std::optional<std::string> join_machine::rename(const std::string& name) {
  if (phase_ != phase::running)
    return std::string{"wait until you are in the group"};
  return names_.rename(name);
}

void join_machine::on_nick(peer& p, message& msg) {
  if (p.st != stage::member)
    return unexpected(p, message_type::nick);
  names_.on_nick(p, msg);
}

// -- messages -----------------------------------------------------------------

// Before its welcome, a member we dialed has nothing to say but the
// handshake: a heartbeat then would only keep an unproven connection open.
void join_machine::on_heartbeat(peer& p) {
  if (p.st != stage::member)
    unexpected(p, message_type::heartbeat);
}

void join_machine::on_leave(peer& p) {
  if (p.st != stage::member)
    return unexpected(p, message_type::leave);
  callee_.report(event::member(event::kind::left, p.name, p.id));
  rejoin_.forget(p.id);
  callee_.forget(p.id);
  discard(p);
}

void join_machine::unexpected(peer& p, message_type type) {
  spdlog::warn("dropping {} ({}): unexpected {}",
               p.name.empty() ? "peer" : p.name, to_string(p.address),
               to_string(type));
  if (p.st == stage::member)
    callee_.report(event::member(event::kind::lost, p.name, p.id));
  discard(p);
  maybe_finish_join();
}

void join_machine::discard(peer& p) {
  callee_.close(p.conn);
  p.st = stage::closing;
}

std::vector<member_info> join_machine::member_list(bool with_self) const {
  std::vector<member_info> list;
  if (with_self)
    list.push_back({name(), "", port_, self_id(), since_});
  auto others = peers_.member_list();
  list.insert(list.end(), others.begin(), others.end());
  return list;
}

} // namespace groupchat::protocol
