// SPDX-License-Identifier: MIT
// A peer's identity: an Ed25519 key pair, drawn at start-up or read from the
// name's key file (main/key_files.hpp). Its public key is the peer ID, so an
// ID cannot be borrowed: every connection proves
// possession of the private key over values fresh from both ends (see
// protocol/README.md, "Identity proofs"). Pure functions over libsodium:
// no actors.

#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <optional>
#include <string_view>

#include "protocol/wire/ids.hpp"

namespace groupchat::protocol {

/// 32 fresh random bytes, as 64 hex digits: the value one end of a
/// connection contributes to what the other end signs.
std::string make_nonce();

/// What a proof proves: which end of the handshake signed.
enum class proof_role : uint8_t {
  /// The dialing side, in its `greeting`.
  greeting = 1,
  /// The accepting side, in its `welcome`.
  welcome = 2,
};

/// The bytes a proof signs: the role, both ends' nonces (the accepting
/// side's `challenge` and the dialing side's `greeting`), the signer's key,
/// the key of the peer it means to talk to, the binding of the sealed
/// channel it was made on (secure.hpp), and what the signer says of
/// itself in the same message (`proof_claims`). Every value is
/// length-prefixed.
std::string proof_transcript(proof_role role, std::string_view challenge,
                             std::string_view greeting_nonce,
                             std::string_view signer, std::string_view peer,
                             std::string_view binding,
                             std::string_view claims = {});

/// What a greeting or welcome says beside the proof, as signed bytes: the
/// name, the listening port (0 in a welcome) and the lines said so far, so
/// that nobody on the path can change them.
std::string proof_claims(std::string_view name, uint16_t port, uint64_t seq);

/// The bytes an author signs for a public line that others may carry
/// (see protocol/README.md, "Members reached through others"): its key,
/// its run, the line's number, kind, time and text. Carriers can neither
/// alter nor renumber a line without the author's key.
std::string line_transcript(std::string_view author, uint64_t since,
                            uint64_t seq, bool action, uint64_t time,
                            std::string_view text);

/// The bytes an author signs for its public lines `first` to `last` of its
/// run `since` (a batch: one line when a carrier passes it on at once;
/// see line_seals.hpp): its key, the run, both numbers, then `lines`, the
/// `line_transcript`s of the lines in order. A carrier cannot drop, alter
/// or reorder a line of a batch without breaking its signature.
std::string seal_transcript(std::string_view author, uint64_t since,
                            uint64_t first, uint64_t last,
                            std::string_view lines);

/// Whether `proof` is `signer`'s signature of `transcript`. False for
/// anything malformed, including a key that is not a valid Ed25519 point.
bool verify_proof(std::string_view signer, std::string_view transcript,
                  std::string_view proof) noexcept;

/// This process's key pair. The secret key is locked in memory where the
/// system allows and wiped when the identity goes.
class identity {
public:
  /// Draws a fresh key pair.
  identity();

  /// The key pair of a 32-byte seed: the same seed, the same peer ID.
  explicit identity(const std::array<uint8_t, 32>& seed);

  ~identity();

  /// The identity a key file holds (`key_file_text`), or null for text
  /// that is not a key file: a wrong header, a seed that is not 64 hex
  /// digits.
  static std::shared_ptr<const identity> from_key_file(std::string_view text);

  /// What a key file holds: a header line that says what the file is, then
  /// the seed in hex. Secret: only its owner may read the file.
  std::string key_file_text() const;

  identity(const identity&) = delete;
  identity& operator=(const identity&) = delete;

  /// Our peer ID: the public key in hex.
  const peer_id& id() const noexcept {
    return id_;
  }

  /// Signs `transcript`; 128 hex digits.
  std::string prove(std::string_view transcript) const;

  /// Seals `plain` for peer `to` alone, authenticated as from us (the
  /// X25519 forms of both Ed25519 keys, libsodium's crypto_box): the
  /// nonce and the box in hex. Empty if `to` is not a valid key.
  std::string seal_to(const peer_id& to, std::string_view plain) const;

  /// Opens what peer `from` sealed to us with `seal_to`; nothing if it
  /// was not sealed by `from` for us, or was altered.
  std::optional<std::string> open_from(const peer_id& from,
                                       std::string_view sealed) const;

private:
  std::array<uint8_t, 64> secret_{};
  peer_id id_;
};

} // namespace groupchat::protocol
