// SPDX-License-Identifier: MIT
#include "protocol/wire/ids.hpp"

namespace groupchat::protocol {

bool is_lower_hex(std::string_view str, size_t size) noexcept {
  if (str.size() != size)
    return false;
  for (auto c : str)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

bool is_peer_id(std::string_view str) noexcept {
  return is_lower_hex(str, peer_id_size);
}

bool is_nonce(std::string_view str) noexcept {
  return is_lower_hex(str, nonce_size);
}

bool is_proof(std::string_view str) noexcept {
  return is_lower_hex(str, proof_size);
}

} // namespace groupchat::protocol
