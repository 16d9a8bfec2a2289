// SPDX-License-Identifier: MIT
// Our own recent lines, kept to send again to a member that missed them:
// one that comes back after a blip (a stop, a cut link) or one that joins.
// Each member keeps only what it said itself, so every line a member is
// shown arrives from its sender over a proven connection (nobody relays
// another's words), and what a member that never comes back said is lost
// with it. A plain class: bounded in lines and in bytes.

#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace groupchat::protocol {

class history {
public:
  struct line {
    /// The line's public sequence number: consecutive, from 1.
    uint64_t seq = 0;
    /// When it was said, in microseconds since the Unix epoch.
    uint64_t time = 0;
    std::string text;
    /// A "/me" line.
    bool action = false;
  };

  /// Keeps the last `max_lines` lines (0: none) and at most `max_bytes` of
  /// text: a replay of all of it fits into a peer's output queue at once.
  history(size_t max_lines, size_t max_bytes);

  /// Adds our next line; `seq` is one more than the last one's.
  void add(line x);

  /// The lines after `seen` up to `upto` (both sequence numbers), oldest
  /// first: what a member that has shown our lines up to `seen` missed and
  /// we still hold.
  std::vector<const line*> between(uint64_t seen, uint64_t upto) const;

  size_t size() const noexcept {
    return lines_.size();
  }

  /// Bytes of text held.
  size_t bytes() const noexcept {
    return bytes_;
  }

private:
  size_t max_lines_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::deque<line> lines_;
};

} // namespace groupchat::protocol
