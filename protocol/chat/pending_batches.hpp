// SPDX-License-Identifier: MIT
// History lines that wait for their batch's seal. A newcomer's entry
// passes on others' lines batch by batch (archive.hpp), and only the last
// line of a batch has the author's seal (line_seals.hpp): the lines before
// it wait here until it comes, bounded as the archive is. A plain
// container: the relay checks the batches it hands out.

#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "protocol/wire/ids.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat::protocol {

class pending_batches {
public:
  /// Holds at most `max_lines` lines of an author, and `max_bytes` in all
  /// (counted as the archive counts them).
  pending_batches(size_t max_lines, size_t max_bytes);

  /// `msg` arrived, a `carried` `history` line of its author `id`. Returns
  /// the batch it completes, if it has the seal: the lines from `first`
  /// to it, in order, as `history` lines (the caller checks the seal);
  /// otherwise none, and the line waits. A line of another run, or not
  /// above the one before it, starts over.
  std::vector<message> add(const message& msg);

  /// Forgets every line that waits (history from another entry starts).
  void clear();

  size_t bytes() const noexcept {
    return bytes_;
  }

private:
  std::vector<message> take(const peer_id& author);

  size_t max_lines_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::map<peer_id, std::vector<message>> waiting_;
};

} // namespace groupchat::protocol
