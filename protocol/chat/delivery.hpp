// SPDX-License-Identifier: MIT
// Chat delivery: which lines a member is shown, in which order, and what it
// is told about lines that did not reach it. A plain class, no actors: the
// Membership actor feeds it the chat frames of proven members and carries
// out what it asks (show a line, say a notice, send our history).
//
// - Per sender (by its proven key), public lines are shown once and in
//   order: a line that arrives twice (over two connections to one peer, or
//   live and as history) is dropped, and so is a jump in sequence numbers
//   that cannot be real.
// - A hole in a sender's numbers that it no longer keeps is reported once,
//   never silently ("3 lines from bob did not reach you").
// - Private lines are numbered apart; only duplicates are dropped.
// - Joining, chat is held back until every member's history arrived (or
//   the join timeout passed), so the history shows first, in the order it
//   was said, then what came live meanwhile.
// - Our own lines are numbered here and the recent ones kept (history.hpp)
//   for members that missed them.

#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "protocol/chat/history.hpp"
#include "protocol/events/event.hpp"
#include "protocol/wire/ids.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat::protocol {

/// What delivery asks of its owner.
class delivery_callee {
public:
  virtual ~delivery_callee();

  /// Tells the user what happened: a line (`event::kind::chat`) or a gap.
  virtual void report(event ev) = 0;
};

class delivery {
public:
  /// Keeps our last `history_lines` lines, at most `history_bytes` of text;
  /// holds back at most twice that while joining.
  delivery(size_t history_lines, size_t history_bytes, delivery_callee& callee);

  // -- what members send ------------------------------------------------------

  /// Member `name` with key `id` sent `msg`, a chat, over connection
  /// `conn`.
  void on_chat(uint64_t conn, const peer_id& id, const std::string& name,
               message& msg);

  /// We met member `name` (`id`, on `conn`) through `msg`, its greeting or
  /// welcome: returns the history lines to send it (what it has not seen of
  /// ours), and learns how far its own lines went.
  std::vector<message> on_met(uint64_t conn, const peer_id& id,
                              const std::string& name, const message& msg);

  /// Member `id` says it is the run that began at `since` (0: not said):
  /// another run than the one we knew (a restart with the same key)
  /// numbers its lines from 1 again, so what we knew of them goes.
  void on_run(const peer_id& id, uint64_t since);

  /// Whether `since` is an earlier run of `id` than one we know: a line
  /// of it, carried by another member, is a replay.
  bool older_run(const peer_id& id, uint64_t since) const;

  /// A history line `msg` of `id` (`name`), an author we cannot hear
  /// ourselves, passed on by the member we joined through (relay.hpp):
  /// shown as history, in order; what its keeper did not have before its
  /// first line is not missed.
  void on_archived(const peer_id& id, const std::string& name, message& msg);

  /// Member `id` (`name`) is reached through a carrier now, which had
  /// shown its public lines up to `seq` of its run `since`: the lines
  /// before those come only as catch-up history, from what the carrier
  /// keeps, and are not missed if they do not; a hole above them is
  /// (relay.hpp).
  void reached(const peer_id& id, const std::string& name, uint64_t since,
               uint64_t seq);

  /// Says in `msg`, our greeting or welcome to `id`, how far we have shown
  /// its lines and in which run (see join_callee::say_seen).
  void say_seen(const peer_id& id, uint64_t since, message& msg);

  /// Connection `conn` is gone: its history will not come.
  void on_closed(uint64_t conn);

  /// The join completed: chat held back may show once the history arrived.
  void on_joined();

  /// Shows what is held back now (the join is long over, or we leave).
  void release();

  // -- our own lines ----------------------------------------------------------

  /// The sequence number our next public line gets.
  uint64_t next_public() const noexcept {
    return next_seq_;
  }

  /// The sequence number our next private line gets.
  uint64_t next_private() const noexcept {
    return next_private_;
  }

  /// Our public line `seq` (the next one) was said at `time`: it is kept
  /// for members that miss it.
  void said(uint64_t seq, uint64_t time, std::string text, bool action);

  /// Our private line (the next one) was numbered.
  void said_private() noexcept {
    ++next_private_;
  }

  /// Our public line `seq` left for the group: members met from now on
  /// count it among what we said.
  void sent(uint64_t seq) noexcept {
    sent_seq_ = seq;
  }

  /// How many of our public lines went out (greetings and welcomes say it).
  uint64_t lines_sent() const noexcept {
    return sent_seq_;
  }

  /// Peer `id` left: its numbering goes (a member that comes back later is
  /// a new sender).
  void forget(const peer_id& id);

  /// The highest sequence number of `id`'s lines we have shown (0: none).
  uint64_t seen_of(const peer_id& id) const;

  /// The run of `id` that `seen_of` counts in (0: not known).
  uint64_t run_of(const peer_id& id) const;

  /// How many of our lines after `seen` we would send again.
  uint64_t replay_size(uint64_t seen) const;

  /// Whether the history that `conn`'s welcome promised is still due.
  bool awaiting(uint64_t conn) const noexcept {
    return replays_due_.count(conn) > 0;
  }

  /// One line of the history that `conn`'s welcome promised arrived
  /// (shown or not).
  void replay_arrived(uint64_t conn);

  /// Whether chat is being held back.
  bool holding() const noexcept {
    return holding_;
  }

private:
  /// What we know of a sender's lines.
  struct sender {
    /// The highest public sequence number shown.
    uint64_t last = 0;
    /// The most lines it said it had said, in a greeting or welcome.
    uint64_t said = 0;
    /// The highest private sequence number shown.
    uint64_t last_private = 0;
    /// What it had said when we first met it: a hole in its numbers above
    /// that is lines we missed for good (below it, the history it sends
    /// starts where it starts).
    uint64_t base = 0;
    /// The run its numbers count in (its `since`; 0: not said).
    uint64_t since = 0;
    bool met = false;
  };

  void on_whisper(sender& s, const peer_id& id, const std::string& name,
                  message& msg);
  bool acceptable(const sender& s, const std::string& name,
                  const message& msg) const;
  void show(event line);
  void show_history(const peer_id& id, const std::string& from, message& msg);
  void hold_bytes(size_t n);
  void maybe_release();
  void check_missed(const peer_id& id);
  void report_missed(const peer_id& id, uint64_t missed);

  delivery_callee& callee_;
  size_t history_bytes_;
  std::map<peer_id, sender> senders_;
  /// Names by key, for the notice about a sender's missed lines.
  std::map<peer_id, std::string> names_;
  uint64_t next_seq_ = 1;
  uint64_t next_private_ = 1;
  uint64_t sent_seq_ = 0;
  history own_;
  /// Chat is held back until the join completed and every member's
  /// history arrived.
  bool holding_ = true;
  bool joined_ = false;
  /// History lines still to come, per connection (from its welcome), and
  /// the sender on that connection.
  std::map<uint64_t, std::pair<uint64_t, peer_id>> replays_due_;
  std::vector<event> held_history_;
  std::vector<event> held_live_;
  /// Senders with lines in `held_live_`: their history goes behind them.
  std::set<std::string> held_live_from_;
  /// Bytes of text held; past the bound, holding ends.
  size_t held_bytes_ = 0;
};

} // namespace groupchat::protocol
