// SPDX-License-Identifier: MIT
// Members reached through others. The group is a full mesh while every
// pair can connect; when one cannot (a firewall, a NAT, IPv4 against IPv6),
// a member connected to both, the carrier, carries lines between the two.
// A plain class, no actors: the Membership actor feeds it what concerns
// carrying and sends what it asks (compare delivery.hpp).
//
// X, whose dial to member A failed, asks one member M (lowest key first)
// to carry (`carry`). M, connected to A, tells both X and A that the other
// is reached through it (`route`), and from then on forwards A's public
// lines to X and X's to A (`carried`), and the private lines one sends
// the other. If M cannot, or loses A, it says so (`route` with `stop`) and
// X asks the next member; once nobody can, A is lost. Nobody else
// forwards anything, so in a whole mesh nothing is carried at all.
//
// History survives its author: every member keeps the others' recent
// lines and their seals (archive.hpp), and the member a newcomer joins
// through passes on those of authors that are no longer members
// (`carried` with `history`), batch by batch.
//
// Trust: a carrier never speaks for the author. Every public line is
// signed by its author (line_seals.hpp): alone while it is carried, in
// a batch otherwise; a carried line, or a batch of history, is shown only
// if the signature checks. A private line is sealed to its recipient's
// key and authenticated as the sender's (`seal_to`): the carrier sees
// that a private line passed between the two, not its text.

#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "protocol/chat/archive.hpp"
#include "protocol/chat/commands.hpp"
#include "protocol/chat/delivery.hpp"
#include "protocol/chat/line_seals.hpp"
#include "protocol/chat/pending_batches.hpp"
#include "protocol/crypto/identity.hpp"
#include "protocol/events/event.hpp"
#include "protocol/group/peer_table.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat::protocol {

/// What the relay asks of its owner.
class relay_callee {
public:
  virtual ~relay_callee();

  /// Sends `msg` on connection `conn`.
  virtual void send(conn_id conn, const message& msg) = 0;

  /// Tells the user what happened: a member reached through another came
  /// or went.
  virtual void report(event ev) = 0;
};

class relay {
public:
  /// Keeps at most `lines_per_author` of each other member's lines, and
  /// `archive_bytes` of text in all, for newcomers.
  relay(std::shared_ptr<const identity> self, peer_table& peers, delivery& chat,
        relay_callee& callee, size_t lines_per_author = 200,
        size_t archive_bytes = 1 << 20);

  // -- the member that cannot connect ----------------------------------------

  /// Our connect to member `m` failed: a member that reaches it carries
  /// its lines. Returns whether one does or was asked already (the failure
  /// is no news).
  bool unreachable(const member_info& m);

  /// Member `from` says that `msg.id` is reached through it (or, with
  /// `stop`, no longer).
  void on_route(const peer& from, const message& msg);

  /// Member `from` carried a line to us (or, as its carrier, through us),
  /// or history of an author it carries to us (what we had not shown of
  /// it). History from the entry while we join goes to `on_archived`.
  void on_carried(const peer& from, const message& msg);

  /// Whether member `id` is reached through the member on `conn`.
  bool reaches_through(const peer_id& id, conn_id conn) const;

  /// The member we joined through passed on `msg`, a line of an author
  /// that is not a member (`carried` with `history`); `own_name` is ours.
  /// Shown once the last line of its batch, with the seal, checks.
  void on_archived(const peer& from, const message& msg,
                   const std::string& own_name);

  /// Whether members hear our lines through a carrier now: then each of
  /// our lines is signed alone (line_seals.hpp).
  bool carried() const;

  // -- the carrier -------------------------------------------------------------

  /// Member `from` asks us to carry between it and `msg.id`.
  void on_carry(const peer& from, const message& msg);

  /// `author` sent us `line` itself: whoever we carry its lines to, and
  /// that caught up (`pass_on_kept`), gets it, if it is signed alone; it
  /// is kept for newcomers.
  void on_line(const peer& author, const message& line);

  /// `author` sealed a batch of its lines: kept with them.
  void on_seal(const peer& author, const message& msg);

