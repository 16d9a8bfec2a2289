// SPDX-License-Identifier: MIT
// The relay's other half (relay.hpp): lines kept and passed on. To a
// newcomer, the lines of authors it cannot hear (history that survives
// its author); to a member reached through us, what it had not shown of
// the member we carry to it (catching up); and, on the receiving end,
// the checks of the seals of both.
#include "protocol/chat/relay.hpp"

#include <spdlog/spdlog.h>

namespace groupchat::protocol {

namespace {

/// Distinct authors whose lines a newcomer takes from its entry.
constexpr size_t max_archived_authors = 256;

/// Pairs of member and author warned about a forged line.
constexpr size_t max_warned = 1024;

bool checked_seal(const peer_id& author, uint64_t since,
                  const std::vector<message>& lines) {
  return sealed_by(author, since, lines, lines.back().proof);
}

} // namespace

// `asker` asked us to carry `target` to it, having shown `target`'s
// lines up to `carry.seen`: it gets the rest we keep.
void relay::pass_on_kept(const peer& asker, const peer& target,
                         const message& carry) {
  auto after = carry.seen_since == target.since ? carry.seen : 0;
  send_batches(asker.conn, kept_.replay_after(target.id, target.since, after,
                                              checked_seal));
  caught_up_.emplace(asker.id, target.id);
}

// Lines of a member reached through `from` that we had not shown, kept by
// `from` and passed on batch by batch: shown once the batch's seal checks,
// as history, in order.
void relay::catch_up(const peer& from, const message& msg,
                     const std::string& name) {
  auto batch = catching_up_.add(msg);
  if (batch.empty())
    return;
  // Shown already, all of it: nothing to check.
  if (chat_.run_of(msg.id) == msg.since && msg.seq <= chat_.seen_of(msg.id))
    return;
  if (!take_batch(from, msg, name, batch))
    return;
  for (auto& line : batch)
    chat_.on_chat(0, msg.id, name, line); // 0: no welcome's replay counts it.
}

// `batch`, ended by `last` (with the seal), of `author` called `name`, as
// it arrived from `from`: kept if the seal checks (the seal names the
// run), a warning if not.
bool relay::take_batch(const peer& from, const message& last,
                       const std::string& name, std::vector<message>& batch) {
  if (!signed_by_author(from, last.id, last.since, name, batch, last.proof))
    return false;
  chat_.on_run(last.id, last.since);
  batch.back().proof = last.proof;
  batch.back().first = batch.front().seq;
  for (auto& line : batch)
    kept_.keep(last.id, name, last.since, line);
  return true;
}

// Whether `author`, called `name`, sealed `lines` of its run `since`
// with `sig`, as they arrived from `from`; a warning if not.
bool relay::signed_by_author(const peer& from, const peer_id& author,
                             uint64_t since, const std::string& name,
                             const std::vector<message>& lines,
                             const std::string& sig) {
  if (sealed_by(author, since, lines, sig))
    return true;
  // Once per member and author: a hostile member cannot flood the screen.
  if (warned_.size() >= max_warned
      || !warned_.emplace(from.id, author).second) {
    spdlog::debug("dropping another line passed on by {} as {}'s without "
                  "its signature",
                  from.name, name);
    return false;
  }
  callee_.report(event::note("forged_line", "warning: a line passed on by "
                                              + from.name + " as " + name
                                              + "'s does not carry " + name
                                              + "'s signature: not shown"));
  return false;
}

// A line of an author we cannot hear ourselves, passed on as history by
// the member we joined through (the caller checks that it is, and that
// we are still taking history). An author we hear sends its own; a name
// taken by a member, or ours, is not the author's to use.
void relay::on_archived(const peer& from, const message& msg,
                        const std::string& own_name) {
  if (msg.id == self_->id() || member(msg.id) != nullptr
      || far_.count(msg.id) > 0 || msg.name.empty() || !validate_name(msg.name)
      || peers_.name_taken(msg.name, msg.id)
      || name_key(msg.name) == name_key(own_name)
      || chat_.older_run(msg.id, msg.since))
    return;
  // History from another entry (we join again): nothing of the last one's
  // waits for a seal.
  if (history_from_ != from.conn) {
    history_from_ = from.conn;
    unsealed_.clear();
  }
  if (archived_.count(msg.id) == 0) {
    if (archived_.size() >= max_archived_authors)
      return;
    archived_.emplace(msg.id, msg.name);
  } else if (archived_[msg.id] != msg.name) {
    return; // One key, one name.
  }
  auto batch = unsealed_.add(msg);
  if (batch.empty() || !take_batch(from, msg, msg.name, batch))
    return; // Not complete yet, or not sealed by its author.
  for (auto& line : batch)
    chat_.on_archived(msg.id, msg.name, line);
}

void relay::send_batches(conn_id to, const std::vector<message>& lines) {
  if (!lines.empty())
    spdlog::debug("passing on {} kept lines of {}", lines.size(),
                  lines.front().name);
  for (auto& line : lines) {
    callee_.send(to, line);
    ++forwarded_;
  }
}

void relay::on_seal(const peer& author, const message& msg) {
  kept_.seal(author.id, author.since, msg.first, msg.seq, msg.proof);
  // Whoever we carry its lines to gets the batch: it holds the lines the
  // author said before it knew it was carried.
  auto i = carrying_.find(author.id);
  if (i == carrying_.end())
    return;
  auto batch = kept_.replay_after(author.id, author.since, msg.first - 1,
                                  checked_seal);
  for (auto& to : i->second)
    if (auto p = member(to); p != nullptr && caught_up(to, author.id))
      send_batches(p->conn, batch);
}

std::vector<message> relay::replay_for(const peer& newcomer) {
  return kept_.replay(
    [&](const peer_id& id) {
      return id != newcomer.id && member(id) == nullptr && far_.count(id) == 0;
    },
    checked_seal);
}

void relay::replay_to(const peer& newcomer) {
  for (auto& msg : replay_for(newcomer))
    callee_.send(newcomer.conn, msg);
}

} // namespace groupchat::protocol
