// SPDX-License-Identifier: MIT
// The fixture of the Connection broker's suites (actors.connection,
// actors.connection_output): a Listener and a Connection on CAF's test
// multiplexer, the far end of the socket played by a secure_channel.

#pragma once

#include <caf/test/io_dsl.hpp>

#include "actors/connection.hpp"
#include "actors/listener.hpp"
#include "actors/messages.hpp"
#include "protocol/crypto/secure.hpp"
#include "protocol/wire/frame.hpp"
#include "protocol/wire/message.hpp"

using namespace groupchat;
using protocol::message;
using namespace std::chrono_literals;

namespace {

constexpr uint16_t port = 5000;
constexpr size_t max_frame_size = 128;
constexpr size_t rate = 100; // messages per second, bursts of 200
constexpr size_t stranger_frame_size = 96;

struct fixture : test_node_fixture<> {
  caf::io::accept_handle acceptor = caf::io::accept_handle::from_int(1);
  caf::io::connection_handle socket = caf::io::connection_handle::from_int(2);
  caf::actor listener;
  caf::actor owner;
  caf::actor connection;
  std::vector<std::string> incoming;
  std::vector<message> received;
  bool congested = false;
  /// The connection told its owner it answered our handshake.
  bool answered = false;
  /// Messages membership got: a read's frames come in one.
  size_t deliveries = 0;
  /// The far end of the socket: every connection is sealed (protocol 3),
  /// an open group's with its public key.
  protocol::secure_channel peer{protocol::open_group_key(),
                                protocol::secure_channel::role::initiator};

  fixture() {
    // The fixture goes in as an argument: CAF 0.17 dereferences a null
    // pointer (UBSan) when spawning a function without arguments.
    owner = sys.spawn(
      [](caf::event_based_actor* owner_self, fixture* fix) {
        owner_self->set_exit_handler([](caf::exit_msg&) {});
        return caf::behavior{
          [=](atom::incoming, const std::string& host) {
            fix->incoming.push_back(host);
            fix->connection
              = caf::actor_cast<caf::actor>(owner_self->current_sender());
          },
          [=](atom::received, const message& msg) {
            fix->received.push_back(msg);
            ++fix->deliveries;
          },
          [=](atom::received, const std::vector<message>& msgs) {
            fix->received.insert(fix->received.end(), msgs.begin(), msgs.end());
            ++fix->deliveries;
          },
          [=](atom::congested, bool yes) { fix->congested = yes; },
          [=](atom::answered) { fix->answered = true; },
        };
      },
      this);
    mpx.provide_acceptor(port, acceptor);
    connection_options limits;
    limits.max_frame_size = max_frame_size;
    limits.max_pending_output = 4096;
    limits.max_messages_per_second = rate;
    limits.max_stranger_frame_size = stranger_frame_size;
    limits.handshake_timeout = 1s;
    limits.drain_timeout = 500ms;
    limits.linger_timeout = 5s;
    listener = spawn_listener(sys, limits, 16);
    self->send(listener, atom::listen_v, port, owner, std::string{});
    run();
    self->receive([](uint16_t bound) { CAF_CHECK_EQUAL(bound, port); });
    CAF_MESSAGE("a peer connects");
    mpx.add_pending_connect(acceptor, socket);
    mpx.accept_connection(acceptor);
    settle();
    CAF_REQUIRE_EQUAL(incoming.size(), 1u);
    CAF_REQUIRE(connection != nullptr);
    self->monitor(connection);
    CAF_MESSAGE("it completes the handshake");
    feed(protocol::make_frame(peer.start().front()), false);
    auto written = raw_output();
    auto answer = peer.on_frame(next_frame(written));
    CAF_REQUIRE(answer);
    CAF_REQUIRE(peer.established());
    CAF_REQUIRE(answered);
    feed(protocol::make_frame(answer->to_send.front()), false);
  }

  ~fixture() override {
    for (auto& hdl : {listener, owner, connection})
      caf::anon_send_exit(hdl, caf::exit_reason::kill);
    run();
    // Timers still pending (a progress check, say) hold their receiver:
    // fire them at the dead actors, so nothing outlives the system.
    advance_time(std::chrono::minutes(1));
    run();
  }

  /// Runs what is under way, firing no timer (`run` fires them all: the
  /// handshake's deadline too).
  void settle() {
    do {
      sched.run();
      mpx.flush_runnables();
    } while (sched.run() > 0);
  }

  void feed(const std::string& bytes, bool fire_timers = true) {
    mpx.virtual_send(socket, std::vector<char>(bytes.begin(), bytes.end()));
    if (fire_timers)
      run();
    else
      settle();
  }

  /// What the connection wrote since the last call, reported taken by the
  /// socket (the test multiplexer reports nothing itself).
  std::string raw_output() {
    auto& buf = mpx.output_buffer(socket);
    std::string result(buf.begin(), buf.end());
    buf.clear();
    if (!result.empty()) {
      caf::anon_send(connection,
                     caf::io::data_transferred_msg{socket, result.size(), 0});
      settle();
    }
    return result;
  }

  /// Takes the first frame's body off `bytes`.
  static std::string next_frame(std::string& bytes) {
    CAF_REQUIRE(bytes.size() >= protocol::length_prefix_size);
    auto size = protocol::read_length(bytes.data());
    CAF_REQUIRE(bytes.size() >= protocol::length_prefix_size + size);
    auto body = bytes.substr(protocol::length_prefix_size, size);
    bytes.erase(0, protocol::length_prefix_size + size);
    return body;
  }

  /// What the connection wrote, opened and framed again in plaintext.
  std::string output() {
    auto bytes = raw_output();
    std::string plain;
    while (!bytes.empty()) {
      auto opened = peer.on_frame(next_frame(bytes));
      CAF_REQUIRE(opened && opened->has_plaintext);
      plain += protocol::make_frame(opened->plaintext);
    }
    return plain;
  }

  bool connection_is_down() {
    bool down = false;
    self->receive([&](caf::down_msg&) { down = true; },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return down;
  }

  /// `msg` as the peer sends it. Frames must be fed in the order they
  /// were made: each seals the next message of the stream.
  std::string frame(const message& msg) {
    return sealed(protocol::encode(msg));
  }

  std::string sealed(std::string_view body) {
    return protocol::make_frame(peer.seal(body));
  }

  /// `msg` as `output` shows it.
  static std::string plain(const message& msg) {
    return protocol::make_frame(protocol::encode(msg));
  }
};

} // namespace
