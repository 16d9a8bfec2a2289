// SPDX-License-Identifier: MIT
#include "protocol/crypto/sealed_link.hpp"

namespace groupchat::protocol {

sealed_link::sealed_link(const group_key* key, bool accepted,
                         own_sessions* sessions)
  : open_(key == nullptr || key->open), accepted_(accepted),
    channel_(std::make_unique<secure_channel>(
      key != nullptr ? *key : open_group_key(),
      accepted ? secure_channel::role::responder
               : secure_channel::role::initiator,
      sessions)) {}

sealed_link::~sealed_link() = default;

std::vector<std::string> sealed_link::start() {
  return channel_->start();
}

sealed_link::step sealed_link::fail(std::string why,
                                    std::optional<message> tell_peer) {
  failed_ = true;
  step out;
  // A wrong key confirmation is a key test whenever it happens.
  auto code = tests_key() || why == wrong_passphrase ? ec::authentication_failed
                                                     : ec::handshake_failed;
  out.failed = error{code, std::move(why)};
  if (tell_peer && accepted_)
    out.to_write.push_back(encode(*tell_peer));
  return out;
}

// A responder's first frame: a peer without our kind of key, or speaking
// protocol 2 (plaintext JSON), is told so in plaintext before we close.
sealed_link::step sealed_link::on_first_frame(std::string_view body) {
  bool plaintext = !is_handshake_start(body);
  if (plaintext && (body.empty() || body.front() != '{'))
    return fail("the peer did not start the handshake");
  // Plaintext, or the open groups' handshake: the peer has no passphrase.
  bool peer_open = plaintext || is_open_start(body);
  if (peer_open && !open_)
    return fail(plaintext ? "the peer spoke without a passphrase"
                          : "the peer has no passphrase",
                make_refuse(refusal::passphrase_needed,
                            "authentication failed: this group needs a "
                            "passphrase"));
  if (plaintext)
    return fail("the peer sent plaintext, not the handshake (an older "
                "groupchat?)",
                make_refuse(refusal::other,
                            "this peer speaks protocol 3, where every "
                            "connection starts with the handshake: upgrade "
                            "groupchat"));
  if (!peer_open && open_)
    return fail("the peer has a passphrase, this group has none",
                make_refuse(refusal::other, "authentication failed: this "
                                            "group has no passphrase"));
  return {};
}

// The responder refused before any key existed, in plaintext: believed as
// far as closing would be (an attacker on the path can close it anyway),
// and the last thing read. Only the codes a responder sends then pass:
// `not_that_peer` would stop the retries of a lost member, which a close
// does not.
sealed_link::step sealed_link::on_refusal(std::string_view body) {
  auto msg = decode(body);
  if (!msg || msg->type != message_type::refuse
      || (msg->code != refusal::passphrase_needed
          && msg->code != refusal::throttled && msg->code != refusal::other))
    return fail("unexpected plaintext during the handshake");
  refused_ = true;
  step out;
  out.body = body;
  return out;
}

sealed_link::step sealed_link::on_frame(std::string_view body) {
  if (failed_)
    return fail("the link failed before");
  if (refused_)
    return fail("the peer sent more after refusing");
  bool was_established = channel_->established();
  if (!was_established) {
    if (accepted_ && !answered_) {
      if (auto first = on_first_frame(body); first.failed)
        return first;
    } else if (!accepted_ && !body.empty() && body.front() == '{') {
      return on_refusal(body);
    }
  }
  auto res = channel_->on_frame(body);
  if (!res)
    return fail(res.error().detail);
  step out;
  out.to_write = std::move(res->to_send);
  if (!out.to_write.empty())
    answered_ = true;
  if (!was_established && channel_->established()) {
    for (auto& queued : queued_)
      out.to_write.push_back(channel_->seal(queued));
    queued_.clear();
  }
  if (res->has_plaintext) {
    plaintext_ = std::move(res->plaintext);
    out.body = std::string_view{plaintext_};
  }
  return out;
}

std::optional<std::string_view> sealed_link::outgoing(std::string_view body) {
  if (!channel_->established()) {
    if (accepted_ && !answered_) {
      if (auto msg = decode(body); msg && msg->type == message_type::refuse)
        return body;
    }
    queued_.emplace_back(body);
    return std::nullopt;
  }
  sealed_ = channel_->seal(body);
  return std::string_view{sealed_};
}

bool sealed_link::established() const noexcept {
  return channel_->established();
}

void sealed_link::bind(message& msg) const {
  using type = message_type;
  if (channel_->established()
      && (msg.type == type::challenge || msg.type == type::greeting
          || msg.type == type::welcome))
    msg.channel = channel_->binding();
}

bool sealed_link::counts_as_guess() const noexcept {
  return accepted_ && tests_key() && !established();
}

bool sealed_link::tests_key() const noexcept {
  return !open_ && answered_;
}

std::optional<error> sealed_link::closed_by_peer() const {
  if (established() || refused_) // A refusal said why.
    return std::nullopt;
  if (!tests_key())
    return error{ec::handshake_failed,
                 "the peer closed the connection before the handshake was "
                 "done"};
  return error{ec::authentication_failed,
               "the peer closed the connection during the handshake (no "
               "passphrase, or another one?)"};
}

std::optional<error> sealed_link::timed_out() const {
  if (established())
    return std::nullopt;
  return error{tests_key() ? ec::authentication_failed : ec::handshake_failed,
               "the handshake timed out"};
}

} // namespace groupchat::protocol
