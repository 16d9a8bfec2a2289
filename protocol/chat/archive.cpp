// SPDX-License-Identifier: MIT
#include "protocol/chat/archive.hpp"

#include <algorithm>
#include <utility>

namespace groupchat::protocol {

archive::archive(size_t lines_per_author, size_t max_bytes)
  : lines_per_author_(lines_per_author), max_bytes_(max_bytes) {
  // nop
}

void archive::keep(const peer_id& author, const std::string& name,
                   uint64_t since, const message& line) {
  if (line.whisper || lines_per_author_ == 0 || cost(line) > max_bytes_)
    return;
  if (authors_.count(author) == 0)
    while (authors_.size() >= max_authors)
      drop_oldest();
  auto i = authors_.try_emplace(author).first;
  auto& a = i->second;
  a.name = name;
  // A new run numbers from 1 again: the old run's lines stay before it.
  if (!a.lines.empty() && a.lines.back().since == since
      && a.lines.back().line.seq >= line.seq)
    return;
  a.lines.push_back({since, ++arrivals_, line});
  bytes_ += cost(line);
  if (a.lines.size() > lines_per_author_)
    drop_front(i);
  while (bytes_ > max_bytes_)
    drop_oldest();
}

void archive::drop_front(std::map<peer_id, author>::iterator i) {
  bytes_ -= cost(i->second.lines.front().line);
  i->second.lines.pop_front();
  if (i->second.lines.empty())
    authors_.erase(i);
}

// The line that arrived first, of all authors (a scan: at most
// `max_authors`).
void archive::drop_oldest() {
  auto oldest = authors_.end();
  for (auto i = authors_.begin(); i != authors_.end(); ++i)
    if (oldest == authors_.end()
        || i->second.lines.front().order < oldest->second.lines.front().order)
      oldest = i;
  if (oldest != authors_.end())
    drop_front(oldest);
}

void archive::seal(const peer_id& author, uint64_t since, uint64_t first,
                   uint64_t last, const std::string& sig) {
  auto i = authors_.find(author);
  if (i == authors_.end() || first == 0 || first > last)
    return;
  auto& lines = i->second.lines;
  auto end = std::find_if(lines.begin(), lines.end(), [&](const kept& k) {
    return k.since == since && k.line.seq == last;
  });
  // Whole if its first line is kept as many places before its last as
  // their numbers are apart, all of one run.
  auto to = static_cast<size_t>(end - lines.begin());
  auto span = last - first;
  if (end == lines.end() || span > to || lines[to - span].line.seq != first
      || !one_run(lines, to - span, to))
    return;
  end->line.proof = sig;
  end->line.first = first;
  end->checked = false;
}

// Whether lines `from` to `to` are of one run (the numbers then rise by
// one from line to line: a run's numbers only rise).
bool archive::one_run(const std::deque<kept>& lines, size_t from, size_t to) {
  for (auto k = from; k < to; ++k)
    if (lines[k].since != lines[to].since)
      return false;
  return true;
}

std::vector<message>
archive::replay(const std::function<bool(const peer_id&)>& wanted,
                const checker& check) {
  std::vector<message> result;
  for (auto& [id, a] : authors_)
    if (wanted(id))
      replay_author(
        id, a, check, [](const kept&) { return true; }, result);
  return result;
}

std::vector<message> archive::replay_after(const peer_id& author,
                                           uint64_t since, uint64_t after,
                                           const checker& check) {
  std::vector<message> result;
  if (auto i = authors_.find(author); i != authors_.end())
    replay_author(
      author, i->second, check,
      [&](const kept& last) {
        return last.since == since && last.line.seq > after;
      },
      result);
  return result;
}

// The sealed batches kept whole of one author whose last line `wanted`,
// checked, appended to `out`.
void archive::replay_author(const peer_id& id, author& a, const checker& check,
                            const std::function<bool(const kept&)>& wanted,
                            std::vector<message>& out) {
  // Lines before `next` went out in a batch already.
  size_t next = 0;
  for (size_t j = 0; j < a.lines.size(); ++j) {
    auto& last = a.lines[j];
    if (last.line.proof.empty() || !wanted(last))
      continue;
    auto first = last.line.first != 0 ? last.line.first : last.line.seq;
    auto span = last.line.seq - first;
    if (span > j || j - span < next || a.lines[j - span].line.seq != first
        || !one_run(a.lines, j - span, j))
      continue; // Its first lines were dropped: it cannot be checked.
    std::vector<message> batch;
    for (auto k = j - span; k <= j; ++k)
      batch.push_back(as_history(id, a.name, a.lines[k], k == j));
    if (!last.checked && !check(id, last.since, batch)) {
      last.line.proof.clear();
      continue;
    }
    last.checked = true;
    out.insert(out.end(), batch.begin(), batch.end());
    next = j + 1;
  }
}

message archive::as_history(const peer_id& id, const std::string& name,
                            const kept& k, bool last_of_batch) {
  auto msg = k.line;
  msg.type = message_type::carried;
  msg.history = true;
  msg.id = id;
  msg.name = name;
  msg.since = k.since;
  if (!last_of_batch)
    msg.proof.clear();
  if (!last_of_batch || msg.first == msg.seq)
    msg.first = 0; // Inside a batch, or a line signed alone.
  return msg;
}

} // namespace groupchat::protocol
