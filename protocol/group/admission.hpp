// SPDX-License-Identifier: MIT
// Who may come in: strangers (accepted connections that have not greeted)
// have a pool of their own, bounded in all and per host, and a host that
// fails passphrase handshakes too often (online guesses) is refused for a
// while (guess_limiter.hpp). A plain class the join machine asks before it
// takes a connection, and tells how one ended.

#pragma once

#include <optional>
#include <string>

#include "protocol/group/guess_limiter.hpp"
#include "protocol/group/peer_table.hpp"
#include "protocol/wire/error.hpp"

namespace groupchat::protocol {

struct join_options;

/// What a joiner whose address is out of guesses is told, in whole seconds
/// (at least 1): "too many failed attempts from your address, try again in
/// N s".
std::string throttled_reason(timespan wait);

class admission {
public:
  admission(const join_options& opts, peer_table& peers);

  /// Whether a socket from `host` may come in now. In a group with a
  /// passphrase, its handshake will be one guess: it is charged now, and
  /// only if its host has guesses left (guess_limiter.hpp).
  bool allows(const std::string& host, time_point now);

  /// How long until `host` may try again (zero: now).
  timespan wait_for(const std::string& host, time_point now) {
    return guesses_.wait_for(host, now);
  }

  /// Whether strangers are charged a guess when they come in.
  bool guarded() const noexcept {
    return guarded_;
  }

  /// The stranger to close so that one more from `host` fits: when the
  /// pool is full, the oldest makes room (as sshd's MaxStartups and nginx
  /// do), so idle sockets cannot lock newcomers out, and one host cannot
  /// take the whole pool. Null if there is room.
  peer* make_room(const std::string& host);

  /// A stranger proved itself: its host knows the passphrase.
  void on_proven(peer& p, time_point now);

  /// Connection `p` ended with `why`: a stranger's handshake that failed,
  /// or ended after our answer, was a guess at the passphrase; any other
  /// end gives its charge back.
  void on_closed(const peer& p, const std::optional<error>& why,
                 time_point now);

private:
  size_t max_strangers_;
  size_t max_strangers_per_host_;
  size_t max_failed_;
  bool guarded_;
  peer_table& peers_;
  guess_limiter guesses_;
};

} // namespace groupchat::protocol
