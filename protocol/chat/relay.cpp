// SPDX-License-Identifier: MIT
#include "protocol/chat/relay.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "protocol/chat/private_box.hpp"

namespace groupchat::protocol {

relay_callee::~relay_callee() {
  // nop
}

namespace {

/// At most this many members reached through others: as many as a member
/// list may hold.
constexpr size_t max_far = 256;

event about(event::kind what, const std::string& name, const peer_id& id,
            std::string via) {
  auto ev = event::member(what, name, id);
  ev.via = std::move(via);
  return ev;
}

} // namespace

relay::relay(std::shared_ptr<const identity> self, peer_table& peers,
             delivery& chat, relay_callee& callee, size_t lines_per_author,
             size_t archive_bytes)
  : self_(std::move(self)), peers_(peers), chat_(chat), callee_(callee),
    kept_(lines_per_author, archive_bytes) {
  // nop
}

peer* relay::member(const peer_id& id) {
  for (auto p : peers_.members())
    if (p->id == id)
      return p;
  return nullptr;
}

// -- the member that cannot connect --------------------------------------------

bool relay::unreachable(const member_info& m) {
  if (m.id == self_->id() || member(m.id) != nullptr)
    return false;
  auto i = far_.find(m.id);
  if (i == far_.end()) {
    if (far_.size() >= max_far)
      return false;
    i = far_.emplace(m.id, far_member{}).first;
    i->second.name = m.name;
    i->second.since = m.since;
  }
  i->second.address = to_string(endpoint{m.host, m.port});
  // Asked already: the first failure was news, a repeat is not.
  if (i->second.via != 0 || i->second.asking != 0)
    return true;
  // A new failure: members that could not carry it before may now.
  i->second.refused.clear();
  ask_next(m.id);
  return false;
}

// Asks the member with the lowest key that has not refused yet; with none
// left, the member is lost (if we had it) or waits for a new member.
void relay::ask_next(const peer_id& id) {
  auto& f = far_.at(id);
  f.asking = 0;
  const peer* best = nullptr;
  for (auto p : peers_.members())
    if (p->id != id && f.refused.count(p->conn) == 0
        && (best == nullptr || p->id < best->id))
      best = p;
  if (best != nullptr) {
    f.asking = best->conn;
    callee_.send(best->conn,
                 make_carry(id, false, chat_.seen_of(id), chat_.run_of(id)));
  } else if (f.announced) {
    lost(id, false);
  }
}

void relay::lost(const peer_id& id, bool left) {
  routed_.erase(id);
  catching_up_.forget(id);
  auto i = far_.find(id);
  if (i == far_.end())
    return;
  if (i->second.announced)
    callee_.report(about(left ? event::kind::left : event::kind::lost,
                         i->second.name, id, {}));
  far_.erase(i);
}

void relay::on_route(const peer& from, const message& msg) {
  if (msg.id == self_->id())
    return;
  auto i = far_.find(msg.id);
  if (msg.stop) {
    if (i == far_.end()) {
      routed_.erase(msg.id);
      return;
    }
    auto& f = i->second;
    if (msg.left && f.via == from.conn)
      return lost(msg.id, true);
    if (f.via != from.conn && f.asking != from.conn)
      return; // Not the carrier we have or wait for.
    routed_.erase(msg.id);
    f.via = 0;
    f.refused.insert(from.conn);
    return ask_next(msg.id);
  }
  // We are connected to it ourselves (our connects crossed): the carrier
  // can stop.
  if (member(msg.id) != nullptr)
    return callee_.send(from.conn, make_carry(msg.id, true));
  // The carrier passes on our lines now, whether we take the far member
  // or not: they are signed alone from now on (see `carried`).
  if (routed_.size() < max_far)
    routed_.insert(msg.id);
  if (msg.name.empty() || !validate_name(msg.name)
      || peers_.name_taken(msg.name, msg.id))
    return; // The name is another member's.
  if (i == far_.end()) {
    if (far_.size() >= max_far)
      return;
    i = far_.emplace(msg.id, far_member{}).first;
  }
  auto& f = i->second;
  if (f.via != 0 && f.via != from.conn && !prefer(from, f.via))
    return callee_.send(from.conn, make_carry(msg.id, true));
  if (f.via != 0 && f.via != from.conn)
    callee_.send(f.via, make_carry(msg.id, true));
  // A carrier the other end asked: we tell it how far we have shown the
  // member's lines, and it sends the rest it keeps (as it does for the
  // asker) before it passes on anything live.
  if (f.via != from.conn && f.asking != from.conn)
    callee_.send(from.conn, make_carry(msg.id, false, chat_.seen_of(msg.id),
                                       chat_.run_of(msg.id)));
  if (f.via != from.conn)
    catching_up_.forget(msg.id); // What another carrier began is void.
  auto old_name = std::exchange(f.name, msg.name);
  f.via = from.conn;
  f.via_name = from.name;
  f.asking = 0;
  f.refused.clear();
  if (msg.since != 0)
    f.since = msg.since;
  chat_.reached(msg.id, msg.name, msg.since, msg.seq);
  if (!f.announced) {
    f.announced = true;
    callee_.report(about(event::kind::joined, f.name, msg.id, from.name));
  } else if (old_name != f.name) {
    // Its carrier passes on its renames.
    auto ev = event::renamed(old_name, f.name, msg.id, false);
    ev.via = from.name;
    callee_.report(std::move(ev));
  }
}

void relay::on_carried(const peer& from, const message& msg) {
  if (msg.whisper && msg.to != self_->id())
    return forward_private(from, msg);
  // Only from the member that carries the author to us.
  auto i = far_.find(msg.id);
  if (i == far_.end() || i->second.via != from.conn) {
    spdlog::debug("dropping a line carried by {}: it does not carry its "
                  "author to us",
                  from.name);
    return;
  }
  auto& name = i->second.name;
  if (msg.whisper) {
    auto line = open_private(*self_, msg.id, msg.text);
    if (!line) {
      spdlog::warn("dropping a private line carried by {} as {}'s: it does "
                   "not open as theirs to us",
                   from.name, name);
      return;
    }
    auto whisper = make_whisper(std::move(line->second), line->first);
    return chat_.on_chat(from.conn, msg.id, name, whisper);
  }
  if (chat_.older_run(msg.id, msg.since))
    return; // A line of an earlier run, replayed.
  if (msg.history)
    return catch_up(from, msg, name);
  auto line = msg.action ? make_action(msg.text, msg.seq)
                         : make_chat(msg.text, msg.seq);
  line.time = msg.time;
  if (!signed_by_author(from, msg.id, msg.since, name, {line}, msg.proof))
    return;
  line.proof = msg.proof;
  kept_.keep(msg.id, name, msg.since, line);
  chat_.on_run(msg.id, msg.since);
  chat_.on_chat(from.conn, msg.id, name, line);
}

bool relay::reaches_through(const peer_id& id, conn_id conn) const {
  auto i = far_.find(id);
  return i != far_.end() && i->second.via == conn;
}

// Two members that each asked a carrier may have asked two: both ends hear
// of both carriers, and both keep the one with the lower key and tell the
// other to stop. One carrier per pair, one copy of each line.
bool relay::prefer(const peer& carrier, conn_id current) {
  auto p = peers_.find(current);
  return p == nullptr || carrier.id < p->id;
}

// -- the carrier ---------------------------------------------------------------

void relay::on_carry(const peer& from, const message& msg) {
  if (msg.stop)
    return unlink(from.id, msg.id);
  auto target = msg.id == from.id ? nullptr : member(msg.id);
  if (target == nullptr) {
    callee_.send(from.conn, make_unroute(msg.id, false));
    return;
  }
  // Asked again (it lost another carrier): only the asker needs telling.
  auto known = carrying_[msg.id].count(from.id) > 0;
  link(from.id, msg.id);
  callee_.send(from.conn, make_route(target->id, target->name,
                                     chat_.seen_of(target->id), target->since));
  if (!known)
    callee_.send(target->conn, make_route(from.id, from.name,
                                          chat_.seen_of(from.id), from.since));
  pass_on_kept(from, *target, msg);
}

void relay::on_line(const peer& author, const message& line) {
  if (line.whisper || line.history)
    return;
  // Kept unchecked (a newcomer checks what it is given); carried only if
  // the author signed it alone, so that the far end's warning names the
  // right member.
  kept_.keep(author.id, author.name, author.since, line);
  auto i = carrying_.find(author.id);
  if (i == carrying_.end())
    return;
  if (line.proof.empty()
      || !sealed_by(author.id, author.since, {line}, line.proof)) {
    spdlog::debug("not carrying line {} of {}: not signed alone", line.seq,
                  author.name);
    return;
  }
  auto carried = line;
  carried.type = message_type::carried;
  carried.id = author.id;
  carried.since = author.since;
  for (auto& to : i->second)
    if (auto p = member(to); p != nullptr && caught_up(to, author.id)) {
      callee_.send(p->conn, carried);
      ++forwarded_;
    }
}

void relay::on_renamed(const peer& p) {
  auto i = carrying_.find(p.id);
  if (i == carrying_.end())
    return;
  for (auto& to : i->second)
    if (auto q = member(to))
      callee_.send(q->conn,
                   make_route(p.id, p.name, chat_.seen_of(p.id), p.since));
}

// Only between two members we carry for each other, and only from the
// author itself: a carrier passes the sealed box on and learns nothing.
void relay::forward_private(const peer& from, const message& msg) {
  auto i = carrying_.find(from.id);
  if (msg.id != from.id || i == carrying_.end() || i->second.count(msg.to) == 0)
    return;
  if (auto p = member(msg.to)) {
    callee_.send(p->conn, msg);
    ++forwarded_;
  }
}

void relay::link(const peer_id& x, const peer_id& y) {
  carrying_[x].insert(y);
  carrying_[y].insert(x);
}

// Whether `to` got what we keep of `author` (`pass_on_kept`): only then
// does it get `author`'s lines live, so that it gets them in order.
bool relay::caught_up(const peer_id& to, const peer_id& author) const {
  return caught_up_.count({to, author}) > 0;
}

void relay::unlink(const peer_id& x, const peer_id& y) {
  caught_up_.erase({x, y});
  caught_up_.erase({y, x});
  for (auto [a, b] : {std::pair{x, y}, std::pair{y, x}})
    if (auto i = carrying_.find(a); i != carrying_.end()) {
      i->second.erase(b);
      if (i->second.empty())
        carrying_.erase(i);
    }
}

// -- both ----------------------------------------------------------------------

void relay::on_member(const peer& p) {
  routed_.erase(p.id);
  if (auto i = far_.find(p.id); i != far_.end()) {
    for (auto carrier : {i->second.via, i->second.asking})
      if (carrier != 0)
        callee_.send(carrier, make_carry(p.id, true));
    far_.erase(i);
  }
  // Members that found no carrier yet may ask this one.
  for (auto& [id, f] : far_)
    if (f.via == 0 && f.asking == 0)
      ask_next(id);
}

void relay::on_gone(const peer& p, bool left) {
  // As its carrier: whoever we carried it to hears it went.
  if (auto i = carrying_.find(p.id); i != carrying_.end()) {
    auto others = std::move(i->second);
    carrying_.erase(i);
    for (auto& to : others) {
      unlink(to, p.id);
      if (auto q = member(to))
        callee_.send(q->conn, make_unroute(p.id, left));
    }
  }
  // As the far end: members reached through it need another carrier.
  std::vector<peer_id> stranded;
  for (auto& [id, f] : far_)
    if (f.via == p.conn || f.asking == p.conn)
      stranded.push_back(id);
  for (auto& id : stranded) {
    auto& f = far_.at(id);
    f.via = 0;
    f.refused.insert(p.conn);
    ask_next(id);
  }
}

bool relay::whisper(const std::string& name, const std::string& body) {
  auto to = std::find_if(far_.begin(), far_.end(),
                         [&](auto& kv) { return kv.second.name == name; });
  if (to == far_.end() || to->second.via == 0)
    return false;
  // Our own encoding of the line, decoded again: private lines are rare,
  // and the outbox keeps one form of every line.
  auto line = decode(body);
  if (!line)
    return false;
  message msg;
  msg.type = message_type::carried;
  msg.whisper = true;
  msg.id = self_->id();
  msg.to = to->first;
  msg.text = seal_private(*self_, to->first, line->seq, line->text);
  if (msg.text.empty())
    return false;
  callee_.send(to->second.via, msg);
  return true;
}

const std::string* relay::find(const std::string& name) const {
  // The exact name first, then one that looks the same, as for members.
  for (auto& [id, f] : far_)
    if (f.via != 0 && f.name == name)
      return &f.name;
  auto key = name_key(name);
  for (auto& [id, f] : far_)
    if (f.via != 0 && name_key(f.name) == key)
      return &f.name;
  return nullptr;
}

std::vector<member_summary> relay::summary(uint64_t wall) const {
  std::vector<member_summary> result;
  for (auto& [id, f] : far_) {
    if (f.via == 0)
      continue;
    int64_t secs = f.since > 0 && f.since <= wall
                     ? static_cast<int64_t>((wall - f.since) / 1000000)
                     : 0;
    result.push_back({f.name, id, f.address, secs, f.via_name});
  }
  return result;
}

bool relay::carried() const {
  return !routed_.empty();
}

std::vector<std::string> relay::names() const {
  std::vector<std::string> result;
  for (auto& [id, f] : far_)
    if (f.via != 0)
      result.push_back(f.name);
  return result;
}

} // namespace groupchat::protocol
