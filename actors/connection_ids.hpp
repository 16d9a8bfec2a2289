// SPDX-License-Identifier: MIT
// The names Membership gives its Connection actors: the plain classes of
// protocol/ know a connection by a number (`conn_id`), the actor by its
// handle. Not an actor: a map both ways, owned by Membership.

#pragma once

#include <map>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>

#include "protocol/group/peer_table.hpp"

namespace groupchat {

class connection_ids {
public:
  using conn_id = protocol::conn_id;

  /// Gives a new connection actor its ID.
  conn_id adopt(const caf::actor& conn) {
    auto id = next_++;
    actors_.emplace(id, conn);
    ids_.emplace(conn.address(), id);
    return id;
  }

  /// The actor of connection `id`; an invalid handle (sending to it does
  /// nothing) once it was forgotten.
  caf::actor actor_of(conn_id id) const {
    auto i = actors_.find(id);
    return i != actors_.end() ? i->second : caf::actor{};
  }

  /// The ID of the connection actor at `addr`, 0 if it has none (any more).
  conn_id id_of(const caf::actor_addr& addr) const {
    auto i = ids_.find(addr);
    return i != ids_.end() ? i->second : conn_id{0};
  }

  /// Forgets connection `id`; returns its actor.
  caf::actor forget(conn_id id) {
    auto conn = actor_of(id);
    ids_.erase(conn.address());
    actors_.erase(id);
    return conn;
  }

private:
  std::map<conn_id, caf::actor> actors_;
  std::map<caf::actor_addr, conn_id> ids_;
  conn_id next_ = 1;
};

} // namespace groupchat
