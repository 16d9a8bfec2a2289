// SPDX-License-Identifier: MIT
// The join machine's test fixture, shared by the suites of its two halves
// (join_machine.cpp and join_handshake.cpp): a mock callee
// (mock_callee.hpp) logs every call as one line of traffic, and the tests
// assert that log.

#pragma once

#include "protocol/group/join_machine.hpp"

#include "protocol/group/mock_callee.hpp"

#include <map>
#include <memory>

using namespace groupchat::protocol;
using namespace std::chrono_literals;

namespace {

struct join_fixture {
  mock_callee callee;
  peer_table peers;
  /// Our key pair ("50" below) and those of the peers, by number.
  std::shared_ptr<const identity> self = std::make_shared<identity>();
  std::map<int, std::unique_ptr<identity>> keys;
  join_machine machine{options(self), peers, callee};

  static join_options options(std::shared_ptr<const identity> self) {
    join_options opts;
    opts.name = "nina";
    opts.self = std::move(self);
    opts.join_timeout = 5s;
    opts.max_strangers = 4;
    opts.max_strangers_per_host = 2;
    opts.max_members = 10;
    return opts;
  }

  // The last dial connected as `conn`, to the address it asked for.
  bool dialed(conn_id conn) {
    auto req = callee.dials.back();
    return machine.on_dialed(req, conn, req.address.host);
  }

  // The key pair of peer `n`; 50 is ours.
  const identity& key(int n) {
    if (n == 50)
      return *self;
    auto& k = keys[n];
    if (!k)
      k = std::make_unique<identity>();
    return *k;
  }

  peer_id id(int n) {
    return key(n).id();
  }

  // The member on dialed connection `conn` sends its challenge.
  void challenge(conn_id conn) {
    auto msg = make_challenge(make_nonce());
    machine.on_challenge(*peers.find(conn), msg);
  }

  // A greeting from peer `n` as `name` for accepted connection `conn`,
  // signed by `signer` (by default, `n` itself).
  message greeting_from(conn_id conn, int n, const std::string& name,
                        int signer = 0) {
    auto& p = *peers.find(conn);
    auto msg = make_greeting(name, 5009, id(n), make_nonce(), 0);
    msg.proof = key(signer != 0 ? signer : n)
                  .prove(proof_transcript(
                    proof_role::greeting, p.hs.challenge_nonce(), msg.nonce,
                    id(n), id(50), "", proof_claims(name, 5009, 0)));
    return msg;
  }

  // Peer `n` welcomes us as `name` on dialed connection `conn`, signed by
  // `signer` (by default, `n` itself).
  void welcome_from(conn_id conn, int n, const std::string& name,
                    int signer = 0) {
    auto& p = *peers.find(conn);
    auto msg = make_welcome(name, id(n), {}, 0);
    msg.proof
      = key(signer != 0 ? signer : n)
          .prove(proof_transcript(proof_role::welcome, p.hs.challenge_nonce(),
                                  p.hs.greeting_nonce(), id(n), id(50),
                                  p.hs.binding(), proof_claims(name, 0, 0)));
    machine.on_welcome(p, msg);
  }

  // Returns the log since the last call, and starts a new one.
  std::vector<std::string> traffic() {
    auto result = std::move(callee.log);
    callee.log.clear();
    return result;
  }

  // Joins through the entry peer at connection 1, which lists itself
  // (alice, ID 10) and bob (ID 20).
  void join_through_alice() {
    machine.start(6000, {{"10.0.0.1", 5001}});
    dialed(1);
    challenge(1);
    machine.on_members(*peers.find(1), {{"alice", "", 5001, id(10)},
                                        {"bob", "10.0.0.2", 5002, id(20)}});
  }

  // A member `name`, peer `n`, on an accepted connection `conn`.
  peer& accepted_member(conn_id conn, const std::string& name, int n) {
    machine.on_incoming(conn, "10.0.0.9");
    auto msg = greeting_from(conn, n, name);
    machine.on_greeting(*peers.find(conn), msg);
    return *peers.find(conn);
  }

  using lines = std::vector<std::string>;
};

} // namespace
