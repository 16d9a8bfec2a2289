// SPDX-License-Identifier: MIT
// The signatures of our own public lines. Others check them only where a
// line travels without its author: passed on by a carrier (relay.hpp), or
// to a newcomer once the author left (archive.hpp). Signing every line
// would cost every line a signature (about 20 us) and every frame 128 hex
// digits, for the few lines ever checked; so a member signs its lines in
// batches: consecutive lines of its run, sealed together (`seal`) when a
// batch is full, at every heartbeat and when it leaves. Only while some
// member hears its lines through a carrier, which checks each line before
// it passes it on, is each line signed alone, as it goes out.
// A plain class: the outbox asks it, Membership says when to seal.

#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/crypto/identity.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat::protocol {

class line_seals {
public:
  /// A batch is full at `max_batch` lines, or once its signed records
  /// (`line_transcript`s) reach `max_bytes` (checked before a line joins,
  /// so the last line may go past it): a keeper that drops an author's
  /// oldest lines can pass on all but the oldest batch. Membership makes
  /// `max_batch` no more than the lines a keeper keeps of an author.
  explicit line_seals(std::shared_ptr<const identity> self,
                      size_t max_batch = 32, size_t max_bytes = 16384);

  /// Signs our public line `line` (with its `time`) of our run `since` by
  /// itself (`proof`), outside any batch.
  void sign_alone(message& line, uint64_t since) const;

  /// Adds our public line `line` of run `since` to the batch. Returns the
  /// seal of the batch before it, to go out first, if the line cannot
  /// join it (another run, a number skipped, or full).
  std::optional<message> add(const message& line, uint64_t since);

  /// Whether the batch is full: seal it.
  bool full() const noexcept {
    return size() >= max_batch_ || lines_.size() >= max_bytes_;
  }

  /// The seal of the batch so far, if it holds a line; the next line
  /// starts a new one.
  std::optional<message> seal();

  /// Lines in the batch.
  size_t size() const noexcept {
    return first_ == 0 ? 0 : last_ - first_ + 1;
  }

private:
  std::shared_ptr<const identity> self_;
  size_t max_batch_;
  size_t max_bytes_;
  uint64_t since_ = 0;
  uint64_t first_ = 0;
  uint64_t last_ = 0;
  /// The batch's lines, as signed (`line_transcript`s).
  std::string lines_;
};

/// The `line_transcript` of `line`, a public line of `author`'s run
/// `since`.
std::string transcript_of(const peer_id& author, uint64_t since,
                          const message& line);

/// Whether `sig` is `author`'s seal of `lines` (consecutive lines of its
/// run `since`, in order, the first and last numbered as the seal says).
bool sealed_by(const peer_id& author, uint64_t since,
               const std::vector<message>& lines, const std::string& sig);

} // namespace groupchat::protocol
