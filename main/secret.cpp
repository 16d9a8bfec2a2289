// SPDX-License-Identifier: MIT
#include "main/secret.hpp"

#include <cstdlib>
#include <cstring>
#include <fstream>

#include <sys/stat.h>

#include <sodium.h>

namespace groupchat {

namespace {

// Proquint letters: 16 consonants (4 bits), 4 vowels (2 bits).
constexpr char consonants[] = "bdfghjklmnprstvz";
constexpr char vowels[] = "aiou";

void append_quint(std::string& out, uint16_t x) {
  out += consonants[(x >> 12) & 0xf];
  out += vowels[(x >> 10) & 0x3];
  out += consonants[(x >> 6) & 0xf];
  out += vowels[(x >> 4) & 0x3];
  out += consonants[x & 0xf];
}

} // namespace

std::string new_passphrase() {
  if (sodium_init() < 0)
    std::abort(); // No randomness: nothing to print.
  uint16_t words[8];
  randombytes_buf(words, sizeof(words));
  std::string out;
  for (auto word : words) {
    if (!out.empty())
      out += '-';
    append_quint(out, word);
  }
  sodium_memzero(words, sizeof(words));
  return out;
}

std::optional<std::string> read_secret_file(const std::string& path,
                                            std::string& error) {
  std::ifstream in{path};
  if (!in) {
    error = "cannot read secret file " + path;
    return std::nullopt;
  }
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
    line.pop_back();
  if (line.empty()) {
    error = "secret file " + path + " holds no passphrase on its first line";
    return std::nullopt;
  }
  return line;
}

std::optional<std::string> take_secret_from_env(const char* var) {
  auto value = std::getenv(var);
  if (value == nullptr || *value == '\0')
    return std::nullopt;
  std::string result{value};
  // unsetenv alone leaves the bytes where the kernel shows them.
  sodium_memzero(value, std::strlen(value));
  ::unsetenv(var);
  return result;
}

std::optional<std::string> check_secret_permissions(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0)
    return std::nullopt;
  return path + " holds the passphrase and other users can read it; "
         + "make it private: chmod 600 " + path;
}

void wipe(std::string& str) noexcept {
  sodium_memzero(str.data(), str.size());
  str.clear();
}

} // namespace groupchat
