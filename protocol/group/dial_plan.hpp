// SPDX-License-Identifier: MIT
// Whom this peer dials, besides its entry peer: the members that lists name
// (the entry peer's `members`, a welcome, a member's gossip) and that we do
// not know yet, and the lost members due for another try. However many
// lists arrive, we connect to a group's worth at most. A plain class over
// the peer table and the rejoin schedule, driven by the join machine: it
// says whom to dial, the machine dials.

#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "protocol/group/peer_table.hpp"
#include "protocol/group/rejoin.hpp"
#include "protocol/wire/endpoint.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat::protocol {

/// One connect the join machine asks for, handed back with its result:
/// where, and the member we expect there (empty for an entry peer, which
/// tells us who it is).
struct dial_request {
  endpoint address;
  member_info member;
};

class dial_plan {
public:
  dial_plan(peer_table& peers, rejoin_schedule& rejoin, size_t max_members)
    : peers_(peers), rejoin_(rejoin), max_members_(max_members) {
    // nop
  }

  /// Whether a member list of `n` entries could be a group: a longer one is
  /// an attack, not a group.
  bool acceptable(size_t n) const noexcept {
    return n <= max_members_;
  }

  /// The members of `list` to dial now, each marked as being dialed.
  /// `via_host` is where the sender of the list is: loopback addresses in
  /// the list are only meaningful there. `self` is our own ID.
  std::vector<dial_request> learn(const std::vector<member_info>& list,
                                  const std::string& via_host,
                                  const peer_id& self);

  /// The lost members due for a try at `now`, each marked as being dialed;
  /// one whose connect is under way already waits for the next try.
  std::vector<dial_request> retries(time_point now);

private:
  peer_table& peers_;
  rejoin_schedule& rejoin_;
  size_t max_members_;
};

} // namespace groupchat::protocol
