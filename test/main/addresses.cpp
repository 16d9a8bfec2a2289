// SPDX-License-Identifier: MIT
#define CAF_SUITE main.addresses

#include "main/addresses.hpp"

#include <algorithm>
#include <regex>

#include <arpa/inet.h>

#include <caf/test/unit_test.hpp>

using namespace groupchat;

namespace {

bool is_loopback(const std::string& entry) {
  return entry.rfind("127.", 0) == 0;
}

} // namespace

// The banner tells peers where to dial: each entry must be usable as is.
CAF_TEST(every entry is an IPv4 address with the port) {
  for (uint16_t port : {uint16_t{4242}, uint16_t{65535}}) {
    auto entries = listen_addresses(port);
    CAF_CHECK(!entries.empty());
    std::regex form{"([0-9.]+):" + std::to_string(port)};
    for (auto& entry : entries) {
      std::smatch m;
      CAF_CHECK(std::regex_match(entry, m, form));
      in_addr addr{};
      CAF_CHECK_EQUAL(::inet_pton(AF_INET, m.str(1).c_str(), &addr), 1);
    }
  }
}

// A peer on another machine cannot dial 127.0.0.1: the useful ones come
// first.
CAF_TEST(loopback entries come after all others) {
  auto entries = listen_addresses(4242);
  auto first_loopback = std::find_if(entries.begin(), entries.end(),
                                     is_loopback);
  CAF_CHECK(std::all_of(entries.begin(), first_loopback,
                        [](auto& x) { return !is_loopback(x); }));
  CAF_CHECK(std::all_of(first_loopback, entries.end(), is_loopback));
}

// Every machine that runs the end-to-end tests has lo up.
CAF_TEST(the loopback address is listed) {
  auto entries = listen_addresses(4242);
  CAF_CHECK_EQUAL(std::count(entries.begin(), entries.end(), "127.0.0.1:4242"),
                  1);
}
