// SPDX-License-Identifier: MIT
#include "protocol/crypto/secure.hpp"

#include <cstring>
#include <mutex>
#include <set>

#include <sodium.h>

#include "protocol/crypto/cpace.hpp"

namespace groupchat::protocol {

namespace {

using cpace::point_size;

constexpr size_t sid_size = 16;
constexpr size_t tag_size = crypto_auth_hmacsha512_BYTES;
constexpr size_t stream_header_size
  = crypto_secretstream_xchacha20poly1305_HEADERBYTES;

/// CPace's channel identifier: this protocol and its version.
constexpr std::string_view channel_id = "groupchat v3";

enum step : uint8_t { step1 = 1, step2 = 2, step3 = 3, step1_open = 0x11 };

constexpr size_t step1_size = 1 + sid_size + point_size;
constexpr size_t step2_size = 1 + point_size + tag_size + stream_header_size;
constexpr size_t step3_size = 1 + tag_size + stream_header_size;

error auth_error(const std::string& why) {
  return error{ec::authentication_failed, why};
}

const uint8_t* as_bytes(std::string_view str) {
  return reinterpret_cast<const uint8_t*>(str.data());
}

std::string as_string(const uint8_t* data, size_t size) {
  return std::string{reinterpret_cast<const char*>(data), size};
}

template <size_t N>
std::string_view view(const uint8_t (&data)[N]) {
  return {reinterpret_cast<const char*>(data), N};
}

} // namespace

static_assert(seal_overhead == crypto_secretstream_xchacha20poly1305_ABYTES);

group_key::group_key() {
  // Fails without the privilege to lock memory: the key may then reach
  // swap, and is still wiped.
  sodium_mlock(bytes.data(), bytes.size());
}

group_key::group_key(const group_key& other) : group_key() {
  bytes = other.bytes;
  open = other.open;
}

group_key& group_key::operator=(const group_key& other) {
  bytes = other.bytes;
  open = other.open;
  return *this;
}

group_key::~group_key() {
  sodium_munlock(bytes.data(), bytes.size()); // Also wipes.
}

bool is_handshake_start(std::string_view body) noexcept {
  return body.size() == step1_size
         && (body[0] == step1 || body[0] == static_cast<char>(step1_open));
}

bool is_open_start(std::string_view body) noexcept {
  return body[0] == static_cast<char>(step1_open);
}

const group_key& open_group_key() {
  static const group_key key = [] {
    [[maybe_unused]] auto rc = sodium_init();
    group_key k;
    constexpr std::string_view label = "groupchat open group v3";
    crypto_generichash(k.bytes.data(), k.bytes.size(), as_bytes(label),
                       label.size(), nullptr, 0);
    k.open = true;
    return k;
  }();
  return key;
}

result<group_key> derive_group_key(std::string_view passphrase) {
  if (sodium_init() < 0)
    return auth_error("libsodium failed to initialize");
  if (passphrase.empty())
    return auth_error("the passphrase is empty");
  // A fixed salt: all members must derive the same key from the passphrase
  // alone. Nobody can test guesses against the handshake offline (CPace);
  // Argon2id is the second line, should CPace's assumptions ever fall (a
  // quantum computer solving discrete logarithms).
  uint8_t salt[crypto_pwhash_SALTBYTES];
  static constexpr char label[] = "groupchat passphrase v1";
  crypto_generichash(salt, sizeof(salt),
                     reinterpret_cast<const uint8_t*>(label), sizeof(label) - 1,
                     nullptr, 0);
  group_key key;
  if (crypto_pwhash(key.bytes.data(), key.bytes.size(), passphrase.data(),
                    passphrase.size(), salt, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                    crypto_pwhash_MEMLIMIT_INTERACTIVE,
                    crypto_pwhash_ALG_ARGON2ID13)
      != 0)
    return auth_error("out of memory deriving the key");
  return key;
}

struct own_sessions::impl {
  mutable std::mutex mtx;
  std::set<std::string, std::less<>> sids;
};

own_sessions::own_sessions() : impl_(std::make_unique<impl>()) {
  // nop
}

own_sessions::~own_sessions() = default;

void own_sessions::add(std::string_view sid) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  impl_->sids.emplace(sid);
}

void own_sessions::remove(std::string_view sid) {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  if (auto i = impl_->sids.find(sid); i != impl_->sids.end())
    impl_->sids.erase(i);
}

bool own_sessions::contains(std::string_view sid) const {
  std::lock_guard<std::mutex> guard{impl_->mtx};
  return impl_->sids.count(sid) > 0;
}

