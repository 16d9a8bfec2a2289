// SPDX-License-Identifier: MIT
// The base of every broker here: caf::io::broker, with its mailbox closed
// and emptied when it terminates, as CAF does for every other actor.
//
// Why: CAF 0.17.6's broker cleanup skips the step of scheduled_actor's that
// closes the mailbox and drops what is in it. A message that reaches a
// broker after it terminated (a timer of its own firing late, a line sent
// by a peer's actor before it learnt of the end) then stays in the mailbox
// for good, and holds a strong reference to its sender: a broker that sent
// itself a timer, or two brokers that sent each other one message, keep
// each other alive, and LeakSanitizer reports them at exit.

#pragma once

#include <caf/detail/sync_request_bouncer.hpp>
#include <caf/io/broker.hpp>
#include <caf/io/typed_broker.hpp>

namespace groupchat {

/// `Base` is `caf::io::broker` or a `caf::io::typed_broker<...>`.
template <class Base>
class tidy : public Base {
public:
  using Base::Base;

  bool cleanup(caf::error&& reason, caf::execution_unit* host) override {
    if (!this->mailbox().closed()) {
      // What scheduled_actor::cleanup does: later messages are refused
      // (and released) by the closed mailbox, waiting ones are bounced.
      this->mailbox().close();
      this->get_normal_queue().flush_cache();
      this->get_urgent_queue().flush_cache();
      caf::detail::sync_request_bouncer bounce{reason};
      while (this->mailbox().queue().new_round(1000, bounce).consumed_items > 0)
        ; // Until empty.
    }
    return Base::cleanup(std::move(reason), host);
  }
};

/// An untyped broker that tidies up.
using tidy_broker = tidy<caf::io::broker>;

} // namespace groupchat
