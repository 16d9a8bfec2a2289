// SPDX-License-Identifier: MIT
// libFuzzer target for everything a peer decodes from the network: the frame
// reader that connections use (length prefix, limit, frames split across
// reads), the sealed link of protocol 3 (handshake and record layer) and the
// message decoder (JSON, fields).
//
// Properties checked beyond "no crash, no leak, no undefined behaviour":
// whatever decodes must encode again, and decode to the same message; the
// quick path (chat lines, heartbeats) takes a body only if the JSON tree
// takes it too, into an equal message, and decode() answers as the tree;
// encode() writes the tree's bytes (its quick path for chat lines); the
// reader splits a stream the same way however the reads cut it; frames from
// a stranger never complete a handshake, nothing passes a failed link, and
// before the handshake only a responder's refusal is read; a sealed body
// opens to itself, and with any byte changed it opens to nothing.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/crypto/sealed_link.hpp"
#include "protocol/wire/frame.hpp"
#include "protocol/wire/message.hpp"
#include "protocol/wire/quick_decode.hpp"

using namespace groupchat::protocol;

namespace {

// The default maximum: with -max_len above it, frames of real size.
constexpr size_t max_frame_size = default_max_frame_size;

void check_roundtrip(const message& msg) {
  frame_reader reader{max_frame_size * 8};
  auto body = encode(msg);
  // The quick path for chat lines writes the tree's very bytes.
  if (body != encode_tree(msg))
    std::abort();
  if (body.size() > max_frame_size * 8)
    return; // Too large after escaping: never sent, which is fine.
  reader.append(make_frame(body));
  auto again_body = reader.next();
  if (!again_body || *again_body != body)
    std::abort();
  auto again = decode(*again_body);
  if (!again || *again != msg)
    std::abort();
}

// The quick path against the tree for one body: what it takes, the tree
// takes into an equal message (operator== compares every field that is on
// the wire); whatever it leaves, decode() answers as the tree does.
void check_quick(std::string_view body) {
  auto quick = quick_decode(body);
  auto tree = decode_tree(body);
  if (quick && (!tree || *quick != *tree))
    std::abort();
  auto both = decode(body);
  if (static_cast<bool>(both) != static_cast<bool>(tree))
    std::abort();
  if (both ? *both != *tree : both.error().code != tree.error().code)
    std::abort();
}

// Feeds `bytes` to a reader in reads of `chunk` bytes; returns the bodies
// taken, and whether the stream ended in an error.
std::vector<std::string> split(std::string_view bytes, size_t chunk,
                               bool& failed) {
  frame_reader reader{max_frame_size};
  std::vector<std::string> bodies;
  failed = false;
  for (size_t pos = 0; pos < bytes.size() && !failed; pos += chunk) {
    reader.append(bytes.substr(pos, chunk));
    for (;;) {
      auto body = reader.next();
      if (!body) {
        failed = true;
        break;
      }
      if (body->empty())
        break;
      bodies.emplace_back(*body);
    }
  }
  return bodies;
}

// The frames as a stranger sends them to either side of a connection of an
// open group, whose key everybody knows.
void check_stranger(const std::vector<std::string>& bodies) {
  for (bool accepted : {true, false}) {
    sealed_link link{nullptr, accepted};
    link.start();
    bool failed = false;
    for (auto& body : bodies) {
      auto step = link.on_frame(body);
      if (link.established() || (failed && !step.failed))
        std::abort();
      if (step.body) {
        auto msg = decode(*step.body);
        if (accepted || !msg || msg->type != message_type::refuse)
          std::abort();
      }
      failed = failed || step.failed.has_value();
    }
  }
}

// The frames as bodies of an established connection: each opens to itself;
// the input's first byte picks a byte to change in a copy, which must fail.
void check_sealed(const std::vector<std::string>& bodies, uint8_t pick) {
  sealed_link dialer{nullptr, false};
  sealed_link acceptor{nullptr, true};
  auto step2 = acceptor.on_frame(dialer.start().front());
  auto step3 = dialer.on_frame(step2.to_write.front());
  acceptor.on_frame(step3.to_write.front());
  if (!dialer.established() || !acceptor.established())
    std::abort();
  for (auto& body : bodies) {
    std::string sealed{*dialer.outgoing(body)};
    auto opened = acceptor.on_frame(sealed);
    if (opened.failed || !opened.body || *opened.body != body)
      std::abort();
  }
  if (bodies.empty())
    return;
  std::string sealed{*dialer.outgoing(bodies.front())};
  sealed[pick % sealed.size()] ^= 1;
  if (!acceptor.on_frame(sealed).failed)
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes{reinterpret_cast<const char*>(data), size};
  // The input as one frame body, and inside a chat line, as its text and
  // as the value of its `seq`: the quick path's string reader (escapes,
  // UTF-8) and number reader meet every byte the fuzzer makes.
  check_quick(bytes);
  std::string input{bytes};
  check_quick(R"({"type":"chat","version":3,"seq":1,"text":")" + input + "\"}");
  check_quick(R"({"type":"chat","version":3,"text":"x","seq":)" + input + "}");
  if (auto msg = decode(bytes))
    check_roundtrip(*msg);
  // The input as the text (and signature) of a chat line to encode: bytes
  // that may not be UTF-8, which the quick encoder leaves to the tree.
  auto line = make_chat(input, 1);
  line.proof = input;
  line.history = size % 2 == 1;
  if (encode(line) != encode_tree(line))
    std::abort();
  // The input as a stream of frames, as a connection reads it: in one read,
  // and in reads of a size the input itself picks.
  bool failed_whole = false;
  auto whole = split(bytes, bytes.size() + 1, failed_whole);
  size_t chunk = size > 0 ? 1 + data[0] % 16 : 1;
  bool failed_chunked = false;
  auto chunked = split(bytes, chunk, failed_chunked);
  if (whole != chunked || failed_whole != failed_chunked)
    std::abort();
  for (auto& body : whole) {
    check_quick(body);
    if (auto msg = decode(body))
      check_roundtrip(*msg);
  }
  check_stranger(whole);
  check_sealed(whole, size > 0 ? data[size - 1] : 0);
  return 0;
}
