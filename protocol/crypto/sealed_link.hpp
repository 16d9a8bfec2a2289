// SPDX-License-Identifier: MIT
// What one connection does with the bodies of its frames: in a group with a
// passphrase, the handshake and the sealing of secure.hpp; in an open group,
// nothing but telling a peer with a passphrase apart. The Connection actor
// frames bytes and carries out what this class asks; the rules (what waits
// for the handshake, when a failure counts as a guess at the passphrase,
// who is told why in plaintext) live here, testable without a socket.

#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/crypto/secure.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat::protocol {

class sealed_link {
public:
  /// `key` is null in an open group. `accepted`: the peer dialed us.
  sealed_link(const group_key* key, bool accepted);
  ~sealed_link();

  sealed_link(const sealed_link&) = delete;
  sealed_link& operator=(const sealed_link&) = delete;

  /// What a received frame body gave.
  struct step {
    /// Frame bodies to write now, in order: handshake replies, then the
    /// bodies that waited for the handshake, sealed. With `failed`, what
    /// the peer is told before we close: a peer that spoke plaintext JSON
    /// to a group with a passphrase gets a `refuse` saying so.
    std::vector<std::string> to_write;
    /// The plaintext body to decode, if the frame carried one. Valid until
    /// the next call.
    std::optional<std::string_view> body;
    /// The handshake failed: the connection must be dropped, for this
    /// reason (`ec::authentication_failed`).
    std::optional<error> failed;
  };

  /// The first frames of the handshake (the dialing side's step 1).
  std::vector<std::string> start();

  /// Processes one received frame body.
  step on_frame(std::string_view body);

  /// A body to send: what to write now (valid until the next call; in an
  /// open group `body` itself, not copied), or nothing while it waits for
  /// the handshake (it comes in a later `step::to_write`).
  std::optional<std::string_view> outgoing(std::string_view body);

  /// Whether this connection is sealed (the group has a passphrase).
  bool sealed() const noexcept {
    return channel_ != nullptr;
  }

  /// Whether bodies flow: always in an open group, after the handshake in
  /// a sealed one.
  bool established() const noexcept;

  /// Gives the messages whose signatures cover the channel (challenge,
  /// greeting, welcome: see identity.hpp) this connection's binding; in an
  /// open group there is none.
  void bind(message& msg) const;

  /// Bytes sealing adds to each frame body.
  size_t overhead() const noexcept {
    return sealed() ? seal_overhead : 0;
  }

  /// Once we answered a stranger's first handshake frame, it can test one
  /// guess at the passphrase against the answer: however the connection
  /// ends before the handshake completes, that is one guess.
  bool counts_as_guess() const noexcept;

  /// Why the peer closing its end now is a failed handshake, if it is.
  std::optional<error> closed_by_peer() const;

  /// Why the handshake's deadline passing now is a failure, if it is.
  std::optional<error> timed_out() const;

  /// Whether the peer dialed us.
  bool accepted() const noexcept {
    return accepted_;
  }

private:
  step fail(std::string why, bool tell_peer);

  bool accepted_;
  bool answered_ = false;
  std::unique_ptr<secure_channel> channel_;
  std::vector<std::string> queued_;
  std::string plaintext_;
  std::string sealed_;
};

} // namespace groupchat::protocol
