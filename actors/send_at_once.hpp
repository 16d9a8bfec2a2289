// SPDX-License-Identifier: MIT
// A message between brokers that is handled at once, on the I/O thread,
// instead of in a later turn of its event loop.
//
// Why: every broker here (Console, Membership, each Connection) runs on
// CAF's one I/O thread. A message from one to another waits in the
// receiver's mailbox until the sender's turn ends, the thread has polled
// the sockets once more (`epoll_wait` without a timeout) and resumed the
// receiver. A line crosses two or three brokers in each process; handled
// at once, it makes the system calls of a plain poll loop, and on a quiet
// machine its latency fell from about 1.74x the floor's to 1.51x
// (bench/README.md, "2026-12-04, evening"; its CPU did not change beyond
// the noise). Running the receiver's handler now is what the next turns
// would do, minus the rounds: the same handler gets the same typed
// message, with the same sender.
//
// It is done only where no one could tell it from a send; anywhere else
// the message goes through the mailbox as usual:
// - Order: only while nothing waits in the receiver's mailbox, so no
//   message sent to it before (by anyone) is overtaken.
// - Bursts: only while nothing waits in the sender's mailbox either (or,
//   for a sender that is no actor, it says the message is `lone`). A burst
//   of lines then travels through mailboxes as before, where it gathers:
//   a connection writes what gathered in one send (connection_output.cpp).
// - No handler runs inside itself: not for a receiver that is running
//   already, further up this thread's stack, and no deeper than 4.
// - Only between brokers of CAF's default multiplexer, on its thread (the
//   deterministic tests' multiplexer keeps every message in a mailbox, for
//   the test to see).
// - A sender that sends several messages to one receiver in one handler
//   (a loop) says so by sending them with `caf::anon_send` or `self->send`
//   instead: the first would run at once and the rest would not gather
//   behind it (Membership's `broadcast` during a burst of the outbox).
// Not for receivers that skip messages or await responses: CAF keeps
// skipped ones in a cache that `nothing_waits` does not see.

#pragma once

#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/execution_unit.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/response_type.hpp>
#include <caf/scheduled_actor.hpp>

namespace groupchat {

/// Whether no message waits in `a`'s mailbox (it is idle, or handling its
/// last one).
bool nothing_waits(caf::scheduled_actor* a);

namespace detail {

/// Sends `msg` from `from` (null: no actor) on `here` to `dest`: handled
/// at once if `may_run` and the rules above allow, else through `dest`'s
/// mailbox. Dropped if `dest` is null, as a send to no actor is.
void deliver_at_once(caf::execution_unit* here, caf::abstract_actor* from,
                     bool may_run, caf::abstract_actor* dest,
                     caf::mailbox_element_ptr msg);

template <class Handle, class... Ts>
constexpr void check_accepts() {
  using token = caf::detail::type_list<caf::detail::strip_and_convert_t<Ts>...>;
  static_assert(
    caf::response_type_unbox<caf::signatures_of_t<Handle>, token>::valid,
    "receiver does not accept given message");
}

} // namespace detail

/// Sends `xs` from broker `self` to broker `dest` as `self->send` does
/// (the same sender, the same type check), handled at once where the rules
/// above allow.
template <class Self, class Handle, class... Ts>
void send_at_once(Self* self, const Handle& dest, Ts&&... xs) {
  detail::check_accepts<Handle, Ts...>();
  detail::deliver_at_once(self->context(), self, nothing_waits(self),
                          caf::actor_cast<caf::abstract_actor*>(dest),
                          caf::make_mailbox_element(self->ctrl(),
                                                    caf::make_message_id(), {},
                                                    std::forward<Ts>(xs)...));
}

/// The same from code on the I/O thread that is no actor (`here`: CAF's
/// multiplexer), as `caf::anon_send` does; `lone`: no other message
/// follows in this turn.
template <class Handle, class... Ts>
void send_at_once_from_io(caf::execution_unit* here, bool lone,
                          const Handle& dest, Ts&&... xs) {
  detail::check_accepts<Handle, Ts...>();
  detail::deliver_at_once(
    here, nullptr, lone, caf::actor_cast<caf::abstract_actor*>(dest),
    caf::make_mailbox_element(nullptr, caf::make_message_id(), {},
                              std::forward<Ts>(xs)...));
}

} // namespace groupchat
