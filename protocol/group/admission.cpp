// SPDX-License-Identifier: MIT
#include "protocol/group/admission.hpp"

#include <spdlog/spdlog.h>

#include "protocol/group/join_machine.hpp"

namespace groupchat::protocol {

admission::admission(const join_options& opts, peer_table& peers)
  : max_strangers_(opts.max_strangers),
    max_strangers_per_host_(opts.max_strangers_per_host),
    max_failed_(opts.max_failed_handshakes), peers_(peers),
    guesses_(opts.max_failed_handshakes, opts.failed_handshake_interval) {
  // nop
}

bool admission::allows(const std::string& host, time_point now) {
  if (guesses_.allows(host, now))
    return true;
  spdlog::debug("refusing {}: too many failed handshakes", host);
  return false;
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

void admission::on_proven(const peer& p) {
  guesses_.forgive(p.address.host);
}

void admission::on_closed(const peer& p, const std::optional<error>& why,
                          time_point now) {
  if (!p.dialed && why && why->code == ec::authentication_failed
      && guesses_.failed(p.address.host, now))
    spdlog::warn("{} failed {} passphrase handshakes: refusing its "
                 "connections for a while",
                 p.address.host, max_failed_);
}

} // namespace groupchat::protocol
