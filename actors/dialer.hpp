// SPDX-License-Identifier: MIT
// The Dialer actor: opens outgoing TCP connections without blocking the I/O
// thread. `connect` in CAF 0.17 blocks for up to two minutes against a host
// that drops SYNs, so each attempt runs on a detached worker of its own with
// a non-blocking connect and a deadline; the connected socket is then handed
// to the listener, which wraps it in a connection broker.

#pragma once

#include <cstdint>
#include <string>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "actors/messages.hpp"

namespace groupchat {

/// Spawns the dialer; see messages.hpp for its interface.
/// @param listener adopts connected sockets (`adopt` message).
/// @param connect_timeout deadline for one attempt, name lookup included.
/// @param source the one address we listen on (--listen), if one (not a
///        wildcard): connects go out from it, so that members reach us
///        where they saw us.
dialer_actor spawn_dialer(caf::actor_system& sys, caf::actor listener,
                          caf::timespan connect_timeout,
                          std::string source = {});

/// Makes every connect under way give up within a few milliseconds, so that
/// the process can exit without waiting for a connect timeout. Until the
/// next `spawn_dialer`.
void cancel_dials();

/// Connects to `host:port` within `timeout`, trying every address the name
/// resolves to (from `source`, if given: only addresses of its family).
/// Returns a connected non-blocking socket, or -1 and sets `why` to a
/// reason for humans.
int dial(const std::string& host, uint16_t port, caf::timespan timeout,
         std::string& why, const std::string& source = {});

} // namespace groupchat
