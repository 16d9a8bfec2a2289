// SPDX-License-Identifier: MIT
#include "protocol/crypto/sealed_link.hpp"

namespace groupchat::protocol {

sealed_link::sealed_link(const group_key* key, bool accepted)
  : accepted_(accepted) {
  if (key != nullptr)
    channel_ = std::make_unique<secure_channel>(
      *key, accepted ? secure_channel::role::responder
                     : secure_channel::role::initiator);
}

sealed_link::~sealed_link() = default;

std::vector<std::string> sealed_link::start() {
  return channel_ ? channel_->start() : std::vector<std::string>{};
}

sealed_link::step sealed_link::fail(std::string why, bool tell_peer) {
  step out;
  out.failed = error{ec::authentication_failed, std::move(why)};
  if (tell_peer && accepted_)
    out.to_write.push_back(encode(
      make_refuse(refusal::passphrase_needed,
                  "authentication failed: this group needs a passphrase")));
  return out;
}

sealed_link::step sealed_link::on_frame(std::string_view body) {
  if (!channel_) {
    if (is_handshake_start(body))
      return fail("the peer has a passphrase, this group has none", false);
    step out;
    out.body = body;
    return out;
  }
  bool was_established = channel_->established();
  auto res = channel_->on_frame(body);
  if (!res)
    return fail(res.error().detail,
                !was_established && !body.empty() && body.front() == '{');
  step out;
  out.to_write = std::move(res->to_send);
  if (accepted_ && !out.to_write.empty())
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
  if (!channel_)
    return body;
  if (!channel_->established()) {
    queued_.emplace_back(body);
    return std::nullopt;
  }
  sealed_ = channel_->seal(body);
  return std::string_view{sealed_};
}

bool sealed_link::established() const noexcept {
  return !channel_ || channel_->established();
}

void sealed_link::bind(message& msg) const {
  using type = message_type;
  if (channel_
      && (msg.type == type::challenge || msg.type == type::greeting
          || msg.type == type::welcome))
    msg.channel = channel_->binding();
}

bool sealed_link::counts_as_guess() const noexcept {
  return answered_ && !established();
}

std::optional<error> sealed_link::closed_by_peer() const {
  if (established())
    return std::nullopt;
  return error{ec::authentication_failed,
               "the peer closed the connection during the handshake (no "
               "passphrase, or another one?)"};
}

std::optional<error> sealed_link::timed_out() const {
  if (established())
    return std::nullopt;
  return error{ec::authentication_failed, "the handshake timed out"};
}

} // namespace groupchat::protocol
