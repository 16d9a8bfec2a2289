#include "protocol/frame.hpp"

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
  std::string result(header_size, '\0');
  write_length(static_cast<uint32_t>(body.size()), result.data());
  result.append(body);
  return result;
}

} // namespace groupchat::protocol
