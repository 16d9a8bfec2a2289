// SPDX-License-Identifier: MIT
#include "protocol/wire/frame.hpp"

namespace groupchat::protocol {

uint32_t read_length(const char* header) noexcept {
  auto byte = [header](size_t i) {
    return static_cast<uint32_t>(static_cast<unsigned char>(header[i]));
  };
  return (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
}

void write_length(uint32_t length, char* out) noexcept {
  out[0] = static_cast<char>((length >> 24) & 0xFF);
  out[1] = static_cast<char>((length >> 16) & 0xFF);
  out[2] = static_cast<char>((length >> 8) & 0xFF);
  out[3] = static_cast<char>(length & 0xFF);
}

result<size_t> check_length(uint32_t length, size_t max_size) {
  if (length == 0)
    return error{ec::empty_frame, "length prefix is 0"};
  if (length > max_size)
    return error{ec::frame_too_large, "length prefix " + std::to_string(length)
                                        + " exceeds the maximum of "
                                        + std::to_string(max_size)};
  return static_cast<size_t>(length);
}

std::string make_frame(std::string_view body) {
  std::string result(length_prefix_size, '\0');
  write_length(static_cast<uint32_t>(body.size()), result.data());
  result.append(body);
  return result;
}

} // namespace groupchat::protocol

namespace groupchat::protocol {

namespace {

/// A length prefix made of printable ASCII is someone typing or a protocol
/// of text lines (HTTP, telnet), not a groupchat peer: saying so beats a
/// length of a gigabyte.
bool is_text(const char* header) {
  for (size_t i = 0; i < length_prefix_size; ++i) {
    auto c = static_cast<unsigned char>(header[i]);
    if (c < 0x20 || c > 0x7E)
      return false;
  }
  return true;
}

} // namespace

void frame_reader::append(const char* data, size_t size) {
  // Drop what was taken before growing: the buffer holds one frame at most.
  buf_.erase(buf_.begin(), buf_.begin() + static_cast<ptrdiff_t>(pos_));
  pos_ = 0;
  // The buffer is reused from read to read, but one large frame (a member
  // list, a replay) is not kept for good: a peer has a reader per member.
  if (buf_.empty() && buf_.capacity() > kept_capacity && size <= kept_capacity)
    std::vector<char>{}.swap(buf_);
  buf_.insert(buf_.end(), data, data + size);
}

result<std::string_view> frame_reader::next() {
  if (buffered() < length_prefix_size)
    return std::string_view{};
  const char* header = buf_.data() + pos_;
  auto length = check_length(read_length(header), max_);
  if (!length) {
    if (length.error().code == ec::frame_too_large && is_text(header))
      return error{ec::frame_too_large,
                   "not a groupchat peer: it sent text (\""
                     + std::string{header, length_prefix_size} + "...\")"};
    return length.error();
  }
  if (buffered() - length_prefix_size < *length)
    return std::string_view{}; // The body is still on its way.
  std::string_view body{buf_.data() + pos_ + length_prefix_size, *length};
  pos_ += length_prefix_size + *length;
  return body;
}

} // namespace groupchat::protocol
