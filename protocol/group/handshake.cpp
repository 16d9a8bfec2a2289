// SPDX-License-Identifier: MIT
#include "protocol/group/handshake.hpp"

namespace groupchat::protocol {

bool handshake::step(state from, state to) {
  if (state_ != from) {
    state_ = state::failed;
    return false;
  }
  state_ = to;
  return true;
}

message handshake::challenge() {
  if (!step(state::fresh, state::challenged))
    return {};
  challenge_ = make_nonce();
  return make_challenge(challenge_);
}

bool handshake::on_challenge(const message& msg) {
  if (!step(state::fresh, state::challenged))
    return false;
  challenge_ = msg.nonce;
  binding_ = msg.channel;
  return true;
}

// Our greeting signs the member's challenge and a nonce of ours, with both
// keys and what the greeting says of us: it proves our ID to this member
// on this connection only.
bool handshake::sign_greeting(const identity& self, const peer_id& to,
                              message& greeting) {
  if (!step(state::challenged, state::greeted))
    return false;
  greeting_nonce_ = make_nonce();
  greeting.nonce = greeting_nonce_;
  greeting.proof = self.prove(proof_transcript(
    proof_role::greeting, challenge_, greeting_nonce_, self.id(), to, binding_,
    proof_claims(greeting.name, greeting.port, greeting.seq)));
  return true;
}

// The binding a greeting signs is the one of the channel it arrived on
// (the connection sets `channel`), so a greeting relayed from another
// channel fails.
bool handshake::check_greeting(const peer_id& self, const message& greeting) {
  auto transcript = proof_transcript(
    proof_role::greeting, challenge_, greeting.nonce, greeting.id, self,
    greeting.channel, proof_claims(greeting.name, greeting.port, greeting.seq));
  if (state_ != state::challenged
      || !verify_proof(greeting.id, transcript, greeting.proof)) {
    state_ = state::failed;
    return false;
  }
  state_ = state::proven;
  greeting_nonce_ = greeting.nonce;
  binding_ = greeting.channel;
  return true;
}

bool handshake::sign_welcome(const identity& self, const peer_id& to,
                             message& welcome) const {
  if (state_ != state::proven || greeting_nonce_.empty())
    return false;
  welcome.proof = self.prove(proof_transcript(
    proof_role::welcome, challenge_, greeting_nonce_, self.id(), to, binding_,
    proof_claims(welcome.name, 0, welcome.seq)));
  return true;
}

bool handshake::check_welcome(const peer_id& self, const message& welcome) {
  auto transcript = proof_transcript(
    proof_role::welcome, challenge_, greeting_nonce_, welcome.id, self,
    binding_, proof_claims(welcome.name, 0, welcome.seq));
  if (state_ != state::greeted
      || !verify_proof(welcome.id, transcript, welcome.proof)) {
    state_ = state::failed;
    return false;
  }
  state_ = state::proven;
  return true;
}

const char* to_string(handshake::state x) noexcept {
  switch (x) {
    case handshake::state::fresh:
      return "fresh";
    case handshake::state::challenged:
      return "challenged";
    case handshake::state::greeted:
      return "greeted";
    case handshake::state::proven:
      return "proven";
    case handshake::state::failed:
      return "failed";
  }
  return "?";
}

} // namespace groupchat::protocol
