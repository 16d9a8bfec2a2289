// SPDX-License-Identifier: MIT
// What one connection does with the bodies of its frames: the handshake and
// the sealing of secure.hpp, with the group's passphrase or, in an open
// group, with its public key (protocol 3: no connection is plaintext). The
// Connection actor frames bytes and carries out what this class asks; the
// rules (what waits for the handshake, when a failure counts as a guess at
// the passphrase, who is told why in plaintext and what of it a dialer
// believes) live here, testable without a socket.

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
  /// `key` is null in an open group (`open_group_key` seals it). `accepted`:
  /// the peer dialed us. `sessions`: see `secure_channel`.
  sealed_link(const group_key* key, bool accepted,
              own_sessions* sessions = nullptr);
  ~sealed_link();

  sealed_link(const sealed_link&) = delete;
  sealed_link& operator=(const sealed_link&) = delete;

  /// What a received frame body gave.
  struct step {
    /// Frame bodies to write now, in order: handshake replies, then the
    /// bodies that waited for the handshake, sealed. With `failed`, what
    /// the peer is told before we close, in plaintext (no key exists yet):
    /// a `refuse` saying that this group needs a passphrase, or that the
    /// peer speaks an older protocol.
    std::vector<std::string> to_write;
    /// The plaintext body to decode, if the frame carried one. Valid until
    /// the next call. Before the handshake completed, only a responder's
    /// `refuse` passes, and nothing after it: a refusal says no more than
    /// closing the connection would.
    std::optional<std::string_view> body;
    /// The handshake failed: the connection must be dropped, for this
    /// reason: `ec::authentication_failed` where the failure can mean
    /// another passphrase (a key confirmation failed, or a stranger we
    /// answered went away), else `ec::handshake_failed` (see `tests_key`).
    std::optional<error> failed;
  };

  /// The first frames of the handshake (the dialing side's step 1).
  std::vector<std::string> start();

  /// Processes one received frame body.
  step on_frame(std::string_view body);

  /// A body to send: what to write now (valid until the next call), or
  /// nothing while it waits for the handshake (it comes in a later
  /// `step::to_write`). A `refuse` to a stranger whose handshake we have
  /// not answered goes at once, in plaintext: no key exists, and the
  /// refusal (its host is out of guesses) is all it will get.
  std::optional<std::string_view> outgoing(std::string_view body);

  /// Whether bodies flow: after the handshake.
  bool established() const noexcept;

  /// Gives the messages whose signatures cover the channel (challenge,
  /// greeting, welcome: see identity.hpp) this connection's binding.
  void bind(message& msg) const;

  /// Bytes sealing adds to each frame body.
  static constexpr size_t overhead() noexcept {
    return seal_overhead;
  }

  /// Once we answered a stranger's first handshake frame, it can test one
  /// guess at the passphrase against the answer: however the connection
  /// ends before the handshake completes, that is one guess. An open
  /// group's key is public: nothing to guess.
  bool counts_as_guess() const noexcept;

  /// Why the peer closing its end now is a failed handshake, if it is.
  std::optional<error> closed_by_peer() const;

  /// Why the handshake's deadline passing now is a failure, if it is.
  std::optional<error> timed_out() const;

  /// Whether the handshake has gone far enough that its failure may mean
  /// another passphrase: in a group with one, we answered the stranger's
  /// first message, or as the dialer we sent our confirmation (the
  /// responder then checks it). Before that, or with the public key, a
  /// failure proves nothing of the passphrase (nor costs a guess).
  bool tests_key() const noexcept;

  /// Whether the peer dialed us.
  bool accepted() const noexcept {
    return accepted_;
  }

  /// Whether we sent our answer in the handshake (step 2 as the responder,
  /// step 3 as the dialer).
  bool answered() const noexcept {
    return answered_;
  }

private:
  step fail(std::string why, std::optional<message> tell_peer = {});
  step on_first_frame(std::string_view body);
  step on_refusal(std::string_view body);

  bool open_;
  bool accepted_;
  /// Responder: we sent step 2. Dialer: we sent step 3.
  bool answered_ = false;
  /// The responder refused us before the handshake.
  bool refused_ = false;
  /// A failure is final: nothing is read after it.
  bool failed_ = false;
  std::unique_ptr<secure_channel> channel_;
  std::vector<std::string> queued_;
  std::string plaintext_;
  std::string sealed_;
};

} // namespace groupchat::protocol
