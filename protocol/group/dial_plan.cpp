// SPDX-License-Identifier: MIT
#include "protocol/group/dial_plan.hpp"

#include <spdlog/spdlog.h>

namespace groupchat::protocol {

std::vector<dial_request> dial_plan::learn(const std::vector<member_info>& list,
                                           const std::string& via_host,
                                           const peer_id& self) {
  std::vector<dial_request> result;
  // Members and connections do not change in here, dials do (each one we
  // mark). A dialed connection that has not proven its key yet holds a
  // socket as a member does: it counts (else a member that lists hosts
  // which never welcome would make us hold sockets without end).
  auto members = peers_.members().size() + peers_.unproven_dials();
  for (auto& m : list) {
    if (m.host.empty() || m.id == self || peers_.is_dialing(m.id)
        || peers_.find_id(m.id) != nullptr)
      continue;
    if (members + peers_.dials() >= max_members_) {
      spdlog::warn("not connecting to {}: {} members and connections or "
                   "connects waiting for a welcome already",
                   m.name, max_members_);
      break;
    }
    endpoint addr{normalize_host(m.host), m.port};
    // A loopback or unspecified address is the sender's own host: never
    // ours, unless the sender is on our host.
    if (is_loopback(m.host) || is_unspecified(m.host))
      addr.host = via_host;
    peers_.dialing(m.id);
    result.push_back({std::move(addr), m});
  }
  return result;
}

std::vector<dial_request> dial_plan::retries(time_point now) {
  std::vector<dial_request> result;
  for (auto& m : rejoin_.due(now)) {
    if (peers_.is_dialing(m.id) || peers_.find_id(m.id) != nullptr) {
      rejoin_.failed(m.id, now); // Under way already: wait.
      continue;
    }
    spdlog::debug("trying to reach {} again at {}", m.name,
                  to_string(endpoint{m.host, m.port}));
    peers_.dialing(m.id);
    result.push_back({endpoint{m.host, m.port}, m});
  }
  return result;
}

} // namespace groupchat::protocol
