// SPDX-License-Identifier: MIT
// Peer addresses as users type them ("host:port", "[v6]:port") and as the
// protocol carries them (host string plus port).

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/wire/error.hpp"

namespace groupchat::protocol {

/// A host (name, IPv4 or IPv6 literal without brackets) and a TCP port.
struct endpoint {
  std::string host;
  uint16_t port = 0;

  friend bool operator==(const endpoint& x, const endpoint& y) {
    return x.host == y.host && x.port == y.port;
  }
};

/// Parses "host:port" or "[v6]:port". The port must be 1 to 65535.
result<endpoint> parse_endpoint(std::string_view str);

/// Parses a decimal port number from 0 to 65535.
result<uint16_t> parse_port(std::string_view str);

/// Renders "host:port", with brackets around IPv6 literals.
std::string to_string(const endpoint& x);

/// A numeric address in its one canonical spelling (as inet_ntop writes
/// it; an IPv4-mapped IPv6 address as IPv4), so that one peer has one
/// identity whichever stack accepted it and however a list spelled it. A
/// host name is returned unchanged.
std::string normalize_host(std::string host);

/// Returns whether `host` is a loopback address (127.0.0.0/8, ::1,
/// "localhost", however spelled): meaningful only on the host that
/// recorded it.
bool is_loopback(std::string_view host);

/// Returns whether `host` is an unspecified address (0.0.0.0/8, "::",
/// however spelled), which a connect turns into "this host".
bool is_unspecified(std::string_view host);

/// The network `host` belongs to, for limits per source: an IPv6 address
/// as its `bits`-bit prefix ("2001:db8:1:2::/64"; one end site has a /64,
/// or a /56 or /48, and can use every address in it), anything else as it
/// is (an IPv4 address is one source).
std::string prefix_of(const std::string& host, int bits);

/// Returns whether `host` is a numeric IPv4 or IPv6 address: connecting to
/// it needs no name lookup.
bool is_ip_literal(std::string_view host);

} // namespace groupchat::protocol
