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
  auto& waiting = waiting_[msg.id];
  // A batch is of one run, its numbers rising: anything else starts over.
  if (!waiting.empty()
      && (waiting.back().since != msg.since || waiting.back().seq >= msg.seq))
    take(msg.id);
  if (msg.proof.empty()) {
    // An honest entry sends no batch larger than it keeps.
    if (waiting.size() >= max_lines_)
      take(msg.id);
    if (bytes_ + archive::cost(line) <= max_bytes_) {
      bytes_ += archive::cost(line);
      waiting.push_back(std::move(line));
    }
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

std::vector<message> pending_batches::take(const peer_id& author) {
  std::vector<message> result;
  if (auto i = waiting_.find(author); i != waiting_.end()) {
    for (auto& line : i->second)
      bytes_ -= archive::cost(line);
    result.swap(i->second); // The entry stays: `add` holds a reference.
  }
  return result;
}

} // namespace groupchat::protocol
