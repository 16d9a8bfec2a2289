// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.wire.endpoint

#include "protocol/wire/endpoint.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;

CAF_TEST(host and port parse in every accepted form) {
  auto check = [](std::string_view str, std::string host, uint16_t port) {
    auto ep = parse_endpoint(str);
    if (!ep) {
      CAF_ERROR("rejected " << std::string{str});
      return;
    }
    CAF_CHECK_EQUAL(ep->host, host);
    CAF_CHECK_EQUAL(ep->port, port);
  };
  check("127.0.0.1:5000", "127.0.0.1", 5000);
  check("example.org:1", "example.org", 1);
  check("[::1]:65535", "::1", 65535);
  check("[fe80::1%eth0]:80", "fe80::1%eth0", 80);
}

CAF_TEST(malformed peer addresses are rejected) {
  for (auto str : {"", "host", "host:", ":5000", "host:0", "host:65536",
                   "host:12a", "::1:5000", "[::1]5000", "[::1]:", "[]:5"})
    CAF_CHECK(!parse_endpoint(str));
}

CAF_TEST(ports parse from 0 to 65535) {
  auto zero = parse_port("0");
  auto max = parse_port("65535");
  CAF_REQUIRE(zero && max);
  CAF_CHECK_EQUAL(*zero, 0u);
  CAF_CHECK_EQUAL(*max, 65535u);
  CAF_CHECK(!parse_port("65536"));
  CAF_CHECK(!parse_port("-1"));
  CAF_CHECK(!parse_port(""));
  CAF_CHECK(!parse_port("99999999999"));
}

CAF_TEST(rendering brackets IPv6 literals) {
  CAF_CHECK_EQUAL(to_string(endpoint{"10.0.0.7", 5000}), "10.0.0.7:5000");
  CAF_CHECK_EQUAL(to_string(endpoint{"::1", 5000}), "[::1]:5000");
}

CAF_TEST(IPv4 - mapped addresses normalize to IPv4) {
  CAF_CHECK_EQUAL(normalize_host("::ffff:127.0.0.1"), "127.0.0.1");
  CAF_CHECK_EQUAL(normalize_host("::ffff:10.1.2.3"), "10.1.2.3");
  CAF_CHECK_EQUAL(normalize_host("fe80::1"), "fe80::1");
  CAF_CHECK(is_loopback("127.0.0.1"));
  CAF_CHECK(is_loopback("127.1.2.3"));
  CAF_CHECK(is_loopback("::1"));
  CAF_CHECK(!is_loopback("10.0.0.1"));
}

CAF_TEST(addresses are compared parsed not as spelled) {
  CAF_CHECK_EQUAL(normalize_host("0::1"), "::1");
  CAF_CHECK_EQUAL(normalize_host("FE80:0:0::1"), "fe80::1");
  CAF_CHECK_EQUAL(normalize_host("::ffff:7f00:1"), "127.0.0.1");
  CAF_CHECK_EQUAL(normalize_host("example.org"), "example.org");
  for (auto host : {"0::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1",
                    "::ffff:7f00:2", "127.255.0.1"})
    CAF_CHECK(is_loopback(host));
  for (auto host : {"0::0", "::ffff:0.0.0.0", "0.1.2.3", "::"})
    CAF_CHECK(is_unspecified(host));
  CAF_CHECK(!is_unspecified("::2"));
  CAF_CHECK(!is_ip_literal(std::string{"1.2.3.4\0x", 9}));
  CAF_CHECK_EQUAL(normalize_host(std::string{"::1\0x", 5}).size(), 5u);
  CAF_CHECK(!is_loopback("::2"));
}
