// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.wire.ids

#include "protocol/wire/ids.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

CAF_TEST(the forms are lowercase hex of a fixed length) {
  CAF_CHECK(is_peer_id(std::string(peer_id_size, 'a')));
  CAF_CHECK(is_peer_id("0123456789abcdef0123456789abcdef"
                       "0123456789abcdef0123456789abcdef"));
  CAF_CHECK(is_nonce(std::string(nonce_size, '9')));
  CAF_CHECK(is_proof(std::string(proof_size, 'f')));
}

CAF_TEST(anything else is refused) {
  CAF_CHECK(!is_peer_id(""));
  CAF_CHECK(!is_peer_id(std::string(peer_id_size - 1, 'a')));
  CAF_CHECK(!is_peer_id(std::string(peer_id_size + 1, 'a')));
  CAF_CHECK(!is_peer_id(std::string(peer_id_size, 'A')));
  CAF_CHECK(!is_peer_id(std::string(peer_id_size, 'g')));
  CAF_CHECK(!is_nonce(std::string(nonce_size, ' ')));
  CAF_CHECK(!is_proof(std::string(peer_id_size, 'a')));
  CAF_CHECK(!is_lower_hex(std::string("ab\0c", 4), 4));
  CAF_CHECK(is_lower_hex("", 0));
}
