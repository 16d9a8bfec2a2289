// SPDX-License-Identifier: MIT
// Our name and the members' names in the group: "/nick", a member's
// rename, and the refusal that undoes a rename someone knows taken. A name
// is taken when a member or a lost member that may come back (the rejoin
// window) goes by it, compared by its folded form (text.hpp: `Bob`,
// full-width `ｂｏｂ` and `bоb` with a Cyrillic о are one name).

#pragma once

#include <optional>
#include <string>

#include "protocol/group/peer_table.hpp"
#include "protocol/group/rejoin.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat::protocol {

class join_callee;

class naming {
public:
  /// We go by `name`; a refusal of a rename counts within `window` of it.
  naming(std::string name, const peer_id& self, peer_table& peers,
         const rejoin_schedule& rejoin, join_callee& callee, timespan window);

  /// Our name now.
  const std::string& name() const noexcept {
    return name_;
  }

  /// Whether `name` collides with ours.
  bool ours(const std::string& name) const;

  /// Whether `name` is taken for `id`: by a member or a lost member other
  /// than `id`.
  bool taken(const std::string& name, const peer_id& id) const;

  /// Why a member may not take `name`, as sent in a refusal.
  static std::string taken_reason(const std::string& name);

  /// "/nick NAME": renames us for every member, if the name is free as far
  /// as we know. Returns why not, or nothing.
  std::optional<std::string> rename(const std::string& name);

  /// Member `p` goes by `msg.name` from now on, unless that is taken: then
  /// it is refused.
  void on_nick(peer& p, message& msg);

  /// Member `p` refused `msg`: if it refuses our latest rename, we take
  /// our old name back. Returns whether the refusal was about that.
  bool on_refuse(const peer& p, const message& msg);

private:
  void set(std::string name);

  std::string name_;
  const peer_id& self_;
  peer_table& peers_;
  const rejoin_schedule& rejoin_;
  join_callee& callee_;
  timespan window_;
  /// Our name before the last rename, until a member refused it or the
  /// next rename.
  std::string previous_;
  time_point renamed_at_;
};

} // namespace groupchat::protocol
