// SPDX-License-Identifier: MIT
// The keys members proved under their names, as first met: trust on first
// use, as ssh's known_hosts and Signal's safety numbers do. A name that
// comes back with another key is either a new installation or someone else
// under that name, and the user is told; the new key is remembered, so the
// warning is said once per change. Names that look alike are one name
// (text.hpp, name_key). A plain class over text: main/key_files.hpp keeps
// it in a file.

#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "protocol/wire/ids.hpp"

namespace groupchat::protocol {

/// What a check found.
enum class key_seen {
  /// The name is new to us: its key is remembered now.
  first,
  /// The name proved the key it proved before.
  same,
  /// The name proved another key than before: the new one is remembered.
  other,
};

class known_keys {
public:
  /// At most this many names are remembered: a group that parades names
  /// past us cannot grow the file without bound. Once full, new names are
  /// not remembered (`check` says `same`); known ones are still checked.
  static constexpr size_t max_names = 4096;

  /// Reads the file's text: one "ID NAME" per line. Lines that are not
  /// (a hand edit, a truncated write) are skipped.
  static known_keys parse(std::string_view text);

  /// Member `name` proved key `id`.
  key_seen check(const std::string& name, const peer_id& id);

  /// The file's text, names in the order of their keys.
  std::string text() const;

  size_t size() const noexcept {
    return names_.size();
  }

private:
  struct entry {
    std::string name;
    peer_id id;
  };

  /// By name_key.
  std::map<std::string, entry> names_;
};

} // namespace groupchat::protocol
