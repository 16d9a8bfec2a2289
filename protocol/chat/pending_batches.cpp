// SPDX-License-Identifier: MIT
#include "protocol/chat/pending_batches.hpp"

#include <utility>

#include "protocol/chat/archive.hpp"

namespace groupchat::protocol {

pending_batches::pending_batches(size_t max_lines, size_t max_bytes)
  : max_lines_(max_lines), max_bytes_(max_bytes) {
  // nop
}

std::vector<message> pending_batches::add(const message& msg) {
  auto line = make_history(msg.text, msg.seq, msg.action, msg.time);
  line.since = msg.since;
  // A batch is of one run, its numbers rising: anything else starts over.
  if (auto i = waiting_.find(msg.id);
      i != waiting_.end()
      && (i->second.lines.back().since != msg.since
          || i->second.lines.back().seq >= msg.seq))
    take(msg.id);
  if (msg.proof.empty()) {
    auto& a = waiting_[msg.id];
    // An honest entry or carrier sends no larger batch.
    if (a.lines.size() >= max_lines_
        || a.bytes + archive::cost(line) > max_bytes_) {
      take(msg.id);
      return {};
    }
    a.bytes += archive::cost(line);
    bytes_ += archive::cost(line);
    a.lines.push_back(std::move(line));
    return {};
  }
  auto first = msg.first != 0 ? msg.first : msg.seq;
  std::vector<message> batch;
  for (auto& w : take(msg.id))
    if (w.seq >= first)
      batch.push_back(std::move(w));
  batch.push_back(std::move(line));
  return batch;
}

void pending_batches::clear() {
  waiting_.clear();
  bytes_ = 0;
}

void pending_batches::forget(const peer_id& author) {
  take(author);
}

// The lines of `author` that wait, waiting no more.
std::vector<message> pending_batches::take(const peer_id& author) {
  auto i = waiting_.find(author);
  if (i == waiting_.end())
    return {};
  bytes_ -= i->second.bytes;
  auto result = std::move(i->second.lines);
  waiting_.erase(i);
  return result;
}

} // namespace groupchat::protocol
