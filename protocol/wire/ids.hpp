// SPDX-License-Identifier: MIT
// The forms of the values a handshake exchanges, as they travel: peer IDs,
// nonces and proofs are lowercase hex of fixed length. The wire checks the
// form; what the values mean (keys, signatures) is the crypto's business
// (protocol/crypto/identity.hpp), which builds on this file, never the
// other way round.

#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace groupchat::protocol {

/// A peer ID on the wire and in every table: the Ed25519 public key, 64
/// lowercase hex digits. Empty means "not known yet".
using peer_id = std::string;

/// Characters of a peer ID, a nonce and a proof on the wire.
constexpr size_t peer_id_size = 64;
constexpr size_t nonce_size = 64;
constexpr size_t proof_size = 128;

/// Whether `str` is exactly `size` lowercase hex digits.
bool is_lower_hex(std::string_view str, size_t size) noexcept;

/// Whether `str` has the form of a peer ID (64 lowercase hex digits). Whether
/// it is a usable key is only known when a proof is checked against it.
bool is_peer_id(std::string_view str) noexcept;

/// Whether `str` has the form of a nonce (64 lowercase hex digits).
bool is_nonce(std::string_view str) noexcept;

/// Whether `str` has the form of a proof (128 lowercase hex digits).
bool is_proof(std::string_view str) noexcept;

} // namespace groupchat::protocol
