// libFuzzer target for everything a peer decodes from the network: the frame
// splitter (length prefix, limit) and the message decoder (JSON, fields).
//
// Properties checked beyond "no crash, no leak, no undefined behaviour":
// whatever decodes must encode again, and decode to the same message.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/frame.hpp"
#include "protocol/message.hpp"

using namespace groupchat::protocol;

namespace {

constexpr size_t max_frame_size = 64 * 1024;

void check_roundtrip(const message& msg) {
  auto frame = encode_frame(msg, max_frame_size * 8);
  if (!frame)
    return; // Too large after escaping: refused, which is fine.
  size_t consumed = 0;
  auto again = decode_frame(*frame, max_frame_size * 8, consumed);
  if (!again || *again != msg || consumed != frame->size())
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes{reinterpret_cast<const char*>(data), size};
  // The input as one frame body.
  if (auto msg = decode(bytes))
    check_roundtrip(*msg);
  // The input as a stream of frames, as a connection reads it.
  while (bytes.size() >= header_size) {
    size_t consumed = 0;
    auto msg = decode_frame(bytes, max_frame_size, consumed);
    if (!msg)
      break;
    check_roundtrip(*msg);
    bytes.remove_prefix(consumed);
  }
  return 0;
}
