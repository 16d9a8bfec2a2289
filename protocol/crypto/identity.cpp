// SPDX-License-Identifier: MIT
#include "protocol/crypto/identity.hpp"

#include <initializer_list>
#include <vector>

#include <sodium.h>

namespace groupchat::protocol {

namespace {

static_assert(crypto_sign_PUBLICKEYBYTES * 2 == peer_id_size);
static_assert(crypto_sign_BYTES * 2 == proof_size);

std::string to_hex(const uint8_t* data, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

// Decodes exactly `size` bytes of lowercase hex; false for anything else.
bool from_hex(std::string_view hex, uint8_t* out, size_t size) noexcept {
  if (!is_lower_hex(hex, size * 2))
    return false;
  size_t written = 0;
  return sodium_hex2bin(out, size, hex.data(), hex.size(), nullptr, &written,
                        nullptr)
           == 0
         && written == size;
}

/// A key file's first line: says what the file is, and its version.
constexpr std::string_view key_file_header
  = "groupchat identity key v1: keep this file secret\n";

void append_field(std::string& out, std::string_view field) {
  // One length byte suffices: no field is longer than 255 bytes.
  out.push_back(static_cast<char>(field.size()));
  out.append(field);
}

// Numbers as 8 bytes, big-endian: fixed widths, so no two transcripts
// share their bytes.
void append_numbers(std::string& out, std::initializer_list<uint64_t> ns) {
  for (auto n : ns)
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((n >> shift) & 0xff));
}

} // namespace

std::string make_nonce() {
  uint8_t buf[nonce_size / 2];
  randombytes_buf(buf, sizeof(buf));
  return to_hex(buf, sizeof(buf));
}

std::string proof_transcript(proof_role role, std::string_view challenge,
                             std::string_view greeting_nonce,
                             std::string_view signer, std::string_view peer,
                             std::string_view binding,
                             std::string_view claims) {
  // The hex strings are signed as they are: both ends see the same text.
  std::string out = "groupchat v3 identity proof";
  out.push_back(static_cast<char>(role));
  for (auto field : {challenge, greeting_nonce, signer, peer, binding, claims})
    append_field(out, field.substr(0, 255));
  return out;
}

std::string proof_claims(std::string_view name, uint16_t port, uint64_t seq) {
  std::string out;
  append_field(out, name.substr(0, 64));
  auto number = std::to_string(port) + " " + std::to_string(seq);
  append_field(out, number);
  return out;
}

std::string line_transcript(std::string_view author, uint64_t since,
                            uint64_t seq, bool action, uint64_t time,
                            std::string_view text) {
  std::string out = "groupchat v3 line";
  append_field(out, author.substr(0, 255));
  append_numbers(out, {since, seq, uint64_t{action}, time, text.size()});
  out.append(text);
  return out;
}

std::string seal_transcript(std::string_view author, uint64_t since,
                            uint64_t first, uint64_t last,
                            std::string_view lines) {
  std::string out = "groupchat v3 seal";
  append_field(out, author.substr(0, 255));
  append_numbers(out, {since, first, last});
  out.append(lines);
  return out;
}

bool verify_proof(std::string_view signer, std::string_view transcript,
                  std::string_view proof) noexcept {
  uint8_t key[crypto_sign_PUBLICKEYBYTES];
  uint8_t sig[crypto_sign_BYTES];
  if (!from_hex(signer, key, sizeof(key)) || !from_hex(proof, sig, sizeof(sig)))
    return false;
  // libsodium refuses small-order and non-canonical keys and signatures.
  return crypto_sign_verify_detached(
           sig, reinterpret_cast<const uint8_t*>(transcript.data()),
           transcript.size(), key)
         == 0;
}

identity::identity() {
  [[maybe_unused]] auto rc = sodium_init(); // Idempotent, thread-safe.
  uint8_t pk[crypto_sign_PUBLICKEYBYTES];
  // Locking fails without the privilege to lock memory; the key is still
  // wiped, it may only reach swap.
  sodium_mlock(secret_.data(), secret_.size());
  crypto_sign_keypair(pk, secret_.data());
  id_ = to_hex(pk, sizeof(pk));
}

identity::identity(const std::array<uint8_t, 32>& seed) {
  static_assert(crypto_sign_SEEDBYTES == 32);
  [[maybe_unused]] auto rc = sodium_init();
  uint8_t pk[crypto_sign_PUBLICKEYBYTES];
  sodium_mlock(secret_.data(), secret_.size());
  crypto_sign_seed_keypair(pk, secret_.data(), seed.data());
  id_ = to_hex(pk, sizeof(pk));
}

std::shared_ptr<const identity> identity::from_key_file(std::string_view text) {
  if (text.substr(0, key_file_header.size()) != key_file_header)
    return nullptr;
  text.remove_prefix(key_file_header.size());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  std::array<uint8_t, 32> seed{};
  if (!from_hex(text, seed.data(), seed.size()))
    return nullptr;
  auto result = std::make_shared<const identity>(seed);
  sodium_memzero(seed.data(), seed.size());
  return result;
}

std::string identity::key_file_text() const {
  // The secret key holds its seed in its first 32 bytes.
  std::string out{key_file_header};
  out += to_hex(secret_.data(), crypto_sign_SEEDBYTES);
  out += '\n';
  return out;
}

identity::~identity() {
  sodium_munlock(secret_.data(), secret_.size()); // Also wipes it.
}

std::string identity::prove(std::string_view transcript) const {
  uint8_t sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr,
                       reinterpret_cast<const uint8_t*>(transcript.data()),
                       transcript.size(), secret_.data());
  return to_hex(sig, sizeof(sig));
}

