// SPDX-License-Identifier: MIT
#include "protocol/flow/backlog.hpp"

#include <algorithm>

namespace groupchat::protocol {

backlog::step backlog::wrote(size_t n, time_point now) {
  step s;
  pending_ += n;
  auto bound = limits_.max_pending;
  if (pending_ > 8 * bound) {
    s.end = step::ending::drop;
    s.why = std::to_string(pending_)
            + " bytes of output pending: the peer does not read";
    return s;
  }
  if (congested_)
    return s;
  if (pending_ <= bound / 2) {
    // Below the watermark too, what is pending must move: a peer that
    // reads nothing while it talks would tie up half the bound for good.
    if (pending_ > 0 && !watching_)
      watch(s, now);
    return s;
  }
  congested_ = true;
  s.congested = true;
  watch(s, now);
  return s;
}

backlog::step backlog::took(size_t n, time_point now) {
  step s;
  if (n > 0) {
    last_progress_ = now;
    progressed_ += n;
  }
  pending_ -= std::min(pending_, n);
  if (closing_ && pending_ == 0 && !lingering_) {
    s.end = step::ending::shut;
    return s;
  }
  if (congested_ && pending_ <= limits_.max_pending / 4) {
    congested_ = false;
    s.congested = false;
  }
  return s;
}

backlog::step backlog::close(bool linger, time_point now) {
  step s;
  closing_ = true;
  lingering_ = linger;
  if (pending_ == 0 && !linger) {
    s.end = step::ending::shut;
    return s;
  }
  last_input_ = now;
  close_deadline_
    = now
      + close_budget * std::max(limits_.drain_timeout, limits_.linger_timeout);
  watching_ = false; // The close has deadlines of its own.
  watch(s, now);
  return s;
}

backlog::step backlog::check(time_point now) {
  watching_ = false;
  if (closing_)
    return check_closing(now);
  if (congested_)
    return check_congested(now);
  return check_pending(now);
}

// A new window starts now; the next check comes at its end.
void backlog::watch(step& s, time_point now) {
  last_progress_ = now;
  window_start_ = now;
  progressed_ = 0;
  watch_after(s, closing_ ? limits_.drain_timeout : grace);
}

void backlog::watch_after(step& s, timespan after) {
  if (watching_)
    return;
  watching_ = true;
  s.check_after = after;
}

backlog::step backlog::check_closing(time_point now) {
  step s;
  if (now >= close_deadline_) {
    s.end = step::ending::shut;
    if (pending_ > 0)
      s.why = std::to_string(pending_)
              + " bytes not sent within the time a leave may take";
    return s;
  }
  auto [since, limit] = pending_ == 0
                          ? std::pair{last_input_, limits_.linger_timeout}
                          : std::pair{last_progress_, limits_.drain_timeout};
  if (now - since >= limit) {
    s.end = step::ending::shut;
    if (pending_ > 0)
      s.why = std::to_string(pending_)
              + " bytes not sent, the peer takes nothing";
    return s;
  }
  watch_after(s,
              std::min<timespan>(limit - (now - since), close_deadline_ - now));
  return s;
}

// Output below the watermark: the peer must take something of it in each
// window while any is pending; once all is taken, nothing is watched until
// the next write.
backlog::step backlog::check_pending(time_point now) {
  if (pending_ == 0)
    return {};
  return check_window(now, 1);
}

// A check scheduled in an earlier spell of congestion may come early for
// this one: it judges only a whole window.
backlog::step backlog::check_congested(time_point now) {
  return check_window(now, min_progress);
}

// The window of progress that ends at `now`, if it is whole: the peer took
// at least `needed` bytes in it (and a new one starts), or it goes.
backlog::step backlog::check_window(time_point now, size_t needed) {
  step s;
  auto elapsed = now - window_start_;
  if (elapsed < grace) {
    watch_after(s, grace - elapsed);
    return s;
  }
  if (progressed_ < needed) {
    auto secs = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(grace).count());
    s.end = step::ending::drop;
    s.why = progressed_ == 0 && needed == 1
              ? "the peer took none of our output (" + std::to_string(pending_)
                  + " bytes) in " + secs + "s"
              : "the peer took " + std::to_string(progressed_)
                  + " bytes of our output in " + secs + "s";
    return s;
  }
  progressed_ = 0;
  window_start_ = now;
  watch_after(s, grace);
  return s;
}

} // namespace groupchat::protocol
