// SPDX-License-Identifier: MIT
#include "protocol/group/naming.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "protocol/group/join_machine.hpp"
#include "protocol/wire/text.hpp"

namespace groupchat::protocol {

naming::naming(std::string name, const peer_id& self, peer_table& peers,
               const rejoin_schedule& rejoin, join_callee& callee,
               timespan window)
  : name_(std::move(name)), self_(self), peers_(peers), rejoin_(rejoin),
    callee_(callee), window_(window) {
  // nop
}

bool naming::ours(const std::string& name) const {
  return name_key(name) == name_key(name_);
}

// A rename of `id` to `name` collides with a member, or with a lost member
// that may come back (it keeps its name too).
bool naming::taken(const std::string& name, const peer_id& id) const {
  return peers_.name_taken(name, id) || rejoin_.has_name(name, id);
}

std::string naming::taken_reason(const std::string& name) {
  return "the name '" + name + "' is already taken in this group";
}

std::optional<std::string> naming::rename(const std::string& name) {
  auto normal = normalize_name(name);
  if (!normal)
    return normal.error().detail;
  if (*normal == name_)
    return std::string{"that is your name already"};
  if (taken(*normal, self_))
    return taken_reason(*normal);
  previous_ = name_;
  renamed_at_ = callee_.now();
  set(*normal);
  return std::nullopt;
}

// Takes `name` and tells every member.
void naming::set(std::string name) {
  name_ = std::move(name);
  for (auto p : peers_.members())
    callee_.send(p->conn, make_nick(name_));
  callee_.renamed(name_);
}

void naming::on_nick(peer& p, message& msg) {
  if (ours(msg.name) || taken(msg.name, p.id)) {
    spdlog::info("refusing {}'s new name {}: taken", p.name, msg.name);
    callee_.send(p.conn, make_refuse(refusal::name_taken,
                                     taken_reason(msg.name), msg.name));
    return;
  }
  if (msg.name == p.name)
    return;
  callee_.report(event::renamed(p.name, msg.name, p.id, false));
  p.name = std::move(msg.name);
}

// A member knows the name we just took as another's: take ours back (if
// nobody took it meanwhile). Any other refusal from a member is stale or
// hostile, and changes nothing.
bool naming::on_refuse(const peer& p, const message& msg) {
  bool about_ours = !previous_.empty() && msg.code == refusal::name_taken
                    && msg.name == name_
                    && callee_.now() - renamed_at_ <= window_;
  if (!about_ours)
    return false;
  spdlog::info("{} refused our new name {}", p.name, name_);
  auto& reason = msg.text;
  auto wanted = name_;
  auto old = std::move(previous_);
  previous_.clear();
  if (peers_.name_taken(old, self_)) {
    callee_.report(event::failure(
      "nick_refused", "Could not take the name " + wanted + ": " + reason
                        + "; your old name is taken too, you stay " + wanted));
    return true;
  }
  set(old);
  callee_.report(event::failure("nick_reverted",
                                "Could not take the name " + wanted + ": "
                                  + reason + "; you are " + name_ + " again"));
  return true;
}

} // namespace groupchat::protocol
