// SPDX-License-Identifier: MIT
// The output of one connection that the peer's socket has not taken yet,
// and what to do about it. A plain class: the Connection actor tells it
// what it wrote and what the socket took, and carries out the steps it
// returns (tell the owner, schedule a check, end the connection).
//
// - Above the high watermark (half the bound) the owner is told, so that
//   it stops taking input until the backlog drains below the low watermark
//   (a quarter): a sender slows down to its slowest reader instead of
//   piling up memory.
// - Meanwhile a peer that takes less than `min_progress` bytes per `grace`
//   is dropped (a stopped process, a dead link, one that trickles to hold
//   us up); eight times the bound drops at once, which caps the memory a
//   peer can tie up. Below the watermark, a peer that takes nothing at all
//   for `grace` while output is pending is dropped too.
// - Closing (after a leave), what is queued must keep moving (drain
//   timeout); once all is sent, a lingering close waits for the peer to
//   close its end for as long as it keeps talking (linger timeout); the
//   whole close ends within `close_budget` times the longer of the two.

#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "protocol/time.hpp"

namespace groupchat::protocol {

class backlog {
public:
  /// The window in which a congested peer must take `min_progress` bytes.
  static constexpr timespan grace = std::chrono::seconds(2);
  static constexpr size_t min_progress = 4096;
  /// A close ends within this many times the longer of the drain and
  /// linger timeouts (one minute with the defaults).
  static constexpr int close_budget = 12;

  struct limits {
    /// Output not yet taken, in bytes, that counts as piling up (half of
    /// it) and as too much (eight times it).
    size_t max_pending = 0;
    /// Closing: how long what is queued may stand still.
    timespan drain_timeout{0};
    /// Closing with all sent: how long the peer may go on without closing.
    timespan linger_timeout{0};
  };

  /// What the connection does next; several at once are possible.
  struct step {
    /// Tell the owner that output piles up (true) or drained (false).
    std::optional<bool> congested;
    /// Call `check` after this long.
    std::optional<timespan> check_after;
    /// End the connection: `drop` it (a protocol warning, `why`), or
    /// `shut` it as asked (`why`, if not empty, is worth a warning).
    enum class ending : uint8_t { none, drop, shut } end = ending::none;
    std::string why;
  };

  explicit backlog(limits lim) : limits_(lim) {
    // nop
  }

  size_t pending() const noexcept {
    return pending_;
  }

  bool congested() const noexcept {
    return congested_;
  }

  bool closing() const noexcept {
    return closing_;
  }

  /// `n` more bytes wait for the socket.
  step wrote(size_t n, time_point now);

  /// The socket took `n` bytes.
  step took(size_t n, time_point now);

  /// Input arrived: a lingering peer is still talking.
  void heard(time_point now) noexcept {
    last_input_ = now;
  }

  /// We close; with `linger`, we wait for the peer to close its end after
  /// all is sent.
  step close(bool linger, time_point now);

  /// A check asked for by `check_after` fell due.
  step check(time_point now);

private:
  void watch(step& s, time_point now);
  void watch_after(step& s, timespan after);
  step check_closing(time_point now);
  step check_congested(time_point now);
  step check_pending(time_point now);
  step check_window(time_point now, size_t needed);

  limits limits_;
  size_t pending_ = 0;
  bool congested_ = false;
  bool closing_ = false;
  bool lingering_ = false;
  /// Whether a check is scheduled (at most one is).
  bool watching_ = false;
  time_point last_input_;
  time_point last_progress_;
  /// Bytes the socket took since `window_start_`.
  size_t progressed_ = 0;
  time_point window_start_;
  time_point close_deadline_;
};

} // namespace groupchat::protocol
