// SPDX-License-Identifier: MIT
#include "main/key_files.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "main/secret.hpp"
#include "protocol/wire/text.hpp"

namespace groupchat {

namespace {

std::string describe_errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Like `mkdir -p`, each folder made 0700: key files are nobody else's.
bool make_dirs(const std::string& dir, std::string& error) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/')
      continue;
    auto prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      error = describe_errno("cannot create", prefix);
      return false;
    }
  }
  return true;
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// Only its owner may read a key file, as ssh asks of ~/.ssh/id_*: a key
// others can read proves nothing about who runs it.
bool private_file(int fd, const std::string& path, std::string& error) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error = describe_errno("cannot check", path);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = path + " is not a regular file";
    return false;
  }
  if (st.st_uid != ::geteuid()) {
    error = "key file " + path + " belongs to another user (uid "
            + std::to_string(st.st_uid) + "): use a key file of your own";
    return false;
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", st.st_mode & 07777);
    error = "key file " + path + " can be read by others (mode " + mode
            + "): make it yours alone (chmod 600 " + path
            + ") or remove it for a new key";
    return false;
  }
  return true;
}

bool read_all(int fd, std::string& out) {
  char buf[512];
  for (;;) {
    auto n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return false;
    if (n == 0)
      return true;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > 4096)
      return true; // No key file is this long: parsing refuses it.
  }
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    auto n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Writes `bytes` to `path`, mode 0600 (`flags`: how it opens besides), and
// syncs them to disk: what is renamed or linked in place after is whole.
bool write_synced(const std::string& path, std::string_view bytes, int flags,
                  std::string& error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0600);
  if (fd < 0) {
    error = describe_errno("cannot create", path);
    return false;
  }
  bool ok = write_all(fd, bytes) && ::fsync(fd) == 0;
  if (!ok)
    error = describe_errno("cannot write", path);
  ::close(fd);
  return ok;
}

// A new key file, whole or not at all: written to a temporary file of mode
// 0600 first, then linked in place (link, unlike rename, never replaces a
// key file another process made meanwhile). Never written through an
// existing path, so a symlink planted there gets no seed.
bool create_key_file(const std::string& path, std::string& error) {
  if (!make_dirs(parent_of(path), error))
    return false;
  auto tmp = path + ".new." + std::to_string(::getpid());
  auto text = protocol::identity{}.key_file_text();
  bool ok = write_synced(tmp, text, O_EXCL, error);
  wipe(text);
  if (ok && ::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) {
    error = describe_errno("cannot create", path);
    ok = false;
  }
  ::unlink(tmp.c_str());
  return ok;
}

} // namespace

std::string data_dir() {
  for (auto [var, suffix] : {std::pair{"XDG_DATA_HOME", "/groupchat"},
                             {"HOME", "/.local/share/groupchat"}}) {
    auto value = std::getenv(var);
    if (value != nullptr && value[0] == '/')
      return value + std::string{suffix};
  }
  return {};
}

std::string key_file_name(std::string_view name) {
  std::string out;
  // ASCII case folded: "Bob" and "bob" are one person typing. Not the
  // confusable skeleton, which a newer Unicode table may change.
  for (unsigned char c : protocol::ascii_lower(std::string{name})) {
    if (std::isalnum(c) != 0 && c < 0x80)
      out.push_back(static_cast<char>(c));
    else if (c == '-' || c == '_')
      out.push_back(static_cast<char>(c));
    else {
      char hex[4];
      std::snprintf(hex, sizeof(hex), "%%%02X", c);
      out += hex;
    }
  }
  // A name of 32 bytes, each byte as %XX, is 96 bytes: far from NAME_MAX.
  return out + ".key";
}

identity_lease::~identity_lease() {
  if (fd >= 0)
    ::close(fd); // Also lets go of the lock.
}

key_file open_identity(const std::string& path, identity_lease& out,
                       std::string& error, std::string& warning) {
  // Read only: a key file of mode 0400 is fine, and nothing is written
  // through a path that exists.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    if (!create_key_file(path, error))
      return key_file::not_created;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) {
    error = describe_errno("cannot open key file", path);
    return key_file::refused;
  }
  auto fail = [fd] {
    ::close(fd);
    return key_file::refused;
  };
  if (!private_file(fd, path, error))
    return fail();
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      error = describe_errno("cannot lock key file", path);
      return fail();
    }
    // Another groupchat proves this key now: two processes with one key
    // would each close the other's connections as duplicates.
    warning = path + " is in use by another groupchat: this run has a key "
              + "of its own, and the group sees a new member";
    out.key = std::make_shared<const protocol::identity>();
    ::close(fd);
    return key_file::opened;
  }
  std::string text;
  if (!read_all(fd, text)) {
    error = describe_errno("cannot read", path);
    return fail();
  }
  out.key = protocol::identity::from_key_file(text);
  wipe(text);
  if (out.key == nullptr) {
    error = path + " is not a groupchat key file (remove it for a new key)";
    return fail();
  }
  out.fd = fd;
  return key_file::opened;
}

known_keys_file::known_keys_file(std::string path)
  : path_(std::move(path)), keys_(read()) {
  // nop
}

std::vector<std::string>
known_keys_file::check(const std::vector<protocol::member_entry>& proved) {
  std::vector<std::string> changed;
  bool learned = false;
  for (auto& m : proved) {
    auto seen = keys_.check(m.name, m.id);
    learned |= seen != protocol::key_seen::same;
    if (seen == protocol::key_seen::other)
      changed.push_back(m.name);
  }
  if (!learned)
    return changed;
  // Other processes of ours (other names, other groups) write the same
  // file: what they learned stays, ours goes on top.
  auto merged = read();
  for (auto& m : proved)
    merged.check(m.name, m.id);
  keys_ = std::move(merged);
  write(keys_);
  return changed;
}

protocol::known_keys known_keys_file::read() const {
  std::ifstream in{path_};
  if (!in)
    return {};
  std::ostringstream buf;
  buf << in.rdbuf();
  return protocol::known_keys::parse(buf.str());
}

void known_keys_file::write(const protocol::known_keys& keys) {
  std::string error;
  auto tmp = path_ + ".new." + std::to_string(::getpid());
  bool ok = make_dirs(parent_of(path_), error);
  ok = ok && write_synced(tmp, keys.text(), O_TRUNC, error);
  if (ok && std::rename(tmp.c_str(), path_.c_str()) != 0) {
    error = describe_errno("cannot replace", path_);
    ok = false;
  }
  if (ok || warned_)
    return;
  std::remove(tmp.c_str());
  warned_ = true;
  spdlog::warn("cannot remember members' keys in {}: {}", path_, error);
}

} // namespace groupchat
