// SPDX-License-Identifier: MIT
// CPace's building blocks against the test vectors of
// draft-irtf-cfrg-cpace-21, appendix A and B.3 (ristretto255, SHA-512).

#define CAF_SUITE protocol.crypto.cpace

#include "protocol/crypto/cpace.hpp"

#include <caf/test/unit_test.hpp>

#include <sodium.h>

using namespace groupchat::protocol;

namespace {

std::string unhex(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  sodium_hex2bin(reinterpret_cast<uint8_t*>(out.data()), out.size(), hex.data(),
                 hex.size(), nullptr, nullptr, nullptr);
  return out;
}

std::string hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(),
                 reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  out.pop_back();
  return out;
}

template <size_t N>
std::string hex(const uint8_t (&bytes)[N]) {
  return hex(std::string_view{reinterpret_cast<const char*>(bytes), N});
}

template <size_t N>
void load(std::string_view hex_str, uint8_t (&out)[N]) {
  auto bytes = unhex(hex_str);
  CAF_REQUIRE_EQUAL(bytes.size(), N);
  std::copy(bytes.begin(), bytes.end(), out);
}

// Appendix B.3 of draft 21.
const std::string prs = "Password";
const auto ci = unhex("0b415f696e69746961746f720b425f726573706f6e646572");
const auto sid = unhex("7e4b4791d6a8ef019b936c79fb7f2c57");
constexpr auto ya_hex
  = "da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4ff0976d08";
constexpr auto yb_hex
  = "d2316b454718c35362d83d69df6320f38578ed5984651435e2949762d900b80d";
constexpr auto g_hex
  = "222b6b195fe84b1652badb6f6a3ae3d24341e7306967f0b8115b40d5698c7e56";
constexpr auto big_ya_hex
  = "d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0eec482b9157";
constexpr auto big_yb_hex
  = "3ea7e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7433f7258";
constexpr auto k_hex
  = "80b69a8a76457ab6a4d7f887a4bf6b55a2f80ac19c333f917a05fc9887c8b40f";
constexpr auto isk_hex
  = "b69effbf61b51d56401c0f65601abe428de8206feaaf0e32198896dcae7b35cd"
    "2b38950a39dfd5d4a79164614c2984f7daa460b588c1e80c3fa2068af7900447";

} // namespace

CAF_TEST(lv_cat prefixes each value with its LEB128 length) {
  CAF_CHECK_EQUAL(hex(cpace::lv_cat({"1234", "5", "", "678"})),
                  "043132333401350003363738");
  std::string long_value(128, 'x');
  CAF_CHECK_EQUAL(hex(cpace::lv_cat({long_value})).substr(0, 6), "800178");
}

CAF_TEST(the generator matches the draft) {
  auto str = cpace::generator_string(prs, ci, sid);
  CAF_CHECK_EQUAL(str.size(), 170u);
  CAF_CHECK_EQUAL(hex(str).substr(0, 40),
                  "11435061636552697374726574746f3235350850");
  uint8_t g[cpace::point_size];
  cpace::generator(prs, ci, sid, g);
  CAF_CHECK_EQUAL(hex(g), g_hex);
}

CAF_TEST(points and the shared key match the draft) {
  uint8_t g[cpace::point_size];
  uint8_t ya[cpace::scalar_size];
  uint8_t yb[cpace::scalar_size];
  load(g_hex, g);
  load(ya_hex, ya);
  load(yb_hex, yb);
  uint8_t big_ya[cpace::point_size];
  uint8_t big_yb[cpace::point_size];
  CAF_REQUIRE(cpace::scalar_mult_vfy(ya, g, big_ya));
  CAF_REQUIRE(cpace::scalar_mult_vfy(yb, g, big_yb));
  CAF_CHECK_EQUAL(hex(big_ya), big_ya_hex);
  CAF_CHECK_EQUAL(hex(big_yb), big_yb_hex);
  uint8_t ka[cpace::point_size];
  uint8_t kb[cpace::point_size];
  CAF_REQUIRE(cpace::scalar_mult_vfy(ya, big_yb, ka));
  CAF_REQUIRE(cpace::scalar_mult_vfy(yb, big_ya, kb));
  CAF_CHECK_EQUAL(hex(ka), k_hex);
  CAF_CHECK_EQUAL(hex(kb), k_hex);
  uint8_t isk[cpace::isk_size];
  cpace::isk_ir(sid, unhex(k_hex), unhex(big_ya_hex), "ADa", unhex(big_yb_hex),
                "ADb", isk);
  CAF_CHECK_EQUAL(hex(isk), isk_hex);
}

CAF_TEST(invalid and identity points abort) {
  uint8_t s[cpace::scalar_size];
  load("7cd0e075fa7955ba52c02759a6c90dbbfc10e6d40aea8d283e407d88cf538a05", s);
  uint8_t x[cpace::point_size];
  uint8_t out[cpace::point_size];
  load("2c3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c", x);
  CAF_REQUIRE(cpace::scalar_mult_vfy(s, x, out));
  CAF_CHECK_EQUAL(hex(out), "7c13645fe790a468f62c39beb7388e541d8405d1ade69d17"
                            "78c5fe3e7f6b600e");
  load("2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c", x);
  CAF_CHECK(!cpace::scalar_mult_vfy(s, x, out));
  load("0000000000000000000000000000000000000000000000000000000000000000", x);
  CAF_CHECK(!cpace::scalar_mult_vfy(s, x, out));
}
