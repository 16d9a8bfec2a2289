// SPDX-License-Identifier: MIT
// Online guesses at the passphrase, per source: each passphrase handshake
// a stranger gets an answer to is one guess (CPace allows no offline ones).
// A guess is charged when the stranger comes in, before anything is
// answered, so a burst of parallel handshakes gets no more answers than
// the budget; it is given back if the stranger proves the passphrase or
// leaves without a handshake. Budgets nest: an IPv4 address or an IPv6
// /64, its /56 and its /48 (one end site may hold any of these), and the
// whole group's. A plain class, driven by admission.

#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "protocol/group/peer_table.hpp"

namespace groupchat::protocol {

class guess_limiter {
public:
  /// A source may make `burst` guesses at once, then one per `interval`; a
  /// /56 twice as many, a /48 four times, the whole member `everyone_scale`
  /// times (a guard against guessers on very many networks; so many of
  /// them lock newcomers out while it lasts, the price of that guard).
  guess_limiter(size_t burst, timespan interval);

  /// Charges one guess to `host` if every budget it draws on has one left;
  /// else charges nothing and returns false.
  bool charge(const std::string& host, time_point now);

  /// Gives back the guess charged to `host`: none was made after all, or
  /// it proved the passphrase. Only that one: what else its source failed
  /// or has under way (a guesser behind the same address) stays charged.
  void refund(const std::string& host, time_point now);

  /// How long until `host` may make a guess again (0: now).
  timespan wait_for(const std::string& host, time_point now);

  /// Budgets tracked, of every size (bounded: see `max_sources`).
  size_t size() const noexcept {
    return budgets_.size();
  }

  /// What the smallest budget is for: the host itself, or for IPv6 its /64.
  static std::string source_of(const std::string& host);

  /// Budgets remembered at most; beyond, those that are full again are
  /// forgotten, and new sources share one budget until there is room. A
  /// source that is out of guesses is never forgotten to make room.
  static constexpr size_t max_sources = 1024;

  /// How many sources' worth of guesses the whole member allows.
  static constexpr double everyone_scale = 64;

private:
  struct budget {
    double tries = 0;
    time_point refilled;
    /// How many guesses of the smallest budget this one is worth.
    double scale = 1;
  };

  /// The budgets `host` draws on, made if new.
  std::vector<budget*> budgets_of(const std::string& host, time_point now);
  budget& find_or_make(const std::string& key, double scale, time_point now);
  void refill(budget& b, time_point now) const;
  void forget_full(time_point now);

  size_t burst_;
  timespan interval_;
  std::map<std::string, budget> budgets_;
};

} // namespace groupchat::protocol
