// SPDX-License-Identifier: MIT
#include "protocol/chat/delivery.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

namespace groupchat::protocol {

delivery_callee::~delivery_callee() {
  // nop
}

delivery::delivery(size_t history_lines, size_t history_bytes,
                   delivery_callee& callee)
  : callee_(callee), history_bytes_(history_bytes),
    own_(history_lines, history_bytes) {
  // nop
}

// -- what members send --------------------------------------------------------

void delivery::on_chat(uint64_t conn, const peer_id& id,
                       const std::string& name, message& msg) {
  auto& s = senders_[id];
  names_[id] = name;
  if (msg.whisper)
    return on_whisper(s, id, name, msg);
  if (!acceptable(s, name, msg))
    return;
  // A hole in what we knew: lines said while we were apart that the
  // sender no longer holds. Said once, never silently.
  if (auto from = std::max(s.last, s.base); msg.seq > from + 1)
    report_missed(id, msg.seq - from - 1);
  s.last = msg.seq;
  if (msg.history) {
    show_history(id, name, msg);
    return replay_arrived(conn);
  }
  auto line = event::line(name, id, std::move(msg.text));
  line.action = msg.action;
  line.time = msg.time;
  show(std::move(line));
}

// Private lines have numbers of their own; only duplicates (over two
// connections to one peer) are dropped.
void delivery::on_whisper(sender& s, const peer_id& id, const std::string& name,
                          message& msg) {
  if (msg.seq <= s.last_private)
    return;
  s.last_private = msg.seq;
  auto line = event::line(name, id, std::move(msg.text));
  line.whisper = true;
  line.time = msg.time;
  show(std::move(line));
}

// Public lines per sender: one that arrives twice (over two connections to
// the same peer, or live and as history) is shown once, in order.
bool delivery::acceptable(const sender& s, const std::string& name,
                          const message& msg) const {
  if (msg.seq <= s.last) {
    spdlog::debug("dropping chat #{} from {}: already at #{}", msg.seq, name,
                  s.last);
    return false;
  }
  // What it said before it met us comes as history, never live.
  if (!msg.history && msg.seq <= s.said) {
    spdlog::debug("dropping chat #{} from {}: said before we met (#{})",
                  msg.seq, name, s.said);
    return false;
  }
  if (auto known = std::max(s.last, s.said);
      msg.seq > known && msg.seq - known > max_seq_gap) {
    spdlog::warn("dropping chat #{} from {}: a jump from #{} that cannot "
                 "be real",
                 msg.seq, name, known);
    return false;
  }
  return true;
}

// A member (back, or new): it gets our lines it has not seen, and we learn
// how far its own went.
std::vector<message> delivery::on_met(uint64_t conn, const peer_id& id,
                                      const std::string& name,
                                      const message& msg) {
  on_run(id, msg.since);
  auto& s = senders_[id];
  names_[id] = name;
  s.said = std::max(s.said, msg.seq);
  if (!s.met) {
    s.met = true;
    s.base = msg.seq;
  }
  if (msg.type == message_type::welcome) {
    if (msg.replay == 0)
      check_missed(id);
    else
      replays_due_[conn] = {msg.replay, id};
  }
  std::vector<message> replay;
  for (auto line : own_.between(msg.seen, sent_seq_))
    replay.push_back(
      make_history(line->text, line->seq, line->action, line->time));
  return replay;
}

void delivery::on_run(const peer_id& id, uint64_t since) {
  if (since == 0)
    return;
  auto i = senders_.find(id);
  if (i != senders_.end() && i->second.since != 0 && i->second.since != since)
    senders_.erase(i);
  senders_[id].since = since;
}

void delivery::on_archived(const peer_id& id, const std::string& name,
                           message& msg) {
  auto& s = senders_[id];
  names_[id] = name;
  if (!s.met) {
    s.met = true;
    s.base = msg.seq - 1;
  }
  if (!acceptable(s, name, msg))
    return;
  if (auto from = std::max(s.last, s.base); msg.seq > from + 1)
    report_missed(id, msg.seq - from - 1);
  s.last = msg.seq;
  show_history(id, name, msg);
}

bool delivery::older_run(const peer_id& id, uint64_t since) const {
  auto i = senders_.find(id);
  return i != senders_.end() && i->second.since != 0 && since < i->second.since;
}

void delivery::reached(const peer_id& id, const std::string& name,
                       uint64_t since, uint64_t seq) {
  // A carrier's word on the run is unsigned: taken only while we know
  // none (a signed line says it again).
  if (auto i = senders_.find(id); i == senders_.end() || i->second.since == 0)
    on_run(id, since);
  auto& s = senders_[id];
  names_[id] = name;
  if (!s.met) {
    s.met = true;
    s.base = std::max(s.last, seq);
  }
}

void delivery::say_seen(const peer_id& id, uint64_t since, message& msg) {
  on_run(id, since);
  auto i = senders_.find(id);
  msg.seen = i != senders_.end() ? i->second.last : 0;
  msg.seen_since = i != senders_.end() ? i->second.since : 0;
}

void delivery::forget(const peer_id& id) {
  senders_.erase(id);
  names_.erase(id);
}

void delivery::on_closed(uint64_t conn) {
  if (replays_due_.erase(conn) > 0)
    maybe_release();
}

void delivery::on_joined() {
  joined_ = true;
  maybe_release();
}

// -- holding back while joining -----------------------------------------------

void delivery::show(event line) {
  if (!holding_)
    return callee_.report(std::move(line));
  auto size = line.text.size();
  held_live_from_.insert(line.name);
  held_live_.push_back(std::move(line));
  hold_bytes(size);
}

// While holding, behind a live line of the same sender (to keep its order),
// else among the history sorted by time.
void delivery::show_history(const peer_id& id, const std::string& from,
                            message& msg) {
  auto line = event::line(from, id, std::move(msg.text));
  line.action = msg.action;
  line.history = true;
  line.time = msg.time;
  if (!holding_ || held_live_from_.count(from) > 0)
    return show(std::move(line));
  auto size = line.text.size();
  held_history_.push_back(std::move(line));
  hold_bytes(size);
}

// A peer that floods history costs what any flood costs, no more.
void delivery::hold_bytes(size_t n) {
  held_bytes_ += n;
  if (held_bytes_ > history_bytes_ * 2)
    release();
}

// Once the join is done and every member's history arrived.
void delivery::maybe_release() {
  if (holding_ && joined_ && replays_due_.empty())
    release();
}

// The history in the order it was said, then what arrived live.
void delivery::release() {
  if (!holding_)
    return;
  holding_ = false;
  replays_due_.clear();
  std::stable_sort(held_history_.begin(), held_history_.end(),
                   [](auto& x, auto& y) { return x.time < y.time; });
  for (auto& line : held_history_)
    callee_.report(std::move(line));
  for (auto& line : held_live_)
    callee_.report(std::move(line));
  held_history_.clear();
  held_live_.clear();
  held_live_from_.clear();
  held_bytes_ = 0;
}

void delivery::replay_arrived(uint64_t conn) {
  auto i = replays_due_.find(conn);
  if (i == replays_due_.end())
    return;
  if (--i->second.first > 0)
    return;
  auto id = i->second.second;
  replays_due_.erase(i);
  check_missed(id);
  maybe_release();
}

// The history from `id` is all here: lines it said that we have not seen
// by now are ones it no longer keeps. Said once, never silently.
void delivery::check_missed(const peer_id& id) {
  auto& s = senders_[id];
  auto from = std::max(s.last, s.base);
  if (s.said <= from)
    return;
  report_missed(id, s.said - from);
  s.last = s.said;
}

void delivery::report_missed(const peer_id& id, uint64_t missed) {
  callee_.report(event::missed(names_[id], id, missed));
}

// -- our own lines ------------------------------------------------------------

void delivery::said(uint64_t seq, uint64_t time, std::string text,
                    bool action) {
  next_seq_ = seq + 1;
  own_.add({seq, time, std::move(text), action});
}

uint64_t delivery::seen_of(const peer_id& id) const {
  auto i = senders_.find(id);
  return i != senders_.end() ? i->second.last : 0;
}

uint64_t delivery::run_of(const peer_id& id) const {
  auto i = senders_.find(id);
  return i != senders_.end() ? i->second.since : 0;
}

uint64_t delivery::replay_size(uint64_t seen) const {
  return own_.between(seen, sent_seq_).size();
}

} // namespace groupchat::protocol
