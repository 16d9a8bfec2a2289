// SPDX-License-Identifier: MIT
#include "main/addresses.hpp"

#include "protocol/wire/endpoint.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

namespace groupchat {

std::vector<std::string> listen_addresses(uint16_t port,
                                          const std::string& only) {
  if (!only.empty())
    return {protocol::to_string(protocol::endpoint{only, port})};
  std::vector<std::string> external;
  std::vector<std::string> loopback;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0)
    return {"0.0.0.0:" + std::to_string(port)};
  for (auto i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET)
      continue;
    char buf[INET_ADDRSTRLEN];
    auto in = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if (::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf)) == nullptr)
      continue;
    auto entry = std::string{buf} + ":" + std::to_string(port);
    auto& target = (ntohl(in->sin_addr.s_addr) >> 24) == 127 ? loopback
                                                             : external;
    target.push_back(std::move(entry));
  }
  ::freeifaddrs(list);
  external.insert(external.end(), loopback.begin(), loopback.end());
  return external;
}

} // namespace groupchat
