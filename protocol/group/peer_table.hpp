// SPDX-License-Identifier: MIT
// The peer table: every connection this peer has, what stage it reached and
// who is at the other end. A plain class: no actor, no socket, no clock of
// its own. The Membership actor owns one; the join machine and the failure
// detector read and change it.

#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol/group/handshake.hpp"
#include "protocol/time.hpp"
#include "protocol/wire/endpoint.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat::protocol {

/// Names one connection (one TCP socket) for the membership logic. The
/// actor maps it to the connection actor that owns the socket.
using conn_id = uint64_t;

/// How far the connection to one peer got.
enum class stage : uint8_t {
  /// Accepted, no greeting yet (a newcomer, or a stranger).
  accepted,
  /// Dialed as our entry into a group; `hello` sent, waiting for `members`.
  entry,
  /// `greeting` sent, waiting for `welcome`.
  greeting,
  /// A member of the group: chat flows in both directions.
  member,
  /// We closed it (or it left): nothing it still delivers counts, and the
  /// end of its socket reports nothing.
  closing,
};

/// Returns the name of `x`, e.g. "greeting".
const char* to_string(stage x) noexcept;

/// What we know about the peer at the other end of one connection.
struct peer {
  conn_id conn = 0;
  stage st = stage::accepted;
  /// Whether we dialed this connection (else we accepted it).
  bool dialed = false;
  // What the failure detector reads of every member each round comes
  // first, next to `st`, in the first cache lines of the table's node: an
  // idle member's round touches little else of each peer, and after a
  // second asleep every line of it is a miss.
  /// When its connection was opened (accepted or connected).
  time_point opened_at;
  /// When it last sent anything.
  time_point last_seen;
  /// When we probed it and have not judged the answer yet
  /// (failure_detector.hpp).
  std::optional<time_point> probed_at;
  /// The round of our last probe to it, 0 for none.
  uint64_t probed_round = 0;
  /// The round of its last probe that we left for our own probe of that
  /// round, still to come, to answer (failure_detector::crossed), 0 for
  /// none.
  uint64_t crossed = 0;
  /// When we began to suspect it: it answered none of our probes (or a
  /// member said it answered none of its own). Over once it speaks.
  std::optional<time_point> suspected_at;
  /// Display name (from its greeting or welcome, never from a chat payload).
  std::string name;
  /// Where it listens: the host it connects from (or we dialed), its port.
  endpoint address;
  /// Its peer ID (public key), once known: for a member, proven.
  peer_id id;
  /// The proof of keys on this connection.
  handshake hs;
  /// How many lines it said before this connection (from its greeting or
  /// welcome).
  uint64_t said = 0;
  /// When it became a member.
  time_point joined_at;
  /// When it joined the group, as it says (wall clock, microseconds since
  /// the epoch; 0: unknown).
  uint64_t since = 0;
  /// It asked for the member list (`hello`): once per connection.
  bool asked = false;
  /// A stranger in a group with a passphrase: one guess at it was charged
  /// to its host when it came in (guess_limiter.hpp).
  bool charged = false;
  /// A stranger whose handshake we answered: it is on its way in, and
  /// loses its place in the pool after those that never started.
  bool started = false;
  /// When we last took its member list as gossip.
  std::optional<time_point> last_gossip;
  /// Waiting for its welcome, it takes over from a connection to the same
  /// peer that closed meanwhile (the peer kept this one of the two), which
  /// was this member: its welcome is no news, its failure the member's
  /// loss.
  std::optional<member_info> took_over;

  /// Whether messages from this connection still count.
  bool live() const noexcept {
    return st != stage::closing;
  }
};

/// Every connection by its ID, plus the peers whose connect is under way.
class peer_table {
public:
  /// Adds connection `conn` at stage `st`, last heard `now`.
  peer& add(conn_id conn, stage st, bool dialed, endpoint address,
            time_point now);

  /// Removes connection `conn` (its socket is gone) and returns what it was.
  std::optional<peer> remove(conn_id conn);

  /// The connection `conn`, or null.
  peer* find(conn_id conn);

  /// The other live connection to peer `id` that identified itself (greeting
  /// or member), or null.
  peer* find_id(const peer_id& id, const peer* except = nullptr);

  /// The member named `name`, or null.
  peer* find_member(const std::string& name);

  /// Every member, in connection order.
  std::vector<peer*> members();

  /// Whether a member other than peer `id` goes by `name`.
  bool name_taken(const std::string& name, const peer_id& id) const;

  /// Every member as a member list entry (without ourselves).
  std::vector<member_info> member_list() const;

  /// How many connections are at the accepted stage (strangers: no
  /// greeting yet), in all and from `host` (for IPv6, from its /64).
  size_t strangers() const;
  size_t strangers_from(const std::string& host) const;

  /// How many connections we dialed are still unproven (an entry peer
  /// before its members, a member before its welcome).
  size_t unproven_dials() const;

  /// The stranger to close for room (from `host` or its /64, if given), or
  /// null: the oldest of those that never started a handshake, else the
  /// oldest. Idle sockets go before joiners on their way in.
  peer* oldest_stranger(const std::string* host = nullptr);

  /// `fresh` just proved it is peer `id`; we are `self`. Of two proven
  /// connections to one peer, only the one dialed by the lower peer ID
  /// survives: both ends apply the same rule, so both keep the same
  /// connection. Unless they are two runs of the key (their `since`
  /// differs: a restart): then the later run's survives. Returns the one to
  /// close (`fresh` or the other), or null if `fresh` is the only proven
  /// one (an unproven connection claiming `id` never wins).
  peer* duplicate_loser(peer& fresh, const peer_id& id, const peer_id& self);

  /// Makes `p` a member: peer `id`, in the group since `now`.
  static void promote(peer& p, const peer_id& id, time_point now);

  /// Every connection, in connection order.
  const std::map<conn_id, peer>& all() const noexcept {
    return peers_;
  }

  std::map<conn_id, peer>& all() noexcept {
    return peers_;
  }

  bool empty() const noexcept {
    return peers_.empty();
  }

  size_t size() const noexcept {
    return peers_.size();
  }

  // -- connects under way -----------------------------------------------------

  /// Peer `id` is being dialed: nobody dials it a second time meanwhile.
  void dialing(const peer_id& id) {
    dialing_.insert(id);
  }

  /// The dial of peer `id` ended (connected or failed).
  void dialed(const peer_id& id) {
    dialing_.erase(id);
  }

  bool is_dialing(const peer_id& id) const {
    return dialing_.count(id) > 0;
  }

  bool dials_pending() const noexcept {
    return !dialing_.empty();
  }

  size_t dials() const noexcept {
    return dialing_.size();
  }

  /// Forgets every dial under way: late results are then taken as they come.
  void clear_dials() noexcept {
    dialing_.clear();
  }

private:
  std::map<conn_id, peer> peers_;
  std::set<peer_id> dialing_;
};

} // namespace groupchat::protocol
