// SPDX-License-Identifier: MIT
#include "protocol/wire/endpoint.hpp"

#include <algorithm>
#include <cctype>

#include <arpa/inet.h>

namespace groupchat::protocol {

namespace {

bool starts_with(std::string_view str, std::string_view prefix) {
  return str.substr(0, prefix.size()) == prefix;
}

} // namespace

result<uint16_t> parse_port(std::string_view str) {
  auto fail = [&] {
    return error{ec::invalid_field,
                 "'" + std::string{str} + "' is not a port (0 to 65535)"};
  };
  if (str.empty() || str.size() > 5)
    return fail();
  uint32_t value = 0;
  for (auto c : str) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return fail();
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value > 65535)
    return fail();
  return static_cast<uint16_t>(value);
}

result<endpoint> parse_endpoint(std::string_view str) {
  auto fail = [&](const char* why) {
    return error{ec::invalid_field, "peer '" + std::string{str} + "' " + why};
  };
  std::string_view host;
  std::string_view port;
  if (starts_with(str, "[")) {
    auto close = str.find("]:");
    if (close == std::string_view::npos)
      return fail("must be [IPv6]:PORT");
    host = str.substr(1, close - 1);
    port = str.substr(close + 2);
  } else {
    auto colon = str.rfind(':');
    if (colon == std::string_view::npos)
      return fail("must be HOST:PORT");
    host = str.substr(0, colon);
    port = str.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return fail("is IPv6: write it as [ADDRESS]:PORT");
  }
  if (host.empty())
    return fail("has no host");
  auto num = parse_port(port);
  if (!num || *num == 0)
    return fail("needs a port from 1 to 65535");
  return endpoint{std::string{host}, *num};
}

std::string to_string(const endpoint& x) {
  if (x.host.find(':') != std::string::npos)
    return "[" + x.host + "]:" + std::to_string(x.port);
  return x.host + ":" + std::to_string(x.port);
}

// A numeric address parsed and written back: one spelling per address
// ("0::1" and "::1" are one host; so are "::ffff:127.0.0.1" and
// "127.0.0.1"). Anything else (a host name) is returned as it is.
std::string normalize_host(std::string host) {
  if (host.empty() || host.size() >= INET6_ADDRSTRLEN
      || host.find('\0') != std::string::npos)
    return host;
  in6_addr addr{};
  char out[INET6_ADDRSTRLEN];
  if (::inet_pton(AF_INET, host.c_str(), &addr) == 1)
    return ::inet_ntop(AF_INET, &addr, out, sizeof(out)) ? out : host;
  if (::inet_pton(AF_INET6, host.c_str(), &addr) != 1)
    return host;
  if (IN6_IS_ADDR_V4MAPPED(&addr))
    return ::inet_ntop(AF_INET, addr.s6_addr + 12, out, sizeof(out)) ? out
                                                                     : host;
  return ::inet_ntop(AF_INET6, &addr, out, sizeof(out)) ? out : host;
}

bool is_loopback(std::string_view host) {
  auto canon = normalize_host(std::string{host});
  return starts_with(canon, "127.") || canon == "::1" || canon == "localhost";
}

bool is_unspecified(std::string_view host) {
  auto canon = normalize_host(std::string{host});
  return canon == "::" || starts_with(canon, "0.");
}

std::string prefix_of(const std::string& host, int bits) {
  in6_addr addr{};
  if (host.find(':') == std::string::npos
      || ::inet_pton(AF_INET6, host.c_str(), &addr) != 1 || bits < 0
      || bits > 128)
    return host;
  for (int bit = bits; bit < 128; ++bit)
    addr.s6_addr[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  char buf[INET6_ADDRSTRLEN];
  ::inet_ntop(AF_INET6, &addr, buf, sizeof(buf));
  return std::string{buf} + "/" + std::to_string(bits);
}

bool is_ip_literal(std::string_view host) {
  if (host.empty() || host.size() >= INET6_ADDRSTRLEN
      || host.find('\0') != std::string_view::npos)
    return false;
  std::string str{host};
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, str.c_str(), buf) == 1
         || ::inet_pton(AF_INET6, str.c_str(), buf) == 1;
}

} // namespace groupchat::protocol