struct secure_channel::impl {
  group_key key;
  role r;
  /// Where our sessions as an initiator are kept while under way.
  own_sessions* sessions = nullptr;
  bool registered = false;
  enum class state { idle, sent1, sent2, established, failed } st = state::idle;
  /// The session ID the initiator draws: every session has its own
  /// generator.
  uint8_t sid[sid_size];
  uint8_t scalar[cpace::scalar_size];
  /// Our point and the peer's (CPace's Ya and Yb by role).
  uint8_t own[point_size];
  uint8_t theirs[point_size];
  /// The key confirmation MAC key and the binding, from CPace's ISK.
  uint8_t mac_key[crypto_hash_sha512_BYTES];
  uint8_t binding[32];
  uint8_t rx[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  uint8_t tx[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  crypto_secretstream_xchacha20poly1305_state push;
  crypto_secretstream_xchacha20poly1305_state pull;

  ~impl() {
    forget_session();
    // Everything but the public points.
    sodium_memzero(key.bytes.data(), key.bytes.size());
    sodium_memzero(scalar, sizeof(scalar));
    sodium_memzero(mac_key, sizeof(mac_key));
    sodium_memzero(binding, sizeof(binding));
    sodium_memzero(rx, sizeof(rx));
    sodium_memzero(tx, sizeof(tx));
    sodium_memzero(&push, sizeof(push));
    sodium_memzero(&pull, sizeof(pull));
  }

  std::string_view key_view() const {
    return {reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()};
  }

  // Draws our scalar and computes our point on this session's generator.
  // Fails only for an identity result, which a random scalar on a hashed
  // generator gives with negligible probability.
  bool make_point() {
    uint8_t g[point_size];
    cpace::generator(key_view(), channel_id, view(sid), g);
    crypto_core_ristretto255_scalar_random(scalar);
    auto ok = crypto_scalarmult_ristretto255(own, scalar, g) == 0;
    // The generator tests passphrase guesses: it is as secret as the key.
    sodium_memzero(g, sizeof(g));
    return ok;
  }

  void forget_session() {
    if (registered)
      sessions->remove(view(sid));
    registered = false;
  }

  // Established: the group key and the confirmation key are not needed
  // on this connection any more.
  void forget_handshake_secrets() {
    sodium_memzero(key.bytes.data(), key.bytes.size());
    sodium_memzero(mac_key, sizeof(mac_key));
  }

  const uint8_t (&initiator_point() const)[point_size] {
    return r == role::initiator ? own : theirs;
  }

  const uint8_t (&responder_point() const)[point_size] {
    return r == role::initiator ? theirs : own;
  }

  // CPace's K and ISK, then everything else from the ISK: the MAC key of
  // the confirmation, one stream key per direction, the channel binding.
  bool derive_keys() {
    uint8_t k[point_size];
    if (!cpace::scalar_mult_vfy(scalar, theirs, k))
      return false;
    uint8_t isk[cpace::isk_size];
    cpace::isk_ir(view(sid), view(k), view(initiator_point()), {},
                  view(responder_point()), {}, isk);
    sodium_memzero(k, sizeof(k));
    sodium_memzero(scalar, sizeof(scalar));
    crypto_hash_sha512_state h;
    crypto_hash_sha512_init(&h);
    crypto_hash_sha512_update(&h, as_bytes("CPaceMac"), 8);
    crypto_hash_sha512_update(&h, sid, sizeof(sid));
    crypto_hash_sha512_update(&h, isk, sizeof(isk));
    crypto_hash_sha512_final(&h, mac_key);
    auto kdf = [&](uint8_t* out, size_t size, std::string_view label) {
      crypto_generichash(out, size, as_bytes(label), label.size(), isk,
                         sizeof(isk));
    };
    auto i2r = r == role::initiator ? tx : rx;
    auto r2i = r == role::initiator ? rx : tx;
    kdf(i2r, sizeof(tx), "groupchat v3 initiator to responder");
    kdf(r2i, sizeof(rx), "groupchat v3 responder to initiator");
    kdf(binding, sizeof(binding), "groupchat v3 channel binding");
    sodium_memzero(isk, sizeof(isk));
    return true;
  }

  // Key confirmation (draft section 9.4): MAC of a side's lv_cat(Y, AD).
  void tag(const uint8_t (&point)[point_size], uint8_t* out) const {
    auto msg = cpace::lv_cat({view(point), {}});
    crypto_auth_hmacsha512_state st;
    crypto_auth_hmacsha512_init(&st, mac_key, sizeof(mac_key));
    crypto_auth_hmacsha512_update(&st, as_bytes(msg), msg.size());
    crypto_auth_hmacsha512_final(&st, out);
  }

  bool verify(const uint8_t (&point)[point_size], const uint8_t* got) const {
    uint8_t expected[tag_size];
    tag(point, expected);
    return sodium_memcmp(expected, got, tag_size) == 0;
  }

  // Our stream header, appended to our last handshake message.
  void append_push_header(std::string& out) {
    uint8_t header[stream_header_size];
    crypto_secretstream_xchacha20poly1305_init_push(&push, header, tx);
    out += as_string(header, sizeof(header));
  }

  bool init_pull(const uint8_t* header) {
    return crypto_secretstream_xchacha20poly1305_init_pull(&pull, header, rx)
           == 0;
  }

  // Our handshake message for `s`: the step, our point (step 2 only), the
  // confirmation of our point, and the header of our encrypted stream.
  output reply(step s) {
    std::string msg(1, static_cast<char>(s));
    if (s == step2)
      msg += as_string(own, point_size);
    uint8_t t[tag_size];
    tag(own, t);
    msg += as_string(t, tag_size);
    append_push_header(msg);
    output out;
    out.to_send.push_back(std::move(msg));
    return out;
  }

  result<output> fail(const std::string& why) {
    st = state::failed;
    return auth_error(why);
  }

  // Responder, step 1 received: answer with step 2.
  result<output> on_step1(std::string_view body) {
    if (!is_handshake_start(body))
      return fail("the peer did not start the handshake");
    if (is_open_start(body) != key.open)
      return fail(key.open ? "the peer has a passphrase, this group has none"
                           : "the peer has no passphrase");
    std::memcpy(sid, as_bytes(body) + 1, sid_size);
    if (sessions != nullptr && sessions->contains(view(sid)))
      return fail("our own handshake came back (reflected: is this address "
                  "our own?)");
    std::memcpy(theirs, as_bytes(body) + 1 + sid_size, point_size);
    if (!make_point() || !derive_keys())
      return fail("invalid handshake point");
    st = state::sent2;
    return reply(step2);
  }

  // Initiator, step 2 received: check the responder, answer with step 3.
  result<output> on_step2(std::string_view body) {
    forget_session();
    if (body.size() != step2_size || body[0] != step2)
      return fail("unexpected handshake message");
    auto data = as_bytes(body) + 1;
    std::memcpy(theirs, data, point_size);
    if (!derive_keys())
      return fail("invalid handshake point");
    if (!verify(theirs, data + point_size))
      return fail(wrong_passphrase);
    if (!init_pull(data + point_size + tag_size))
      return fail("invalid stream header");
    st = state::established;
    auto out = reply(step3);
    forget_handshake_secrets();
    return out;
  }

  // Responder, step 3 received: check the initiator.
  result<output> on_step3(std::string_view body) {
    if (body.size() != step3_size || body[0] != step3)
      return fail("unexpected handshake message");
    auto data = as_bytes(body) + 1;
    if (!verify(theirs, data))
      return fail(wrong_passphrase);
    if (!init_pull(data + tag_size))
      return fail("invalid stream header");
    st = state::established;
    forget_handshake_secrets();
    return output{};
  }

  result<output> open(std::string_view body) {
    if (body.size() < seal_overhead)
      return fail("truncated encrypted frame");
    output out;
    out.plaintext.resize(body.size() - seal_overhead);
    unsigned long long size = 0;
    uint8_t tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(
          &pull, reinterpret_cast<uint8_t*>(out.plaintext.data()), &size, &tag,
          as_bytes(body), body.size(), nullptr, 0)
        != 0)
      return fail("a frame failed authentication (tampered, replayed, "
                  "reordered or dropped)");
    out.plaintext.resize(size);
    out.has_plaintext = true;
    return out;
  }
};

secure_channel::secure_channel(const group_key& key, role r,
                               own_sessions* sessions)
  : impl_(std::make_unique<impl>()) {
  [[maybe_unused]] auto rc = sodium_init();
  impl_->key = key;
  impl_->r = r;
  impl_->sessions = sessions;
}

secure_channel::~secure_channel() = default;

std::vector<std::string> secure_channel::start() {
  if (impl_->r != role::initiator || impl_->st != impl::state::idle)
    return {};
  auto& x = *impl_;
  x.st = impl::state::sent1;
  randombytes_buf(x.sid, sizeof(x.sid));
  if (x.sessions != nullptr) {
    x.sessions->add(view(x.sid));
    x.registered = true;
  }
  if (!x.make_point()) // Then the peer's step 2 finds us failed.
    x.st = impl::state::failed;
  std::string msg(1, static_cast<char>(x.key.open ? step1_open : step1));
  msg += as_string(x.sid, sid_size);
  msg += as_string(x.own, point_size);
  return {std::move(msg)};
}

result<secure_channel::output> secure_channel::on_frame(std::string_view body) {
  using state = impl::state;
  auto& x = *impl_;
  switch (x.st) {
    case state::idle:
      if (x.r == role::responder)
        return x.on_step1(body);
      break;
    case state::sent1:
      return x.on_step2(body);
    case state::sent2:
      return x.on_step3(body);
    case state::established:
      return x.open(body);
    case state::failed:
      break;
  }
  return x.fail("handshake out of order");
}

bool secure_channel::established() const noexcept {
  return impl_->st == impl::state::established;
}

std::string secure_channel::binding() const {
  return as_string(impl_->binding, sizeof(impl_->binding));
}

std::string secure_channel::seal(std::string_view plaintext) {
  std::string out(plaintext.size() + seal_overhead, '\0');
  crypto_secretstream_xchacha20poly1305_push(
    &impl_->push, reinterpret_cast<uint8_t*>(out.data()), nullptr,
    as_bytes(plaintext), plaintext.size(), nullptr, 0,
    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  return out;
}

} // namespace groupchat::protocol
