// SPDX-License-Identifier: MIT
#include "protocol/group/peer_table.hpp"

#include <algorithm>
#include <utility>

#include "protocol/wire/text.hpp"

namespace groupchat::protocol {

namespace {

// One IPv6 end site has a /64 and can use every address in it: for the
// limits per host, its addresses are one.
bool same_source(const std::string& x, const std::string& y) {
  return x == y || prefix_of(x, 64) == prefix_of(y, 64);
}

} // namespace

const char* to_string(stage x) noexcept {
  switch (x) {
    case stage::accepted:
      return "accepted";
    case stage::entry:
      return "entry";
    case stage::greeting:
      return "greeting";
    case stage::member:
      return "member";
    case stage::closing:
      return "closing";
  }
  return "unknown";
}

peer& peer_table::add(conn_id conn, stage st, bool dialed, endpoint address,
                      time_point now) {
  auto& p = peers_[conn];
  p = peer{};
  p.conn = conn;
  p.st = st;
  p.dialed = dialed;
  p.address = std::move(address);
  p.opened_at = now;
  p.last_seen = now;
  p.joined_at = now;
  return p;
}

std::optional<peer> peer_table::remove(conn_id conn) {
  auto i = peers_.find(conn);
  if (i == peers_.end())
    return std::nullopt;
  auto result = std::move(i->second);
  peers_.erase(i);
  return result;
}

peer* peer_table::find(conn_id conn) {
  auto i = peers_.find(conn);
  return i != peers_.end() ? &i->second : nullptr;
}

peer* peer_table::find_id(const peer_id& id, const peer* except) {
  for (auto& [conn, p] : peers_)
    if (&p != except && p.id == id
        && (p.st == stage::greeting || p.st == stage::member))
      return &p;
  return nullptr;
}

peer* peer_table::find_member(const std::string& name) {
  // The exact name first, then one that looks the same (`/msg BOB`).
  for (auto& [conn, p] : peers_)
    if (p.st == stage::member && p.name == name)
      return &p;
  auto key = name_key(name);
  for (auto& [conn, p] : peers_)
    if (p.st == stage::member && name_key(p.name) == key)
      return &p;
  return nullptr;
}

std::vector<peer*> peer_table::members() {
  std::vector<peer*> result;
  result.reserve(peers_.size());
  for (auto& [conn, p] : peers_)
    if (p.st == stage::member)
      result.push_back(&p);
  return result;
}

bool peer_table::name_taken(const std::string& name, const peer_id& id) const {
  // Names that look alike are the same name (text.hpp).
  auto key = name_key(name);
  for (auto& [conn, p] : peers_)
    if (p.st == stage::member && p.id != id && name_key(p.name) == key)
      return true;
  return false;
}

std::vector<member_info> peer_table::member_list() const {
  std::vector<member_info> list;
  for (auto& [conn, p] : peers_)
    if (p.st == stage::member)
      list.push_back({p.name, p.address.host, p.address.port, p.id, p.since});
  return list;
}

size_t peer_table::unproven_dials() const {
  size_t n = 0;
  for (auto& [conn, p] : peers_)
    if (p.dialed && (p.st == stage::entry || p.st == stage::greeting))
      ++n;
  return n;
}

size_t peer_table::strangers() const {
  size_t n = 0;
  for (auto& [conn, p] : peers_)
    n += p.st == stage::accepted ? 1 : 0;
  return n;
}

size_t peer_table::strangers_from(const std::string& host) const {
  size_t n = 0;
  for (auto& [conn, p] : peers_)
    n += p.st == stage::accepted && same_source(p.address.host, host) ? 1 : 0;
  return n;
}

peer* peer_table::oldest_stranger(const std::string* host) {
  // Connection IDs grow with time: the first match is the oldest.
  peer* oldest = nullptr;
  for (auto& [conn, p] : peers_) {
    if (p.st != stage::accepted
        || (host != nullptr && !same_source(p.address.host, *host)))
      continue;
    if (!p.started)
      return &p;
    if (oldest == nullptr)
      oldest = &p;
  }
  return oldest;
}

void peer_table::promote(peer& p, const peer_id& id, time_point now) {
  p.st = stage::member;
  p.id = id;
  p.joined_at = now;
}

peer* peer_table::duplicate_loser(peer& fresh, const peer_id& id,
                                  const peer_id& self) {
  // Only a proven connection competes. One that merely claims the key (a
  // dial waiting for its welcome, perhaps to a member that listed the key
  // at its own address) never closes one that proved it: it proves itself
  // later, and the rule applies then, or it runs out of time.
  auto proven = [&](auto& kvp) {
    auto& p = kvp.second;
    return &p != &fresh && p.st == stage::member && p.id == id;
  };
  auto i = std::find_if(peers_.begin(), peers_.end(), proven);
  if (i == peers_.end())
    return nullptr;
  auto other = &i->second;
  // Two runs of one key (a restart with its key file): the later one is
  // the peer now, whoever dialed; the other connection is the old run's,
  // dead or about to be.
  if (fresh.since != other->since)
    return fresh.since > other->since ? other : &fresh;
  bool dialer_is_lower = fresh.dialed ? self < id : id < self;
  return dialer_is_lower ? other : &fresh;
}

} // namespace groupchat::protocol
