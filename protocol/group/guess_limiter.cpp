// SPDX-License-Identifier: MIT
#include "protocol/group/guess_limiter.hpp"

#include <algorithm>
#include <chrono>

#include <arpa/inet.h>

namespace groupchat::protocol {

std::string guess_limiter::source_of(const std::string& host) {
  // One IPv6 end site gets a /64 and can use every address in it: the
  // prefix is the source, or each of 2^64 addresses would get a budget.
  in6_addr addr{};
  if (host.find(':') == std::string::npos
      || inet_pton(AF_INET6, host.c_str(), &addr) != 1)
    return host;
  std::fill(addr.s6_addr + 8, addr.s6_addr + 16, uint8_t{0});
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &addr, buf, sizeof(buf));
  return std::string{buf} + "/64";
}

guess_limiter::guess_limiter(size_t burst, timespan interval)
  : burst_(burst), interval_(interval) {
  // nop
}

void guess_limiter::refill(budget& b, time_point now) const {
  using secs = std::chrono::duration<double>;
  auto gained = secs{now - b.refilled} / secs{interval_};
  b.tries = std::min(static_cast<double>(burst_), b.tries + gained);
  b.refilled = now;
}

bool guess_limiter::allows(const std::string& host, time_point now) {
  auto i = hosts_.find(source_of(host));
  if (i == hosts_.end())
    return true;
  refill(i->second, now);
  return i->second.tries >= 1;
}

bool guess_limiter::failed(const std::string& host, time_point now) {
  auto [i, added] = hosts_.try_emplace(source_of(host),
                                       budget{double(burst_), now, now});
  auto& b = i->second;
  refill(b, now);
  b.tries = std::max(0.0, b.tries - 1);
  b.last_failure = now;
  bool used_up = b.tries < 1;
  if (hosts_.size() > max_hosts)
    forget_some(now);
  return used_up;
}

void guess_limiter::forget_some(time_point now) {
  // Forget the hosts that have their whole budget again; if none has,
  // the one that failed longest ago.
  for (auto j = hosts_.begin(); j != hosts_.end();) {
    refill(j->second, now);
    j = j->second.tries >= double(burst_) ? hosts_.erase(j) : std::next(j);
  }
  if (hosts_.size() > max_hosts)
    hosts_.erase(
      std::min_element(hosts_.begin(), hosts_.end(), [](auto& x, auto& y) {
        return x.second.last_failure < y.second.last_failure;
      }));
}

} // namespace groupchat::protocol
