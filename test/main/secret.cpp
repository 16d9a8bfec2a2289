// SPDX-License-Identifier: MIT
#define CAF_SUITE main.secret

#include "main/secret.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>

#include <sys/stat.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>

using namespace groupchat;

namespace {

struct fixture {
  std::string path;

  fixture() {
    char tmpl[] = "/tmp/groupchat-secret-XXXXXX";
    auto fd = ::mkstemp(tmpl);
    CAF_REQUIRE(fd >= 0);
    ::close(fd);
    path = tmpl;
  }

  ~fixture() {
    std::remove(path.c_str());
  }

  void write(const std::string& contents) {
    std::ofstream out{path, std::ios::binary | std::ios::trunc};
    out << contents;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(secret_tests, fixture)

CAF_TEST(a new passphrase is eight proquints of fresh randomness) {
  auto a = new_passphrase();
  auto b = new_passphrase();
  std::regex quint{"[bdfghjklmnprstvz][aiou][bdfghjklmnprstvz][aiou]"
                   "[bdfghjklmnprstvz]"};
  std::regex form{"([a-z]{5}-){7}[a-z]{5}"};
  CAF_CHECK(std::regex_match(a, form));
  CAF_CHECK(std::regex_search(a, quint));
  CAF_CHECK_NOT_EQUAL(a, b);
}

CAF_TEST(a secret file gives its first line without a line ending) {
  std::string error;
  write("open sesame\r\nsecond line\n");
  CAF_CHECK_EQUAL(read_secret_file(path, error), std::string{"open sesame"});
  write("open sesame");
  CAF_CHECK_EQUAL(read_secret_file(path, error), std::string{"open sesame"});
  write("\nopen sesame\n");
  CAF_CHECK(!read_secret_file(path, error));
  CAF_CHECK(error.find("no passphrase") != std::string::npos);
  CAF_CHECK(!read_secret_file(path + ".missing", error));
  CAF_CHECK(error.find("cannot read") != std::string::npos);
}

CAF_TEST(a secret file others can read gets a warning) {
  ::chmod(path.c_str(), 0600);
  CAF_CHECK(!check_secret_permissions(path));
  ::chmod(path.c_str(), 0644);
  auto warning = check_secret_permissions(path);
  CAF_REQUIRE(warning);
  CAF_CHECK(warning->find("chmod 600") != std::string::npos);
  ::chmod(path.c_str(), 0640);
  CAF_CHECK(check_secret_permissions(path));
}

CAF_TEST(the environment gives its secret once) {
  ::setenv("GROUPCHAT_TEST_SECRET", "open sesame", 1);
  CAF_CHECK_EQUAL(take_secret_from_env("GROUPCHAT_TEST_SECRET"),
                  std::string{"open sesame"});
  CAF_CHECK(std::getenv("GROUPCHAT_TEST_SECRET") == nullptr);
  CAF_CHECK(!take_secret_from_env("GROUPCHAT_TEST_SECRET"));
}

CAF_TEST(wiping empties a string) {
  std::string secret = "open sesame";
  wipe(secret);
  CAF_CHECK(secret.empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
