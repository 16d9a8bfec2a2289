// SPDX-License-Identifier: MIT
#include "protocol/group/guess_limiter.hpp"

#include <algorithm>
#include <chrono>

#include "protocol/wire/endpoint.hpp"

namespace groupchat::protocol {

namespace {

// The key of the one budget every source shares when the table is full.
constexpr const char* overflow = "(others)";
// The key of the whole group's budget.
constexpr const char* everyone = "(everyone)";

} // namespace

std::string guess_limiter::source_of(const std::string& host) {
  return prefix_of(host, 64);
}

guess_limiter::guess_limiter(size_t burst, timespan interval)
  : burst_(burst), interval_(interval) {
  // nop
}

void guess_limiter::refill(budget& b, time_point now) const {
  using secs = std::chrono::duration<double>;
  auto cap = static_cast<double>(burst_) * b.scale;
  auto gained = secs{now - b.refilled} / secs{interval_} * b.scale;
  b.tries = std::min(cap, b.tries + gained);
  b.refilled = now;
}

guess_limiter::budget& guess_limiter::find_or_make(const std::string& key,
                                                   double scale,
                                                   time_point now) {
  if (auto i = budgets_.find(key); i != budgets_.end()) {
    refill(i->second, now);
    return i->second;
  }
  // Full of sources out of guesses: the newcomers share one budget rather
  // than push out what is throttled.
  bool full = budgets_.size() >= max_sources;
  std::string k = full ? overflow : key;
  scale = full ? 1 : scale;
  auto cap = static_cast<double>(burst_) * scale;
  auto [i, added] = budgets_.try_emplace(k, budget{cap, now, scale});
  refill(i->second, now);
  return i->second;
}

std::vector<guess_limiter::budget*>
guess_limiter::budgets_of(const std::string& host, time_point now) {
  // Room first: the pointers below stay valid (nothing is erased after).
  if (budgets_.size() + 4 > max_sources)
    forget_full(now);
  std::vector<budget*> result;
  result.push_back(&find_or_make(everyone, everyone_scale, now));
  if (host.find(':') != std::string::npos) {
    result.push_back(&find_or_make(prefix_of(host, 48), 4, now));
    result.push_back(&find_or_make(prefix_of(host, 56), 2, now));
  }
  result.push_back(&find_or_make(source_of(host), 1, now));
  // With the table full, several of them may be the shared one: it is
  // charged once.
  std::sort(result.begin(), result.end());
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

bool guess_limiter::charge(const std::string& host, time_point now) {
  auto budgets = budgets_of(host, now);
  if (std::any_of(budgets.begin(), budgets.end(),
                  [](budget* b) { return b->tries < 1; }))
    return false;
  for (auto b : budgets)
    b->tries -= 1;
  return true;
}

void guess_limiter::refund(const std::string& host, time_point now) {
  for (auto b : budgets_of(host, now))
    b->tries = std::min(b->tries + 1, static_cast<double>(burst_) * b->scale);
}

timespan guess_limiter::wait_for(const std::string& host, time_point now) {
  using secs = std::chrono::duration<double>;
  double longest = 0;
  for (auto b : budgets_of(host, now))
    if (b->tries < 1)
      longest = std::max(longest, (1 - b->tries) / b->scale);
  return std::chrono::duration_cast<timespan>(longest * secs{interval_});
}

// Budgets that are full again hold nothing worth remembering.
void guess_limiter::forget_full(time_point now) {
  for (auto i = budgets_.begin(); i != budgets_.end();) {
    refill(i->second, now);
    bool full = i->second.tries
                >= static_cast<double>(burst_) * i->second.scale;
    i = full && i->first != everyone ? budgets_.erase(i) : std::next(i);
  }
}

} // namespace groupchat::protocol
