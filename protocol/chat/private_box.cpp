// SPDX-License-Identifier: MIT
#include "protocol/chat/private_box.hpp"

#include <string_view>

namespace groupchat::protocol {

namespace {

constexpr std::string_view private_label = "groupchat v3 private";

std::string head(const peer_id& from, const peer_id& to) {
  return std::string{private_label} + from + to;
}

} // namespace

std::string seal_private(const identity& self, const peer_id& to, uint64_t seq,
                         const std::string& text) {
  auto plain = head(self.id(), to);
  for (int shift = 56; shift >= 0; shift -= 8)
    plain.push_back(static_cast<char>((seq >> shift) & 0xff));
  return self.seal_to(to, plain + text);
}

std::optional<std::pair<uint64_t, std::string>>
open_private(const identity& self, const peer_id& from,
             const std::string& box) {
  auto plain = self.open_from(from, box);
  auto expected = head(from, self.id());
  if (!plain || plain->size() < expected.size() + 8
      || plain->compare(0, expected.size(), expected) != 0)
    return std::nullopt;
  uint64_t seq = 0;
  for (size_t k = 0; k < 8; ++k)
    seq = (seq << 8) | static_cast<uint8_t>((*plain)[expected.size() + k]);
  return std::pair{seq, plain->substr(expected.size() + 8)};
}

} // namespace groupchat::protocol
