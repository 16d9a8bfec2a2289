// SPDX-License-Identifier: MIT
#include "main/bench_stamps.hpp"

#include <cstdio>
#include <ctime>
#include <utility>

namespace groupchat {

namespace {

long long mono_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

} // namespace

bench_stamps::bench_stamps(uint64_t every, std::string own, display_fn display)
  : every_(every), own_(std::move(own)), display_(std::move(display)) {
  // nop
}

// Every N-th line and the line "last" are stamped; their numbers match the
// sender's because chat over TCP loses and reorders nothing.
bool bench_stamps::due(uint64_t n, const std::string& text) const {
  return n % every_ == 0 || text == "last";
}

void bench_stamps::show(const std::string& line) {
  auto colon = line.find(": ");
  auto name = colon == std::string::npos ? std::string{}
                                         : line.substr(0, colon);
  if (name != own_ && members_.count(name) == 0)
    return display_(line);
  auto text = line.substr(colon + 2);
  if (name == own_) {
    if (due(++sent_, text))
      std::fprintf(stderr, "bench sent %llu %lld\n",
                   static_cast<unsigned long long>(sent_), mono_ns());
    return;
  }
  auto n = ++received_[name];
  ++total_;
  if (due(n, text))
    std::fprintf(stderr, "bench recv %s %llu %lld %llu\n", name.c_str(),
                 static_cast<unsigned long long>(n), mono_ns(),
                 static_cast<unsigned long long>(total_));
}

void bench_stamps::members(std::vector<std::string> names) {
  members_ = std::set<std::string>(names.begin(), names.end());
}

} // namespace groupchat
