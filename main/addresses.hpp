// SPDX-License-Identifier: MIT
// The addresses this machine listens on, for the banner.

#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace groupchat {

/// Every local IPv4 address with `port`, non-loopback first, as "IP:PORT";
/// with `only` (a specific --listen address), just that one.
std::vector<std::string> listen_addresses(uint16_t port,
                                          const std::string& only = {});

} // namespace groupchat
