#include "protocol/secure.hpp"

#include <cstring>

#include <sodium.h>

namespace groupchat::protocol {

namespace {

using bytes = std::vector<uint8_t>;

constexpr size_t pk_size = crypto_kx_PUBLICKEYBYTES;
constexpr size_t mac_size = crypto_auth_BYTES;
constexpr size_t stream_header_size
  = crypto_secretstream_xchacha20poly1305_HEADERBYTES;

enum step : uint8_t { step1 = 1, step2 = 2, step3 = 3 };

error auth_error(const std::string& why) {
  return error{ec::authentication_failed, why};
}

const uint8_t* as_bytes(std::string_view str) {
  return reinterpret_cast<const uint8_t*>(str.data());
}

std::string as_string(const uint8_t* data, size_t size) {
  return std::string{reinterpret_cast<const char*>(data), size};
}

} // namespace

static_assert(seal_overhead == crypto_secretstream_xchacha20poly1305_ABYTES);

bool is_handshake_start(std::string_view body) noexcept {
  return body.size() == 1 + pk_size && body[0] == step1;
}

result<group_key> derive_group_key(std::string_view passphrase) {
  if (sodium_init() < 0)
    return auth_error("libsodium failed to initialize");
  if (passphrase.empty())
    return auth_error("the passphrase is empty");
  // A fixed salt: all members must derive the same key from the passphrase
  // alone. Argon2id's cost is what slows down guessing.
  uint8_t salt[crypto_pwhash_SALTBYTES];
  static constexpr char label[] = "groupchat passphrase v1";
  crypto_generichash(salt, sizeof(salt),
                     reinterpret_cast<const uint8_t*>(label),
                     sizeof(label) - 1, nullptr, 0);
  group_key key;
  if (crypto_pwhash(key.bytes.data(), key.bytes.size(), passphrase.data(),
                    passphrase.size(), salt,
                    crypto_pwhash_OPSLIMIT_INTERACTIVE,
                    crypto_pwhash_MEMLIMIT_INTERACTIVE,
                    crypto_pwhash_ALG_ARGON2ID13)
      != 0)
    return auth_error("out of memory deriving the key");
  return key;
}

struct secure_channel::impl {
  group_key key;
  role r;
  enum class state { idle, sent1, sent2, established, failed } st
    = state::idle;
  uint8_t pk[pk_size];
  uint8_t sk[crypto_kx_SECRETKEYBYTES];
  uint8_t peer_pk[pk_size];
  uint8_t rx[crypto_kx_SESSIONKEYBYTES];
  uint8_t tx[crypto_kx_SESSIONKEYBYTES];
  crypto_secretstream_xchacha20poly1305_state push;
  crypto_secretstream_xchacha20poly1305_state pull;

  ~impl() {
    sodium_memzero(sk, sizeof(sk));
    sodium_memzero(rx, sizeof(rx));
    sodium_memzero(tx, sizeof(tx));
    sodium_memzero(key.bytes.data(), key.bytes.size());
  }

  const uint8_t* initiator_pk() const {
    return r == role::initiator ? pk : peer_pk;
  }

  const uint8_t* responder_pk() const {
    return r == role::initiator ? peer_pk : pk;
  }

  // MAC_K(label | e_I | e_R): binds both ephemeral keys to the passphrase.
  void mac(char label, uint8_t* out) const {
    uint8_t msg[1 + 2 * pk_size];
    msg[0] = static_cast<uint8_t>(label);
    std::memcpy(msg + 1, initiator_pk(), pk_size);
    std::memcpy(msg + 1 + pk_size, responder_pk(), pk_size);
    crypto_auth(out, msg, sizeof(msg), key.bytes.data());
  }

  bool verify(char label, const uint8_t* tag) const {
    uint8_t expected[mac_size];
    mac(label, expected);
    return sodium_memcmp(expected, tag, mac_size) == 0;
  }

  // Session keys from the key exchange, each hashed together with K.
  bool derive_session_keys() {
    int rc = r == role::initiator
               ? crypto_kx_client_session_keys(rx, tx, pk, sk, peer_pk)
               : crypto_kx_server_session_keys(rx, tx, pk, sk, peer_pk);
    if (rc != 0)
      return false;
    for (auto k : {rx, tx})
      crypto_generichash(k, crypto_kx_SESSIONKEYBYTES, k,
                         crypto_kx_SESSIONKEYBYTES, key.bytes.data(),
                         key.bytes.size());
    return true;
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

  // Our handshake message for `s`: the step, our ephemeral key (step 2
  // only), our MAC, and the header of our encrypted stream.
  output reply(step s, char label, bool with_key) {
    std::string msg(1, static_cast<char>(s));
    if (with_key)
      msg += as_string(pk, pk_size);
    uint8_t tag[mac_size];
    mac(label, tag);
    msg += as_string(tag, mac_size);
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
    if (body.size() != 1 + pk_size || body[0] != step1)
      return fail("the peer did not start the handshake (no passphrase?)");
    std::memcpy(peer_pk, as_bytes(body) + 1, pk_size);
    if (!derive_session_keys())
      return fail("invalid ephemeral key");
    st = state::sent2;
    return reply(step2, 'R', true);
  }

  // Initiator, step 2 received: check the responder, answer with step 3.
  result<output> on_step2(std::string_view body) {
    if (body.size() != 1 + pk_size + mac_size + stream_header_size
        || body[0] != step2)
      return fail("unexpected handshake message (no passphrase?)");
    auto data = as_bytes(body) + 1;
    std::memcpy(peer_pk, data, pk_size);
    if (!verify('R', data + pk_size))
      return fail("wrong passphrase");
    if (!derive_session_keys() || !init_pull(data + pk_size + mac_size))
      return fail("invalid handshake keys");
    st = state::established;
    return reply(step3, 'I', false);
  }

  // Responder, step 3 received: check the initiator.
  result<output> on_step3(std::string_view body) {
    if (body.size() != 1 + mac_size + stream_header_size || body[0] != step3)
      return fail("unexpected handshake message");
    auto data = as_bytes(body) + 1;
    if (!verify('I', data))
      return fail("wrong passphrase");
    if (!init_pull(data + mac_size))
      return fail("invalid stream header");
    st = state::established;
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

secure_channel::secure_channel(const group_key& key, role r)
  : impl_(std::make_unique<impl>()) {
  [[maybe_unused]] auto rc = sodium_init();
  impl_->key = key;
  impl_->r = r;
  crypto_kx_keypair(impl_->pk, impl_->sk);
}

secure_channel::~secure_channel() = default;

std::vector<std::string> secure_channel::start() {
  if (impl_->r != role::initiator || impl_->st != impl::state::idle)
    return {};
  impl_->st = impl::state::sent1;
  std::string msg(1, static_cast<char>(step1));
  msg += as_string(impl_->pk, pk_size);
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

std::string secure_channel::seal(std::string_view plaintext) {
  std::string out(plaintext.size() + seal_overhead, '\0');
  crypto_secretstream_xchacha20poly1305_push(
    &impl_->push, reinterpret_cast<uint8_t*>(out.data()), nullptr,
    as_bytes(plaintext), plaintext.size(), nullptr, 0,
    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  return out;
}

} // namespace groupchat::protocol
