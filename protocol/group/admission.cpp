// SPDX-License-Identifier: MIT
#include "protocol/group/admission.hpp"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "protocol/group/join_machine.hpp"

namespace groupchat::protocol {

admission::admission(const join_options& opts, peer_table& peers)
  : max_strangers_(opts.max_strangers),
    max_strangers_per_host_(opts.max_strangers_per_host),
    max_failed_(opts.max_failed_handshakes), guarded_(opts.guarded),
    peers_(peers),
    guesses_(opts.max_failed_handshakes, opts.failed_handshake_interval) {
  // nop
}

bool admission::allows(const std::string& host, time_point now) {
  if (!guarded_ || guesses_.charge(host, now))
    return true;
  spdlog::debug("refusing {}: too many passphrase handshakes under way or "
                "failed (again in {} ms)",
                host,
                std::chrono::duration_cast<std::chrono::milliseconds>(
                  guesses_.wait_for(host, now))
                  .count());
  return false;
}

std::string throttled_reason(timespan wait) {
  using std::chrono::seconds;
  auto whole = std::chrono::ceil<seconds>(wait).count();
  return "too many failed attempts from your address, try again in "
         + std::to_string(std::max<seconds::rep>(whole, 1)) + " s";
}

peer* admission::make_room(const std::string& host) {
  peer* victim = nullptr;
  if (peers_.strangers_from(host) >= max_strangers_per_host_)
    victim = peers_.oldest_stranger(&host);
  else if (peers_.strangers() >= max_strangers_)
    victim = peers_.oldest_stranger();
  if (victim != nullptr)
    spdlog::info("closing the oldest unfinished connection, from {}, to make "
                 "room for a new one",
                 victim->address.host);
  return victim;
}

void admission::on_proven(peer& p, time_point now) {
  if (!p.charged)
    return;
  p.charged = false;
  guesses_.refund(p.address.host, now);
}

// A stranger whose handshake failed made its guess: the charge stands.
// Any other end (no handshake at all, or closed before our answer) made
// none: it is given back.
void admission::on_closed(const peer& p, const std::optional<error>& why,
                          time_point now) {
  if (p.dialed || !p.charged)
    return;
  if (!why || why->code != ec::authentication_failed)
    return guesses_.refund(p.address.host, now);
  spdlog::info("{} failed a passphrase handshake ({})", p.address.host,
               why->detail);
  if (guesses_.wait_for(p.address.host, now) > timespan{0})
    spdlog::warn("{} used up its {} guesses at the passphrase: refusing its "
                 "connections for a while",
                 p.address.host, max_failed_);
}

} // namespace groupchat::protocol
