// SPDX-License-Identifier: MIT
#include "protocol/chat/archive.hpp"

#include <utility>

namespace groupchat::protocol {

namespace {

size_t cost(const message& line) {
  return line.text.size() + archive::line_overhead;
}

} // namespace

archive::archive(size_t lines_per_author, size_t max_bytes)
  : lines_per_author_(lines_per_author), max_bytes_(max_bytes) {
  // nop
}

void archive::keep(const peer_id& author, const std::string& name,
                   uint64_t since, const message& line) {
  if (line.proof.empty() || line.whisper || lines_per_author_ == 0
      || cost(line) > max_bytes_)
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

std::vector<message>
archive::replay(const std::function<bool(const peer_id&)>& wanted) const {
  std::vector<message> result;
  for (auto& [id, a] : authors_) {
    if (!wanted(id))
      continue;
    for (auto& k : a.lines) {
      auto msg = k.line;
      msg.type = message_type::carried;
      msg.history = true;
      msg.id = id;
      msg.name = a.name;
      msg.since = k.since;
      result.push_back(std::move(msg));
    }
  }
  return result;
}

} // namespace groupchat::protocol
