// SPDX-License-Identifier: MIT
#include "protocol/group/known_keys.hpp"

#include "protocol/wire/text.hpp"

namespace groupchat::protocol {

known_keys known_keys::parse(std::string_view text) {
  known_keys result;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{}
                                         : text.substr(end + 1);
    if (line.size() <= peer_id_size + 1 || line[peer_id_size] != ' ')
      continue;
    std::string id{line.substr(0, peer_id_size)};
    auto name = normalize_name(line.substr(peer_id_size + 1));
    if (!is_peer_id(id) || !name || *name != line.substr(peer_id_size + 1)
        || result.size() >= max_names)
      continue;
    auto key = name_key(*name);
    result.names_[key] = entry{std::move(*name), std::move(id)};
  }
  return result;
}

key_seen known_keys::check(const std::string& name, const peer_id& id) {
  auto key = name_key(name);
  auto i = names_.find(key);
  if (i == names_.end()) {
    // Full: a name we cannot keep is nothing learned (and nothing to
    // write again on every event).
    if (names_.size() >= max_names)
      return key_seen::same;
    names_.emplace(std::move(key), entry{name, id});
    return key_seen::first;
  }
  if (i->second.id == id)
    return key_seen::same;
  i->second = entry{name, id};
  return key_seen::other;
}

std::string known_keys::text() const {
  std::string out;
  for (auto& [key, e] : names_)
    out += e.id + ' ' + e.name + '\n';
  return out;
}

} // namespace groupchat::protocol
