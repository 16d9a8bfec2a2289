// SPDX-License-Identifier: MIT
// The handshake on one connection: each end proves its key (its peer ID)
// over values fresh from both ends, so a proof recorded elsewhere or
// relayed from another connection fails. An explicit state machine with
// named states; the join machine (join_machine.hpp) decides what a proven
// peer may do, this class only whether it is proven.
//
//   accepting side:  fresh --challenge--> challenged --check_greeting--> proven
//   dialing side:    fresh --on_challenge--> challenged --sign_greeting-->
//                    greeted --check_welcome--> proven
//
// A step in the wrong state is refused, and a proof that does not verify
// leaves the handshake `failed`: the connection is to be dropped.

#pragma once

#include <cstdint>
#include <string>

#include "protocol/crypto/identity.hpp"
#include "protocol/wire/message.hpp"

namespace groupchat::protocol {

class handshake {
public:
  enum class state : uint8_t {
    /// Nothing exchanged yet.
    fresh,
    /// The accepting side's nonce is known to both ends (step 0).
    challenged,
    /// Dialing side: our signed greeting went out (step 3).
    greeted,
    /// The other end proved its key on this connection (step 4).
    proven,
    /// A step out of order, or a proof that does not verify.
    failed,
  };

  state current() const noexcept {
    return state_;
  }

  /// Accepting side, step 0: draws our nonce; returns the `challenge` to
  /// send first.
  message challenge();

  /// Dialing side, step 0 received: the nonce our greeting signs, and the
  /// sealed channel's binding. False out of order.
  bool on_challenge(const message& msg);

  /// Dialing side, step 3: draws our nonce and signs `greeting` (made by
  /// `make_greeting`, its claims filled in) for the peer with key `to`.
  /// False out of order.
  bool sign_greeting(const identity& self, const peer_id& to,
                     message& greeting);

  /// Accepting side, step 3 received: whether `greeting` proves its `id`
  /// to us (`self`) on this connection, its claims included.
  bool check_greeting(const peer_id& self, const message& greeting);

  /// Accepting side, step 4: signs `welcome` for the proven peer `to`.
  /// False unless proven.
  bool sign_welcome(const identity& self, const peer_id& to,
                    message& welcome) const;

  /// Dialing side, step 4 received: whether `welcome` proves its `id` to us
  /// (`self`) on this connection.
  bool check_welcome(const peer_id& self, const message& welcome);

  /// The accepting side's nonce, the dialing side's, and the channel
  /// binding, as far as known (what a proof signs).
  const std::string& challenge_nonce() const noexcept {
    return challenge_;
  }
  const std::string& greeting_nonce() const noexcept {
    return greeting_nonce_;
  }
  const std::string& binding() const noexcept {
    return binding_;
  }

private:
  bool step(state from, state to);

  state state_ = state::fresh;
  std::string challenge_;
  std::string greeting_nonce_;
  std::string binding_;
};

/// Returns the name of `x`, e.g. "greeted".
const char* to_string(handshake::state x) noexcept;

} // namespace groupchat::protocol
