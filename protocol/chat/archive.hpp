// SPDX-License-Identifier: MIT
// Other members' recent public lines, with their authors' seals: what a
// member passes on to a newcomer for authors the newcomer cannot hear
// itself (they left, or are gone), so that history survives its author.
// Authors sign their lines in batches (line_seals.hpp): a line is passed
// on only once its batch's seal came, with all the batch's lines, for the
// newcomer to check. Bounded per author and in bytes; the oldest line goes
// first. A plain container: the relay keeps and replays.

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

  /// Keeps `line` (a public `chat` with its `time`; with `proof`, the
  /// author's signature of it alone, or of the batch from `first`) of
  /// `author`, called `name`, in its run `since`. Lines not after the last
  /// one kept are not kept.
  void keep(const peer_id& author, const std::string& name, uint64_t since,
            const message& line);

  /// `author` sealed its lines `first` to `last` of run `since` with
  /// `sig`. Ignored unless every one of them is kept.
  void seal(const peer_id& author, uint64_t since, uint64_t first,
            uint64_t last, const std::string& sig);

  /// Whether `lines` (`carried` `history` lines of `author`'s run
  /// `since`, the last with the seal) are sealed by their author.
  using checker = std::function<bool(const peer_id& author, uint64_t since,
                                     const std::vector<message>& lines)>;

  /// Every sealed batch kept whole of the authors for whom `wanted`
  /// holds, as `carried` `history` lines, per author in order; the last
  /// line of each batch has the seal. Each batch is checked once, when
  /// first replayed (keepers store what authors send unchecked: most is
  /// never replayed); a batch that fails loses its seal, and a batch
  /// that overlaps one before it is left out.
  std::vector<message> replay(const std::function<bool(const peer_id&)>& wanted,
                              const checker& check);

  /// The same for `author`'s run `since`, the batches that end after line
  /// `after` (a member that has shown the lines up to it catches up).
  std::vector<message> replay_after(const peer_id& author, uint64_t since,
                                    uint64_t after, const checker& check);

  static constexpr size_t line_overhead = 256;
  static constexpr size_t max_authors = 256;

  /// What `line` counts against the bound in bytes.
  static size_t cost(const message& line) {
    return line.text.size() + line_overhead;
  }

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
    /// Whether the seal it has was checked.
    bool checked = false;
  };

  struct author {
    std::string name;
    std::deque<kept> lines;
  };

  void replay_author(const peer_id& id, author& a, const checker& check,
                     const std::function<bool(const kept&)>& wanted,
                     std::vector<message>& out);
  static bool one_run(const std::deque<kept>& lines, size_t from, size_t to);
  static message as_history(const peer_id& id, const std::string& name,
                            const kept& k, bool last_of_batch);
  void drop_oldest();
  void drop_front(std::map<peer_id, struct author>::iterator i);

  size_t lines_per_author_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  uint64_t arrivals_ = 0;
  std::map<peer_id, author> authors_;
};

} // namespace groupchat::protocol
