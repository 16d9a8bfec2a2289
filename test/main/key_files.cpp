// SPDX-License-Identifier: MIT
#define CAF_SUITE main.key_files

#include "main/key_files.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>

using namespace groupchat;

namespace {

struct fixture {
  std::string dir;
  std::string error;
  std::string warning;

  bool open(const std::string& path, identity_lease& lease) {
    error.clear();
    warning.clear();
    return open_identity(path, lease, error, warning) == key_file::opened;
  }

  fixture() {
    char tmpl[] = "/tmp/groupchat-keys-XXXXXX";
    CAF_REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
  }

  ~fixture() {
    std::string cmd = "rm -rf '" + dir + "'";
    [[maybe_unused]] auto rc = std::system(cmd.c_str());
  }

  std::string contents(const std::string& path) {
    std::ifstream in{path};
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(key_files_tests, fixture)

CAF_TEST(a key file is made on first use and gives the same key after) {
  auto path = dir + "/a/b/alice.key";
  protocol::peer_id first;
  {
    identity_lease lease;
    CAF_REQUIRE(open(path, lease));
    CAF_CHECK(warning.empty());
    first = lease.key->id();
    struct stat st {};
    CAF_REQUIRE(::stat(path.c_str(), &st) == 0);
    CAF_CHECK_EQUAL(st.st_mode & 0777, 0600u);
    CAF_REQUIRE(::stat((dir + "/a/b").c_str(), &st) == 0);
    CAF_CHECK_EQUAL(st.st_mode & 0777, 0700u);
  }
  identity_lease again;
  CAF_REQUIRE(open(path, again));
  CAF_CHECK_EQUAL(again.key->id(), first);
}

CAF_TEST(a key file in use gets a one run key and a warning) {
  auto path = dir + "/alice.key";
  identity_lease holder;
  CAF_REQUIRE(open(path, holder));
  identity_lease second;
  CAF_REQUIRE(open(path, second));
  CAF_CHECK_NOT_EQUAL(warning.find("in use by another groupchat"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(second.key->id(), holder.key->id());
  CAF_CHECK_EQUAL(second.fd, -1);
}

CAF_TEST(a key file others can read or that holds no key is refused) {
  auto path = dir + "/alice.key";
  {
    identity_lease lease;
    CAF_REQUIRE(open(path, lease));
  }
  CAF_REQUIRE(::chmod(path.c_str(), 0644) == 0);
  identity_lease lease;
  CAF_CHECK(!open(path, lease));
  CAF_CHECK_NOT_EQUAL(error.find("can be read by others (mode 0644)"),
                      std::string::npos);
  CAF_CHECK(lease.key == nullptr);
  CAF_REQUIRE(::chmod(path.c_str(), 0600) == 0);
  std::ofstream{path} << "not a key\n";
  CAF_CHECK(!open(path, lease));
  CAF_CHECK_EQUAL(error, path
                           + " is not a groupchat key file (remove it for "
                             "a new key)");
  CAF_MESSAGE("a key file only its owner can read, not even write, is fine");
  ::unlink(path.c_str());
  CAF_REQUIRE(open(path, lease));
  auto id = lease.key->id();
  lease.key.reset();
  ::close(lease.fd);
  lease.fd = -1;
  CAF_REQUIRE(::chmod(path.c_str(), 0400) == 0);
  identity_lease again;
  CAF_REQUIRE(open(path, again));
  CAF_CHECK_EQUAL(again.key->id(), id);
}

CAF_TEST(no key file is written through a path that exists) {
  auto target = dir + "/elsewhere";
  std::ofstream{target}.flush();
  ::chmod(target.c_str(), 0600);
  auto path = dir + "/alice.key";
  CAF_REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
  identity_lease lease;
  CAF_CHECK(!open(path, lease));
  CAF_CHECK_EQUAL(contents(target), "");
}

CAF_TEST(a folder that cannot be made is no key file and says why) {
  identity_lease lease;
  std::string err;
  std::string warn;
  auto result = open_identity("/proc/groupchat/alice.key", lease, err, warn);
  CAF_CHECK(result == key_file::not_created);
  CAF_CHECK_NOT_EQUAL(err.find("cannot create /proc/groupchat"),
                      std::string::npos);
}

CAF_TEST(key file names are safe for any name) {
  CAF_CHECK_EQUAL(key_file_name("alice"), "alice.key");
  CAF_CHECK_EQUAL(key_file_name("Alice"), key_file_name("alice"));
  auto odd = key_file_name("../x y");
  CAF_CHECK_EQUAL(odd.find('/'), std::string::npos);
  CAF_CHECK_EQUAL(odd.find(' '), std::string::npos);
  CAF_CHECK_EQUAL(odd.rfind("%2E%2E", 0), 0u);
  CAF_MESSAGE("the longest name stays far below the longest file name");
  CAF_CHECK_LESS(key_file_name(std::string(32, '.')).size(), 255u);
}

CAF_TEST(known keys are kept across runs and merged with other writers) {
  auto path = dir + "/data/known_keys";
  auto alice = std::string(protocol::peer_id_size, 'a');
  auto other = std::string(protocol::peer_id_size, 'b');
  {
    known_keys_file keys{path};
    CAF_CHECK(keys.check({{"alice", alice, {}}}).empty());
  }
  CAF_MESSAGE("another process learns of carol meanwhile");
  known_keys_file mine{path};
  {
    known_keys_file theirs{path};
    theirs.check({{"carol", other, {}}});
  }
  auto changed = mine.check({{"alice", other, {}}, {"dave", alice, {}}});
  CAF_REQUIRE_EQUAL(changed.size(), 1u);
  CAF_CHECK_EQUAL(changed[0], "alice");
  auto text = contents(path);
  CAF_CHECK_NOT_EQUAL(text.find(other + " carol"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find(alice + " dave"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find(other + " alice"), std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
