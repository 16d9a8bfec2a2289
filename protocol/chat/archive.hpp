// SPDX-License-Identifier: MIT
// Other members' recent public lines, as their authors signed them: what
// a member passes on to a newcomer for authors the newcomer cannot hear
// itself (they left, or are gone), so that history survives its author.
// Bounded per author and in bytes; the oldest line goes first. A plain
// container: delivery keeps what it shows, the relay replays it.

#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>

#include "protocol/wire/ids.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat::protocol {

class archive {
public:
  /// Keeps at most `lines_per_author` lines of each author, `max_bytes`
  /// in all (text, and `line_overhead` a line for its key, signature and
  /// numbers) and `max_authors` authors. The line that arrived first goes
  /// first (not the one its author says it said first: authors choose
  /// their times).
  archive(size_t lines_per_author, size_t max_bytes);

  /// Keeps `line` (a `chat` with its author's `proof` and `time`) of
  /// `author`, called `name`, in its run `since`. Lines without a
  /// signature, and lines not after the last one kept, are not kept.
  void keep(const peer_id& author, const std::string& name, uint64_t since,
            const message& line);

  /// Every line kept of the authors for whom `wanted` holds, as `carried`
  /// `history` lines, per author in order.
  std::vector<message>
  replay(const std::function<bool(const peer_id&)>& wanted) const;

  static constexpr size_t line_overhead = 256;
  static constexpr size_t max_authors = 256;

  /// Bytes kept, as counted against the bound.
  size_t bytes() const noexcept {
    return bytes_;
  }

private:
  struct kept {
    uint64_t since;
    /// When it arrived, in the order of all lines kept.
    uint64_t order;
    message line;
  };

  struct author {
    std::string name;
    std::deque<kept> lines;
  };

  void drop_oldest();
  void drop_front(std::map<peer_id, struct author>::iterator i);

  size_t lines_per_author_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  uint64_t arrivals_ = 0;
  std::map<peer_id, author> authors_;
};

} // namespace groupchat::protocol
