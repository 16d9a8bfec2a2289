// SPDX-License-Identifier: MIT
// The sealed channel of every connection: a CPace handshake on the group's
// key (derived from the passphrase, or the open groups' public one), then
// authenticated encryption of every frame body. Pure functions and a state
// machine over frame bodies: no actors, no sockets. See protocol/README.md
// ("Sealed connections").

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/wire/error.hpp"

namespace groupchat::protocol {

/// Bytes the encryption adds to each frame body.
constexpr size_t seal_overhead = 17;

/// The key every member derives from the group's passphrase, or the public
/// key of open groups. Locked in memory where the system allows; wiped when
/// it goes.
struct group_key {
  std::array<uint8_t, 32> bytes{};
  /// The public key of a group without a passphrase (`open_group_key`):
  /// its handshakes test no secret, so they count as no guess.
  bool open = false;

  group_key();
  group_key(const group_key& other);
  group_key& operator=(const group_key& other);
  ~group_key();
};

/// Derives the group key from `passphrase` with Argon2id (libsodium's
/// "interactive" limits: about 64 MiB and a fraction of a second, once per
/// start). It is CPace's password-related string.
result<group_key> derive_group_key(std::string_view passphrase);

/// The key of every group without a passphrase: BLAKE2b-256 of the text
/// "groupchat open group v3", public by design. It runs the same handshake
/// as a passphrase does, so every connection is encrypted and has a channel
/// binding that the identity proofs sign; what it cannot give is a secret
/// that keeps strangers out (protocol/README.md, "Sealed connections").
const group_key& open_group_key();

/// The detail of the one handshake failure that proves the peer has
/// another passphrase (its key confirmation failed); closes and timeouts
/// during a handshake prove nothing.
constexpr const char* wrong_passphrase = "wrong passphrase";

/// Whether `body` is the first message of the handshake, of either kind of
/// group: lets a responder tell an older peer's plaintext apart.
bool is_handshake_start(std::string_view body) noexcept;

/// Whether the first message of the handshake `body` comes from a peer
/// without a passphrase (open groups mark their first message, so that
/// either side can say which one lacks the passphrase).
/// @pre `is_handshake_start(body)`
bool is_open_start(std::string_view body) noexcept;

/// The sessions this process started as an initiator and has not finished:
/// a first message that carries one of them is our own, sent back at us (by
/// someone on the path, or by a member that gave our own address for
/// another), and answering it would complete a handshake with ourselves.
/// One per process, shared by its connections; thread-safe.
class own_sessions {
public:
  own_sessions();
  ~own_sessions();

  own_sessions(const own_sessions&) = delete;
  own_sessions& operator=(const own_sessions&) = delete;

  void add(std::string_view sid);
  void remove(std::string_view sid);
  bool contains(std::string_view sid) const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// One connection's handshake and record layer.
///
/// Handshake (frame bodies, binary; I = initiator = the dialing side,
/// R = responder; PRS = the group key; CPace on ristretto255, cpace.hpp):
///   1. I -> R: 0x01 | sid | Y_I           (sid: 16 random bytes; 0x11 in
///                                          an open group)
///   2. R -> I: 0x02 | Y_R | T_R | stream header of R
///   3. I -> R: 0x03 | T_I | stream header of I
/// Y = y * g with a fresh scalar y and g = hash-to-group(PRS, sid): each Y
/// is a uniformly random point whatever the passphrase, so a recording
/// tests no guess. ISK = H(y_I * Y_R = y_R * Y_I, sid, Y_I, Y_R); T are
/// the draft's key confirmation MACs of each side's Y under a key from ISK.
/// An active attacker tests one guess per connection. Session keys and the
/// channel binding come from ISK. After step 3 every frame body is one
/// secretstream (XChaCha20-Poly1305) message per direction: reading,
/// forging, replaying, dropping or reordering a frame makes decryption
/// fail.
class secure_channel {
public:
  enum class role { initiator, responder };

  /// What feeding a frame produced.
  struct output {
    /// Frame bodies to send now (handshake replies).
    std::vector<std::string> to_send;
    /// The decrypted body, if the frame carried application data.
    std::string plaintext;
    bool has_plaintext = false;
  };

  /// `sessions`: where this process keeps the sessions it started (null:
  /// no check for reflections); it must outlive the channel.
  secure_channel(const group_key& key, role r,
                 own_sessions* sessions = nullptr);
  ~secure_channel();

  secure_channel(const secure_channel&) = delete;
  secure_channel& operator=(const secure_channel&) = delete;

  /// The initiator's first handshake frame; nothing for the responder.
  std::vector<std::string> start();

  /// Processes one received frame body. Any failure is final: the
  /// connection must be dropped.
  result<output> on_frame(std::string_view body);

  /// Whether the handshake completed and `seal` may be used.
  bool established() const noexcept;

  /// The channel binding: a hash of the whole handshake, equal at both ends
  /// of one connection and different for every other. Signatures of peer
  /// identities cover it (see identity.hpp).
  /// @pre `established()`
  std::string binding() const;

  /// Encrypts one frame body for sending.
  /// @pre `established()`
  std::string seal(std::string_view plaintext);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace groupchat::protocol
