// SPDX-License-Identifier: MIT
// Failed passphrase handshakes, per source address: each is one online
// guess at the passphrase (CPace allows no offline ones), so a host that
// fails often is refused for a while. A plain class, driven by the join
// machine.

#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "protocol/group/peer_table.hpp"

namespace groupchat::protocol {

class guess_limiter {
public:
  /// `burst` failures pass at once; after that, one per `interval`.
  guess_limiter(size_t burst, timespan interval);

  /// Whether `host` may try a handshake now.
  bool allows(const std::string& host, time_point now);

  /// A handshake from `host` failed. Returns whether that used up its
  /// budget (for one log line, not one per refused connection).
  bool failed(const std::string& host, time_point now);

  /// A handshake from `host` succeeded: it knows the passphrase, and what
  /// it failed (stale connections of a member that was stopped) is
  /// forgiven.
  void forgive(const std::string& host) {
    hosts_.erase(source_of(host));
  }

  /// Hosts tracked (bounded: see `max_hosts`).
  size_t size() const noexcept {
    return hosts_.size();
  }

  /// What one budget is for: the host itself, or for IPv6 its /64.
  static std::string source_of(const std::string& host);

  /// Hosts remembered at most; beyond, those with a full budget are
  /// forgotten first, then the oldest.
  static constexpr size_t max_hosts = 1024;

private:
  struct budget {
    double tries = 0;
    time_point refilled;
    time_point last_failure;
  };

  void refill(budget& b, time_point now) const;
  void forget_some(time_point now);

  size_t burst_;
  timespan interval_;
  std::map<std::string, budget> hosts_;
};

} // namespace groupchat::protocol
