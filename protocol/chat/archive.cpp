// SPDX-License-Identifier: MIT
#include "protocol/chat/archive.hpp"

#include <utility>

namespace groupchat::protocol {

archive::archive(size_t lines_per_author, size_t max_bytes)
  : lines_per_author_(lines_per_author), max_bytes_(max_bytes) {
  // nop
}

void archive::keep(const peer_id& author, const std::string& name,
                   uint64_t since, const message& line) {
  if (line.proof.empty() || line.whisper || lines_per_author_ == 0
      || line.text.size() > max_bytes_)
    return;
  auto& a = authors_[author];
  a.name = name;
  // A new run numbers from 1 again: the old run's lines stay before it.
  if (!a.lines.empty() && a.lines.back().since == since
      && a.lines.back().line.seq >= line.seq)
    return;
  a.lines.push_back({since, line});
  bytes_ += line.text.size();
  if (a.lines.size() > lines_per_author_) {
    bytes_ -= a.lines.front().line.text.size();
    a.lines.pop_front();
  }
  while (bytes_ > max_bytes_)
    drop_oldest();
}

// The line said first, of all authors (a scan: at most a group's worth).
void archive::drop_oldest() {
  auto oldest = authors_.end();
  for (auto i = authors_.begin(); i != authors_.end(); ++i)
    if (!i->second.lines.empty()
        && (oldest == authors_.end()
            || i->second.lines.front().line.time
                 < oldest->second.lines.front().line.time))
      oldest = i;
  if (oldest == authors_.end())
    return;
  bytes_ -= oldest->second.lines.front().line.text.size();
  oldest->second.lines.pop_front();
  if (oldest->second.lines.empty())
    authors_.erase(oldest);
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
