// SPDX-License-Identifier: MIT
// The join machine's half that checks who is at the other end of a
// connection: the messages of steps 0 to 4 (challenge, hello, members,
// greeting, welcome, refuse), the proofs of keys, and the rule for two
// connections to one peer. The class is in join_machine.hpp; its life
// cycle (phases, connections opening and closing, timers, retries) is in
// join_machine.cpp.

#include "protocol/group/join_machine.hpp"

#include <utility>

#include <spdlog/spdlog.h>

namespace groupchat::protocol {

namespace {

/// The refusal of a greeting meant for another key.
constexpr const char* not_that_peer
  = "not the peer you meant: another process listens here now";

} // namespace

void join_machine::on_challenge(peer& p, message& msg) {
  if (!p.dialed || (p.st != stage::entry && p.st != stage::greeting)
      || !p.hs.on_challenge(msg))
    return unexpected(p, message_type::challenge);
  if (p.st == stage::greeting)
    send_greeting(p);
}

void join_machine::on_hello(peer& p) {
  // Once per connection: each answer is a whole member list.
  if ((p.st != stage::accepted && p.st != stage::member) || p.asked)
    return unexpected(p, message_type::hello);
  p.asked = true;
  callee_.send(p.conn, make_members(member_list(true)));
}

// A member list longer than any group we accept is an attack, not a group.
bool join_machine::acceptable(peer& p, const std::vector<member_info>& list) {
  if (dials_.acceptable(list.size()))
    return true;
  spdlog::warn("dropping {} ({}): a member list of {} entries, more than {}",
               p.name.empty() ? "peer" : p.name, to_string(p.address),
               list.size(), opts_.max_members);
  if (p.st == stage::member)
    callee_.report(event::member(event::kind::lost, p.name, p.id));
  discard(p);
  maybe_finish_join();
  return false;
}

void join_machine::on_members(peer& p, const std::vector<member_info>& list) {
  if (!acceptable(p, list))
    return;
  // The challenge comes first on every connection: without it we cannot
  // greet.
  if (p.st == stage::entry && phase_ == phase::bootstrapping
      && p.hs.current() == handshake::state::challenged)
    return begin_join(p, list);
  if (p.st == stage::member)
    return on_gossip(p, list);
  unexpected(p, message_type::members);
}

// A member's list, now and then, so that members that joined concurrently
// learn of each other: taken once per gossip interval at most.
void join_machine::on_gossip(peer& p, const std::vector<member_info>& list) {
  auto now = callee_.now();
  if (p.last_gossip && now - *p.last_gossip < opts_.gossip_interval) {
    spdlog::debug("ignoring a member list from {}: the last came just now",
                  p.name);
    return;
  }
  p.last_gossip = now;
  connect_to(list, p.address.host);
}

void join_machine::on_greeting(peer& p, message& msg) {
  if (p.st != stage::accepted)
    return unexpected(p, message_type::greeting);
  // Someone retrying the peer that had our address before us (we are a
  // restarted process, a new key): not a forgery, just not us.
  if (!msg.to.empty() && msg.to != self_id()) {
    spdlog::info("{} at {} looks for an earlier peer at this address", msg.name,
                 to_string(p.address));
    tell_of_earlier_group(p, msg);
    callee_.send(p.conn, make_refuse(refusal::not_that_peer, not_that_peer));
    discard(p);
    return;
  }
  if (!proven(p, msg, proof_role::greeting))
    return;
  if (msg.id == self_id()) {
    discard(p); // We dialed ourselves.
    return;
  }
  p.said = msg.seq;
  forget_other_runs(msg);
  if (names_.ours(msg.name) || peers_.name_taken(msg.name, msg.id)) {
    spdlog::warn("refusing {} from {}: name taken", msg.name,
                 to_string(p.address));
    callee_.send(p.conn, make_refuse(refusal::name_taken,
                                     naming::taken_reason(msg.name), msg.name));
    discard(p);
    return;
  }
  p.name = std::move(msg.name);
  p.address.port = msg.port;
  p.since = msg.since;
  bool was_member = claim_takeover(msg.id);
  if (!resolve_duplicate(p, msg.id, was_member))
    return;
  peer_table::promote(p, msg.id, callee_.now());
  callee_.admit(p.conn);
  admission_.on_proven(p, callee_.now());
  auto welcome = make_welcome(name(), self_id(), member_list(false),
                              callee_.lines_said());
  callee_.say_seen(p.id, msg.since, welcome);
  welcome.since = since_;
  welcome.replay = callee_.replay_size(p, msg.seen);
  p.hs.sign_welcome(*opts_.self, p.id, welcome);
  callee_.send(p.conn, welcome);
  // While we join, new members are in the "Members:" line at the end.
  if (!was_member && phase_ == phase::running)
    announce(p);
  met(p, msg);
}

void join_machine::on_welcome(peer& p, message& msg) {
  if (p.st != stage::greeting || p.hs.current() != handshake::state::greeted)
    return unexpected(p, message_type::welcome);
  if (!acceptable(p, msg.members))
    return;
  // The member must be the one its list entry named: same key, proven.
  if (msg.id != p.id) {
    spdlog::warn("dropping {} ({}): not the member that was listed there",
                 msg.name, to_string(p.address));
    discard(p);
    maybe_finish_join();
    return;
  }
  if (!proven(p, msg, proof_role::welcome) || name_clash(p, msg))
    return;
  p.said = msg.seq;
  forget_other_runs(msg);
  // The name a member gives for itself wins over the list's.
  p.name = std::move(msg.name);
  p.since = msg.since;
  bool was_member = claim_takeover(msg.id);
  if (resolve_duplicate(p, msg.id, was_member)) {
    peer_table::promote(p, msg.id, callee_.now());
    if (!was_member && phase_ == phase::running)
      announce(p);
    met(p, msg);
    // Whoever it knows and we do not, joined concurrently with us.
    connect_to(msg.members, p.address.host);
  }
  maybe_finish_join();
}

void join_machine::on_refuse(peer& p, const message& msg) {
  auto& reason = msg.text;
  // A member may refuse our latest rename; anything else it refuses is
  // stale or hostile, and changes nothing.
  if (p.st == stage::member) {
    if (!names_.on_refuse(p, msg))
      spdlog::debug("ignoring a refusal from {}", p.name);
    return;
  }
  if (p.st != stage::greeting && p.st != stage::entry)
    return unexpected(p, message_type::refuse);
  // Retrying a lost member, we found another peer at its address: it was
  // restarted (a new key), and the one we lost is not coming back.
  if (msg.code == refusal::not_that_peer && rejoin_.contains(p.id)) {
    callee_.report(event::note(
      "another_key", p.name + " at " + to_string(p.address)
                       + " has another key now (a new key file?): that is "
                         "someone new to the group, so "
                       + p.name + " is not retried"));
    rejoin_.forget(p.id);
    discard(p);
    return;
  }
  bool from_entry = p.st == stage::entry || p.conn == entry_;
  // Only the member we join through speaks for the group; any other one
  // costs us that member, not the join. A join that ends says why once.
  bool ends_join = from_entry && joining();
  spdlog::log(ends_join ? spdlog::level::info : spdlog::level::warn,
              "{} refused us: {}", to_string(p.address), reason);
  discard(p);
  if (ends_join)
    refused({ec::join_refused, reason});
  else
    maybe_finish_join();
}

// We were restarted with another key (or took over the address of a peer
// we never were): a member of the earlier group retries it here. Said with
// how to rejoin, once per name and host, for a few: the greeting proves
// nothing of a group, so it is what the dialer says of itself, and one
// stranger saying it first must not silence the real member.
void join_machine::tell_of_earlier_group(const peer& p, const message& msg) {
  auto member = endpoint{p.address.host, msg.port};
  if (told_of_earlier_group_.size() >= 3
      || !told_of_earlier_group_.insert(msg.name + " " + member.host).second)
    return;
  callee_.report(event::note(
    "earlier_group",
    "someone at " + to_string(member) + " calling itself " + msg.name
      + " looked for the peer that had this address before, with another "
        "key. If that is a member of your group, rejoin it: groupchat "
        "--name "
      + name() + " " + std::to_string(port_) + " " + to_string(member)));
}

// A welcome's name is held to what a greeting's is: a member we dial (as
// a newcomer, on a retry, after gossip) cannot call itself by our name or
// a member's. The connection goes, with a warning.
bool join_machine::name_clash(peer& p, const message& msg) {
  if (!names_.ours(msg.name) && !peers_.name_taken(msg.name, msg.id))
    return false;
  spdlog::warn("dropping {} ({}): its name is taken", msg.name,
               to_string(p.address));
  discard(p);
  maybe_finish_join();
  return true;
}

// A member new to us, or one we lost and retried, back.
void join_machine::announce(const peer& p) {
  auto what = rejoin_.contains(p.id) ? event::kind::back : event::kind::joined;
  callee_.report(event::member(what, p.name, p.id));
}

// Step 3: our greeting proves our ID to this member on this connection
// only (see handshake.hpp).
void join_machine::send_greeting(peer& p) {
  auto msg = make_greeting(name(), port_, self_id(), {}, callee_.lines_said());
  callee_.say_seen(p.id, 0, msg);
  msg.to = p.id;
  msg.since = since_;
  p.hs.sign_greeting(*opts_.self, p.id, msg);
  callee_.send(p.conn, msg);
}

// What a peer saw of our lines counts only if it saw them in this run: a
// count it kept from our previous run (we restarted with the same key)
// would hide the lines we said since we started.
void join_machine::forget_other_runs(message& msg) const {
  if (msg.seen_since != since_)
    msg.seen = 0;
}

// Checks the signature of a greeting or welcome. What it signs holds the
// nonces both ends drew for this connection, so a proof recorded elsewhere
// (or relayed from another connection) fails here.
bool join_machine::proven(peer& p, const message& msg, proof_role role) {
  if (role == proof_role::greeting ? p.hs.check_greeting(self_id(), msg)
                                   : p.hs.check_welcome(self_id(), msg))
    return true;
  spdlog::warn("dropping {} ({}): its {} does not prove the ID it claims",
               msg.name, to_string(p.address), to_string(msg.type));
  discard(p);
  maybe_finish_join();
  return false;
}

// -- two connections to one peer ----------------------------------------------

// `fresh` just identified itself as peer `id`: of two connections to one
// peer, one goes (peer_table.hpp). Returns whether `fresh` survives;
// `was_member` tells whether the peer was already a member over the other
// connection (so no second "has joined").
bool join_machine::resolve_duplicate(peer& fresh, const peer_id& id,
                                     bool& was_member) {
  auto loser = peers_.duplicate_loser(fresh, id, self_id());
  if (loser == nullptr)
    return true;
  spdlog::debug("{} the connection to {}",
                loser == &fresh ? "keeping" : "replacing", fresh.name);
  was_member = loser != &fresh && loser->st == stage::member;
  discard(*loser);
  return loser != &fresh;
}

} // namespace groupchat::protocol
