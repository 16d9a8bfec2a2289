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
  /// Holds at most `max_lines` lines and `max_bytes` (counted as the
  /// archive counts them) of each author: no author's lines crowd out
  /// another's, and an honest batch (line_seals.hpp: at most 32 lines of
  /// 16 KiB) always fits. The relay bounds the authors (256).
  explicit pending_batches(size_t max_lines = 64, size_t max_bytes = 65536);

  /// `msg` arrived, a `carried` `history` line of its author `id`. Returns
  /// the batch it completes, if it has the seal: the lines from `first`
  /// to it, in order, as `history` lines (the caller checks the seal);
  /// otherwise none, and the line waits. A line of another run, or not
  /// above the one before it, starts over.
  std::vector<message> add(const message& msg);

  /// Forgets every line that waits (history from another entry starts).
  void clear();

  /// Forgets the lines of `author` that wait (its carrier changed).
  void forget(const peer_id& author);

  /// Bytes waiting, of all authors.
  size_t bytes() const noexcept {
    return bytes_;
  }

private:
  struct author {
    std::vector<message> lines;
    size_t bytes = 0;
  };

  std::vector<message> take(const peer_id& author);

  size_t max_lines_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::map<peer_id, author> waiting_;
};

} // namespace groupchat::protocol
