// SPDX-License-Identifier: MIT
#include "protocol/crypto/cpace.hpp"

#include <sodium.h>

namespace groupchat::protocol::cpace {

namespace {

constexpr std::string_view dsi = "CPaceRistretto255";
constexpr std::string_view dsi_isk = "CPaceRistretto255_ISK";
/// Bytes SHA-512 takes per block: the padding puts CI and sid after the
/// first block, so the secret part of the input is hashed on its own.
constexpr size_t s_in_bytes = 128;

void append_leb128(std::string& out, size_t n) {
  do {
    auto low = static_cast<uint8_t>(n & 0x7f);
    n >>= 7;
    out.push_back(static_cast<char>(n != 0 ? low | 0x80 : low));
  } while (n != 0);
}

size_t leb128_size(size_t n) {
  size_t size = 1;
  while (n >>= 7)
    ++size;
  return size;
}

const uint8_t* bytes(std::string_view str) {
  return reinterpret_cast<const uint8_t*>(str.data());
}

} // namespace

std::string lv_cat(std::initializer_list<std::string_view> values) {
  // Sized once: growing would leave copies of the passphrase's key in
  // freed memory, where no wipe reaches them.
  size_t size = 0;
  for (auto value : values)
    size += leb128_size(value.size()) + value.size();
  std::string out;
  out.reserve(size);
  for (auto value : values) {
    append_leb128(out, value.size());
    out.append(value);
  }
  return out;
}

std::string generator_string(std::string_view prs, std::string_view ci,
                             std::string_view sid) {
  auto used = 1 + leb128_size(prs.size()) + prs.size() + leb128_size(dsi.size())
              + dsi.size();
  std::string zpad(used < s_in_bytes ? s_in_bytes - used : 0, '\0');
  return lv_cat({dsi, prs, zpad, ci, sid});
}

void generator(std::string_view prs, std::string_view ci, std::string_view sid,
               uint8_t (&g)[point_size]) {
  auto str = generator_string(prs, ci, sid);
  uint8_t hash[crypto_hash_sha512_BYTES];
  crypto_hash_sha512(hash, bytes(str), str.size());
  crypto_core_ristretto255_from_hash(g, hash);
  // Both hold the passphrase's key.
  sodium_memzero(str.data(), str.size());
  sodium_memzero(hash, sizeof(hash));
}

bool scalar_mult_vfy(const uint8_t (&y)[scalar_size],
                     const uint8_t (&x)[point_size],
                     uint8_t (&out)[point_size]) noexcept {
  // libsodium fails for an invalid encoding and for an identity result.
  return crypto_scalarmult_ristretto255(out, y, x) == 0;
}

void isk_ir(std::string_view sid, std::string_view k, std::string_view ya,
            std::string_view ada, std::string_view yb, std::string_view adb,
            uint8_t (&isk)[isk_size]) {
  auto prefix = lv_cat({dsi_isk, sid, k});
  auto transcript = lv_cat({ya, ada}) + lv_cat({yb, adb});
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, bytes(prefix), prefix.size());
  crypto_hash_sha512_update(&st, bytes(transcript), transcript.size());
  crypto_hash_sha512_final(&st, isk);
  sodium_memzero(prefix.data(), prefix.size()); // Holds K.
  sodium_memzero(&st, sizeof(st));
}

} // namespace groupchat::protocol::cpace
