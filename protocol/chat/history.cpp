// SPDX-License-Identifier: MIT
#include "protocol/chat/history.hpp"

#include <algorithm>
#include <utility>

namespace groupchat::protocol {

history::history(size_t max_lines, size_t max_bytes)
  : max_lines_(max_lines), max_bytes_(max_bytes) {
  // nop
}

void history::add(line x) {
  if (max_lines_ == 0)
    return;
  bytes_ += x.text.size();
  lines_.push_back(std::move(x));
  while (lines_.size() > max_lines_
         || (bytes_ > max_bytes_ && lines_.size() > 1)) {
    bytes_ -= lines_.front().text.size();
    lines_.pop_front();
  }
}

std::vector<const history::line*> history::between(uint64_t seen,
                                                   uint64_t upto) const {
  std::vector<const line*> result;
  if (lines_.empty() || seen >= upto)
    return result;
  // Sequence numbers are consecutive: the first wanted line is at a known
  // offset from the oldest one held.
  auto first = lines_.front().seq;
  size_t from = seen + 1 > first ? seen + 1 - first : 0;
  for (auto i = from; i < lines_.size() && lines_[i].seq <= upto; ++i)
    result.push_back(&lines_[i]);
  return result;
}

} // namespace groupchat::protocol
