// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.crypto.identity

#include "protocol/crypto/identity.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

namespace {

struct fixture {
  identity alice;
  identity bob;
  std::string challenge = make_nonce();
  std::string nonce = make_nonce();

  std::string transcript(proof_role role, const identity& signer,
                         const identity& peer, std::string_view binding = {}) {
    return proof_transcript(role, challenge, nonce, signer.id(), peer.id(),
                            binding);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(identity_tests, fixture)

CAF_TEST(an ID is a public key in hex and every process draws its own) {
  CAF_CHECK(is_peer_id(alice.id()));
  CAF_CHECK_NOT_EQUAL(alice.id(), bob.id());
  CAF_CHECK(is_nonce(challenge));
  CAF_CHECK_NOT_EQUAL(challenge, nonce);
  CAF_CHECK(!is_peer_id(std::string(peer_id_size, 'A')));
  CAF_CHECK(!is_peer_id(alice.id().substr(1)));
}

CAF_TEST(a proof verifies for its key and transcript only) {
  auto t = transcript(proof_role::greeting, alice, bob);
  auto proof = alice.prove(t);
  CAF_CHECK(is_proof(proof));
  CAF_CHECK(verify_proof(alice.id(), t, proof));
  CAF_MESSAGE("wrong key: bob's ID with alice's signature");
  CAF_CHECK(!verify_proof(bob.id(), t, proof));
  CAF_MESSAGE("a tampered signature");
  auto bad = proof;
  bad[10] = bad[10] == '0' ? '1' : '0';
  CAF_CHECK(!verify_proof(alice.id(), t, bad));
  CAF_CHECK(!verify_proof(alice.id(), t, "zz"));
  CAF_CHECK(!verify_proof("00", t, proof));
}

CAF_TEST(a replayed proof fails on another connection) {
  auto proof = alice.prove(transcript(proof_role::greeting, alice, bob));
  CAF_MESSAGE("another connection: the acceptor drew another challenge");
  auto other = proof_transcript(proof_role::greeting, make_nonce(), nonce,
                                alice.id(), bob.id(), {});
  CAF_CHECK(!verify_proof(alice.id(), other, proof));
  CAF_MESSAGE("the other role: a greeting's proof is no welcome's");
  CAF_CHECK(!verify_proof(alice.id(),
                          transcript(proof_role::welcome, alice, bob), proof));
  CAF_MESSAGE("meant for another peer: relayed to carol it fails");
  identity carol;
  CAF_CHECK(!verify_proof(
    alice.id(), transcript(proof_role::greeting, alice, carol), proof));
  CAF_MESSAGE("another passphrase session: the channel binding differs");
  auto bound = alice.prove(
    transcript(proof_role::greeting, alice, bob, std::string(32, 'x')));
  CAF_CHECK(!verify_proof(
    alice.id(),
    transcript(proof_role::greeting, alice, bob, std::string(32, 'y')), bound));
}

CAF_TEST(a low order key is refused) {
  // The Ed25519 identity point: libsodium refuses small-order keys, whose
  // "signatures" anybody could make.
  std::string identity_point = "01" + std::string(62, '0');
  auto t = transcript(proof_role::greeting, alice, bob);
  CAF_CHECK(!verify_proof(identity_point, t, std::string(proof_size, '0')));
}

CAF_TEST(a key file gives back the same peer ID and proves like the original) {
  auto text = alice.key_file_text();
  CAF_CHECK_EQUAL(text.rfind("groupchat identity key v1", 0), 0u);
  auto again = identity::from_key_file(text);
  CAF_REQUIRE(again != nullptr);
  CAF_CHECK_EQUAL(again->id(), alice.id());
  auto t = transcript(proof_role::greeting, alice, bob);
  CAF_CHECK(verify_proof(alice.id(), t, again->prove(t)));
  CAF_MESSAGE("a seed is one key pair, whoever derives it");
  // Named: the checks hold references to what they compare.
  std::array<uint8_t, 32> seed{};
  seed[0] = 7;
  identity one{seed};
  identity same{seed};
  CAF_CHECK_EQUAL(one.id(), same.id());
  seed[0] = 8;
  identity other{seed};
  CAF_CHECK_NOT_EQUAL(other.id(), again->id());
}

CAF_TEST(text that is not a key file is refused) {
  auto text = alice.key_file_text();
  auto header = text.substr(0, text.find('\n') + 1);
  auto seed = text.substr(header.size(), 64);
  for (auto bad : {std::string{}, seed, header, header + seed.substr(1),
                   header + seed + "00", header + "X" + seed.substr(1),
                   "groupchat identity key v2\n" + seed}) {
    CAF_MESSAGE("refused: " << bad.size() << " bytes");
    CAF_CHECK(identity::from_key_file(bad) == nullptr);
  }
  CAF_CHECK(identity::from_key_file(header + seed) != nullptr);
}

CAF_TEST_FIXTURE_SCOPE_END()