  /// Member `p` goes by a new name: whoever we carry it to hears it.
  void on_renamed(const peer& p);

  /// `newcomer` joined through us: it gets the lines we keep of authors
  /// that are no longer members (it cannot hear them itself).
  void replay_to(const peer& newcomer);

  /// The lines `replay_to` sends.
  std::vector<message> replay_for(const peer& newcomer);

  // -- both ---------------------------------------------------------------------

  /// We are connected to `p` now: it needs no carrier, and members still
  /// waiting for one may ask it.
  void on_member(const peer& p);

  /// Our last connection to member `p` ended (`left`: it left the group).
  void on_gone(const peer& p, bool left);

  /// Sends our private line `body` (encoded `chat`) to `name`, a member
  /// reached through another, sealed to its key. False if there is none.
  bool whisper(const std::string& name, const std::string& body);

  /// Whether `name` is a member reached through another; its name as it
  /// spells it.
  const std::string* find(const std::string& name) const;

  /// The members reached through others, for "/who" (`wall`: now, by the
  /// wall clock).
  std::vector<member_summary> summary(uint64_t wall) const;

  /// Their names.
  std::vector<std::string> names() const;

  /// How many frames we forwarded as a carrier (the benchmark counts them:
  /// 0 in a whole mesh).
  uint64_t forwarded() const noexcept {
    return forwarded_;
  }

private:
  /// A member we cannot connect to.
  struct far_member {
    std::string name;
    uint64_t since = 0;
    std::string address;
    /// The carrier's connection (0: none yet) and name.
    conn_id via = 0;
    std::string via_name;
    /// The member we asked and wait for (0: none).
    conn_id asking = 0;
    /// Members that could not carry it since it last had a carrier.
    std::set<conn_id> refused;
    /// Whether the user was told it is here.
    bool announced = false;
  };

  peer* member(const peer_id& id);
  void ask_next(const peer_id& id);
  void lost(const peer_id& id, bool left);
  bool prefer(const peer& carrier, conn_id current);
  void forward_private(const peer& from, const message& msg);
  void send_batches(conn_id to, const std::vector<message>& lines);
  bool caught_up(const peer_id& to, const peer_id& author) const;
  void pass_on_kept(const peer& asker, const peer& target,
                    const message& carry);
  void catch_up(const peer& from, const message& msg, const std::string& name);
  bool take_batch(const peer& from, const message& last,
                  const std::string& name, std::vector<message>& batch);

  bool signed_by_author(const peer& from, const peer_id& author, uint64_t since,
                        const std::string& name,
                        const std::vector<message>& lines,
                        const std::string& sig);
  void link(const peer_id& x, const peer_id& y);
  void unlink(const peer_id& x, const peer_id& y);

  std::shared_ptr<const identity> self_;
  peer_table& peers_;
  delivery& chat_;
  relay_callee& callee_;
  /// As the far end: members reached through others, by key.
  std::map<peer_id, far_member> far_;
  /// As the carrier: for each member, whom we carry its lines to.
  std::map<peer_id, std::set<peer_id>> carrying_;
  /// Others' recent lines, for newcomers.
  archive kept_;
  /// The authors of history passed on to us, by key: one name each.
  std::map<peer_id, std::string> archived_;
  /// Their lines that wait for the last of their batch, with its seal.
  pending_batches unsealed_;
  /// Lines of members reached through others that wait for their seal.
  pending_batches catching_up_;
  /// The members a carrier passes our lines on to (it said so in a
  /// `route`, whether we took it or not).
  std::set<peer_id> routed_;
  /// The connection history last came from.
  conn_id history_from_ = 0;
  /// As the carrier: the members that got what we keep of an author
  /// (`to`, author), and get its lines live from then on.
  std::set<std::pair<peer_id, peer_id>> caught_up_;
  /// Who passed on a forged line as whose: warned once.
  std::set<std::pair<peer_id, peer_id>> warned_;
  uint64_t forwarded_ = 0;
};

} // namespace groupchat::protocol