namespace {

// The X25519 public key of an Ed25519 peer ID; false for a bad one.
bool box_key(const peer_id& id, uint8_t (&out)[crypto_box_PUBLICKEYBYTES]) {
  uint8_t ed[crypto_sign_PUBLICKEYBYTES];
  return from_hex(id, ed, sizeof(ed))
         && crypto_sign_ed25519_pk_to_curve25519(out, ed) == 0;
}

} // namespace

std::string identity::seal_to(const peer_id& to, std::string_view plain) const {
  uint8_t pk[crypto_box_PUBLICKEYBYTES];
  uint8_t sk[crypto_box_SECRETKEYBYTES];
  if (!box_key(to, pk)
      || crypto_sign_ed25519_sk_to_curve25519(sk, secret_.data()) != 0)
    return {};
  std::vector<uint8_t> out(crypto_box_NONCEBYTES + crypto_box_MACBYTES
                           + plain.size());
  randombytes_buf(out.data(), crypto_box_NONCEBYTES);
  auto rc = crypto_box_easy(out.data() + crypto_box_NONCEBYTES,
                            reinterpret_cast<const uint8_t*>(plain.data()),
                            plain.size(), out.data(), pk, sk);
  sodium_memzero(sk, sizeof(sk));
  return rc == 0 ? to_hex(out.data(), out.size()) : std::string{};
}

std::optional<std::string> identity::open_from(const peer_id& from,
                                               std::string_view sealed) const {
  constexpr size_t overhead = crypto_box_NONCEBYTES + crypto_box_MACBYTES;
  uint8_t pk[crypto_box_PUBLICKEYBYTES];
  if (sealed.size() % 2 != 0 || sealed.size() / 2 < overhead
      || !box_key(from, pk))
    return std::nullopt;
  std::vector<uint8_t> box(sealed.size() / 2);
  if (!from_hex(sealed, box.data(), box.size()))
    return std::nullopt;
  uint8_t sk[crypto_box_SECRETKEYBYTES];
  crypto_sign_ed25519_sk_to_curve25519(sk, secret_.data());
  std::string plain(box.size() - overhead, '\0');
  auto rc = crypto_box_open_easy(reinterpret_cast<uint8_t*>(plain.data()),
                                 box.data() + crypto_box_NONCEBYTES,
                                 box.size() - crypto_box_NONCEBYTES, box.data(),
                                 pk, sk);
  sodium_memzero(sk, sizeof(sk));
  if (rc != 0)
    return std::nullopt;
  return plain;
}

} // namespace groupchat::protocol
