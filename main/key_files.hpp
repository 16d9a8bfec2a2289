// SPDX-License-Identifier: MIT
// The files that make a name mean the same person tomorrow (see
// protocol/README.md, "Persistent identities"): a key file per name, so that
// a restarted process proves the same peer ID, and the keys the members we
// met proved, so that a new key under a known name is said out loud. Both
// live in $XDG_DATA_HOME/groupchat (else ~/.local/share/groupchat). Plain
// functions and a small class over POSIX files: no actors.

#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/crypto/identity.hpp"
#include "protocol/events/event.hpp"
#include "protocol/group/known_keys.hpp"

namespace groupchat {

/// $XDG_DATA_HOME/groupchat, else $HOME/.local/share/groupchat; empty if
/// neither variable is set to an absolute path.
std::string data_dir();

/// The file name of `name`'s key file: ASCII letters in lower case, bytes
/// other than letters, digits, '-' and '_' as %XX, so that any name is one
/// safe file name.
std::string key_file_name(std::string_view name);

/// The identity this process proves, and the lock that keeps a second
/// process from proving it at the same time (released when this goes).
class identity_lease {
public:
  identity_lease() = default;
  ~identity_lease();

  identity_lease(const identity_lease&) = delete;
  identity_lease& operator=(const identity_lease&) = delete;

  std::shared_ptr<const protocol::identity> key;

  /// The key file's descriptor, locked while we run; -1 for a one-run key.
  int fd = -1;
};

/// How opening a key file went.
enum class key_file {
  /// `out` holds the key (perhaps a one-run key, with a warning).
  opened,
  /// There was none and none could be made (a read-only home): `error`.
  not_created,
  /// It exists and cannot be used (others can read it, it is no key
  /// file, it cannot be read): `error`.
  refused,
};

/// Opens the key file at `path`, creating it (and its folder, mode 0700)
/// with a fresh key pair if it does not exist. A file another process holds
/// gets a one-run key and a warning in `warning`: that run is a new member.
/// Otherwise `out` is untouched unless the result is `opened`.
key_file open_identity(const std::string& path, identity_lease& out,
                       std::string& error, std::string& warning);

/// The keys members proved under their names, kept in a file: read once,
/// and written again (to a temporary file, then renamed) when a check
/// learns something, merged with what other processes of ours wrote
/// meanwhile. A file that cannot be written costs a warning, not the chat.
class known_keys_file {
public:
  explicit known_keys_file(std::string path);

  /// Members proved these keys under these names: returns the names whose
  /// key differs from the one they proved before.
  std::vector<std::string>
  check(const std::vector<protocol::member_entry>& proved);

private:
  protocol::known_keys read() const;
  void write(const protocol::known_keys& keys);

  std::string path_;
  protocol::known_keys keys_;
  bool warned_ = false;
};

} // namespace groupchat
