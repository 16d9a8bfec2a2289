// SPDX-License-Identifier: MIT
#include "protocol/chat/earlier_lines.hpp"

#include <algorithm>

namespace groupchat::protocol {

void earlier_lines::add(std::string line) {
  burst_.push_back(std::move(line));
}

std::vector<std::string> earlier_lines::flush() {
  std::vector<std::string> out;
  auto hidden
    = screen_ == 0 || burst_.size() <= screen_ ? 0 : burst_.size() - screen_;
  if (hidden > 0)
    out.push_back("-- " + std::to_string(hidden) + " earlier line"
                  + (hidden == 1 ? "" : "s") + ": /history shows them --");
  out.insert(out.end(), burst_.begin() + static_cast<ptrdiff_t>(hidden),
             burst_.end());
  if (hidden > 0)
    out.push_back("-- now --");
  for (auto& line : burst_) {
    kept_.push_back(std::move(line));
    if (kept_.size() > keep_)
      kept_.pop_front();
  }
  burst_.clear();
  return out;
}

std::vector<std::string> earlier_lines::last(size_t n) const {
  auto count = n == 0 ? kept_.size() : std::min(n, kept_.size());
  return {kept_.end() - static_cast<ptrdiff_t>(count), kept_.end()};
}

} // namespace groupchat::protocol
