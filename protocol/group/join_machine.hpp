// SPDX-License-Identifier: MIT
// The join state machine: this peer's life cycle (bootstrap, join, member,
// leave; join_machine.cpp) and the handshake messages on every connection
// (join_handshake.cpp: one class, its two halves in two files, as Clang
// splits Sema by topic). The jobs it used to hold itself are classes of
// their own: proofs on one connection (handshake.hpp), strangers and
// guesses (admission.hpp), names (naming.hpp), whom to dial
// (dial_plan.hpp), lost members (rejoin.hpp). A plain class: it talks to
// the outside only through the narrow `join_callee` interface, so a test
// drives it without an actor system and reads what it sent (the Membership
// actor is the adapter; compare CAF's basp::instance and its callee).
//
// This peer's phases:
//
//     idle --start--> bootstrapping --members--> joining --all answered--> running
//                       |    ^  \                   |                        |
//                       |    |   no peer answers ---+-- nobody reachable ----+
//                       |    |   (new group)                                 |
//                       +----+ entry failed: next bootstrap peer             |
//     any phase --leave or refused--> leaving --every connection closed--> quit
//
// (A closing connection sends what it holds first and bounds that itself,
// see connection.hpp: the machine waits for no timer to leave.)
//
// The newcomer's side (N), through entry peer E, with member M:
//
//   Step 0  Whoever accepts a connection sends `challenge` first: a fresh
//           nonce the dialer's greeting must sign.
//   Step 1  N dials E (stage entry), sends hello.
//   Step 2  E answers with members: every member, E itself with an empty
//           host. N refuses to join if the list holds its own name.
//   Step 3  N greets E over the same connection and dials and greets every
//           other listed member (stage greeting), each once its challenge
//           arrived. A greeting carries N's key (its ID) and N's signature
//           over both nonces and both keys.
//   Step 4  Each member checks the greeting (the signature proves the ID,
//           name free, not ourselves, one connection per pair), makes N a
//           member, prints "N has joined" and answers welcome, signed the
//           same way, with the members it knows. N checks that the member
//           proves the key its list gave and dials whoever the welcome
//           names and it does not know (a concurrent join).
//   Step 5  Once every greeting was answered, failed or timed out, N prints
//           "Joined the group chat" and who is there; it is running.
//
// Connection stages: accepted -> member (greeting received), entry ->
// greeting -> member (welcome received); any -> closing.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol/events/event.hpp"
#include "protocol/wire/endpoint.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/group/admission.hpp"
#include "protocol/group/dial_plan.hpp"
#include "protocol/group/naming.hpp"
#include "protocol/crypto/identity.hpp"
#include "protocol/wire/message.hpp"
#include "protocol/group/peer_table.hpp"
#include "protocol/group/rejoin.hpp"

namespace groupchat::protocol {

/// Where this peer stands in its own life cycle.
enum class phase : uint8_t {
  /// Waiting for `start`.
  idle,
  /// Trying the bootstrap peers in order, asking one for the member list.
  bootstrapping,
  /// Greeting every member of the list.
  joining,
  /// A member of a group (possibly alone in it).
  running,
  /// Leaving: leave messages sent, waiting for connections to close.
  leaving,
};

/// Who we are and how long the phases may take.
struct join_options {
  /// Our display name, already validated.
  std::string name;
  /// Our key pair; its public key is our peer ID. Two connections between
  /// the same pair of peers are resolved by the IDs: the one dialed by the
  /// lower ID survives.
  std::shared_ptr<const identity> self;
  /// How long an entry peer may take to send the member list, and how long
  /// the greetings of a join may take all together.
  timespan join_timeout{0};
  /// Strangers (accepted connections without a greeting) at most, in all
  /// and from one host: a new one closes the oldest beyond either bound,
  /// members are never closed for strangers.
  size_t max_strangers = 64;
  size_t max_strangers_per_host = 16;
  /// Longest member list accepted from a peer.
  size_t max_members = 256;
  /// A member's gossip (its member list, now and then) is taken at most
  /// once per this: sending lists faster makes nobody dial faster. Members
  /// gossip every few heartbeats; the heartbeat interval is the default.
  timespan gossip_interval = std::chrono::seconds(1);
  /// Failed passphrase handshakes (online guesses) a host may have at
  /// once; then one per interval, its other connections closed at once.
  size_t max_failed_handshakes = 5;
  /// The group has a passphrase: strangers' handshakes are guesses at it.
  bool guarded = false;
  timespan failed_handshake_interval = std::chrono::seconds(10);
  /// How long a lost member is retried (0: never); the first try after
  /// `rejoin_first`, then at doubling intervals up to `rejoin_longest`.
  timespan rejoin_window = std::chrono::minutes(10);
  timespan rejoin_first = std::chrono::seconds(1);
  timespan rejoin_longest = std::chrono::seconds(30);
  /// If none of the bootstrap peers answers (or every member it lists
  /// fails), give up instead of creating a new group.
  bool join_only = false;
};

/// What the join machine needs from its owner.
class join_callee {
public:
  virtual ~join_callee();

  /// Opens a connection; the result comes back through `on_dialed` or
  /// `on_dial_failed` with the same request.
  virtual void dial(const dial_request& req) = 0;

  /// Sends `msg` on connection `conn`.
  virtual void send(conn_id conn, const message& msg) = 0;

  /// Flushes and closes connection `conn`; its end comes back through
  /// `on_closed`.
  virtual void close(conn_id conn) = 0;

  /// The stranger on `conn` greeted and is a member: it may now send
  /// frames of any size.
  virtual void admit(conn_id conn) = 0;

  /// Calls `on_timeout(token)` after `after`.
  virtual void arm_timer(timespan after, uint64_t token) = 0;

  /// Tells the user what happened.
  virtual void report(event ev) = 0;

  /// We are a member of a group now (joined or created): lines typed
  /// meanwhile may go out.
  virtual void running() = 0;

  /// The leave is complete: quit. With an error if the group refused us.
  virtual void quit(const std::optional<error>& reason) = 0;

  /// The current time.
  virtual time_point now() = 0;

  /// How many of our lines went out so far (greetings and welcomes say it,
  /// so that a member knows where our sequence numbers stand).
  virtual uint64_t lines_said() = 0;

  /// The wall clock, in microseconds since the epoch (when we joined).
  virtual uint64_t wall_now() = 0;

  /// Says in `msg`, our greeting or welcome to peer `id`, how far we have
  /// shown its lines (`seen`) and in which of its runs (`seen_since`), so
  /// that the peer sends what we missed. `since`: the run the peer says it
  /// is (0: not said yet); another run than the one we knew numbers its
  /// lines from 1 again (see delivery::on_run).
  virtual void say_seen(const peer_id& id, uint64_t since, message& msg) = 0;

  /// How many lines we would send `p`, a member we welcome, after the
  /// welcome: ours after `seen`, and, to a newcomer that joined through
  /// us, the kept lines of members that left (relay.hpp).
  virtual uint64_t replay_size(const peer& p, uint64_t seen) = 0;

  /// Our own name is now `name` (a rename, or one taken back).
  virtual void renamed(const std::string& name) = 0;

  /// `p` just became a member through `msg`, its greeting or welcome:
  /// send it what it missed of ours (after `msg.seen`).
  virtual void met(const peer& p, const message& msg) = 0;

  /// Peer `id` left the group for good: what was kept of it (its lines'
  /// numbering) can go.
  virtual void forget(const peer_id& id) = 0;

  /// Our connect to member `m` failed. Returns whether another member
  /// carries its lines to us already (see relay.hpp): no news then.
  virtual bool unreachable(const member_info& m) = 0;
};

class join_machine {
public:
  join_machine(join_options opts, peer_table& peers, join_callee& callee);

  phase current() const noexcept {
    return phase_;
  }

  /// Our listen port, announced in greetings and member lists.
  uint16_t port() const noexcept {
    return port_;
  }

  const join_options& options() const noexcept {
    return opts_;
  }

  /// When this run began to join (or create) the group (see `since_`).
  uint64_t since() const noexcept {
    return since_;
  }

  /// Our name now (`options().name` until the first rename).
  const std::string& name() const noexcept {
    return names_.name();
  }

  // -- life cycle -------------------------------------------------------------

  /// Starts: joins through the first of `bootstrap` that answers, or
  /// creates a group.
  void start(uint16_t port, std::vector<endpoint> bootstrap);

  /// Leaves gracefully: every member gets `leave`, every connection closes.
  void leave();

  /// A timer armed through the callee fired.
  void on_timeout(uint64_t token);

  // -- connections ------------------------------------------------------------

  /// A socket from `host` was accepted. Returns whether to keep it. IDs of
  /// connections grow: the oldest stranger has the smallest.
  bool on_incoming(conn_id conn, std::string host);

  /// We answered the handshake of the stranger on `conn`: it started, and
  /// strangers that never did are closed before it for room.
  void on_answered(conn_id conn);

  /// The dial `req` connected as `conn` to the numeric address `host`.
  /// Returns whether to keep it.
  bool on_dialed(const dial_request& req, conn_id conn, std::string host);

  /// The dial `req` failed.
  void on_dial_failed(const dial_request& req, const std::string& why);

  /// The socket of `conn` is gone; `why` is the error it ended with.
  void on_closed(conn_id conn, const std::optional<error>& why);

  /// `p` went silent past its deadline (see failure_detector).
  void on_silent(peer& p);

  /// "/nick NAME": renames us for everyone, if the name is free as far as
  /// we know; a member that knows it taken refuses, and we take our old
  /// name back. Returns why not, or nothing.
  std::optional<std::string> rename(const std::string& name);

  /// A member goes by another name.
  void on_nick(peer& p, message& msg);

  /// Once a heartbeat interval: dials the lost members due for a try.
  void on_tick();

  /// Whether `conn` is the member we joined through.
  bool is_entry(conn_id conn) const noexcept {
    return entry_ && *entry_ == conn;
  }

  /// Whether we are on our way into a group (not yet in one).
  bool joining() const noexcept {
    return phase_ == phase::bootstrapping || phase_ == phase::joining;
  }

  /// Whether lost members are being retried (then ticks must go on).
  bool rejoining() const noexcept {
    return !rejoin_.empty();
  }

  // -- messages ---------------------------------------------------------------
  //
  // Each handler checks that the stage of `p` allows the message, and treats
  // it as a protocol error otherwise. The caller has already checked that
  // `p` is live and that we are not leaving.

  /// Step 0 received: the nonce our greeting signs.
  void on_challenge(peer& p, message& msg);

  /// Step 1 received: "who is in the group?"
  void on_hello(peer& p);

  /// Step 2 received from our entry peer, or gossip from a member.
  void on_members(peer& p, const std::vector<member_info>& list);

  /// Step 3 received: a newcomer (or a member that learned of us) greets us.
  void on_greeting(peer& p, message& msg);

  /// Step 4 received: a member accepted our greeting.
  void on_welcome(peer& p, message& msg);

  /// A member refused our greeting, or the entry peer refused us.
  void on_refuse(peer& p, const message& msg);

  void on_heartbeat(peer& p);

  /// A member leaves gracefully.
  void on_leave(peer& p);

  /// `p` sent a message of `type` that its stage does not allow: it is
  /// dropped (a member is reported lost).
  void unexpected(peer& p, message_type type);

  /// Closes `p`: nothing it still delivers counts, and its end reports
  /// nothing.
  void discard(peer& p);

  /// Our member list: every member, with ourselves first if `with_self`.
  std::vector<member_info> member_list(bool with_self) const;

private:
  void try_next_bootstrap();
  bool acceptable(peer& p, const std::vector<member_info>& list);
  void begin_join(peer& entry, const std::vector<member_info>& list);
  void connect_to(const std::vector<member_info>& list,
                  const std::string& via_host);
  void send_greeting(peer& p);
  void lose(const peer& p);
  bool hand_over(const peer& gone);
  void took_over_failed(const peer& p);
  bool claim_takeover(const peer_id& id);
  void retry_failed(const peer& p, const std::optional<error>& why);

  void announce(const peer& p);
  void on_gossip(peer& p, const std::vector<member_info>& list);
  bool name_clash(peer& p, const message& msg);
  void met(peer& p, const message& msg);
  bool proven(peer& p, const message& msg, proof_role role);
  void tell_of_earlier_group(const peer& p, const message& msg);
  void forget_other_runs(message& msg) const;
  void maybe_finish_join();
  void become_running();
  void refused(error why);
  bool resolve_duplicate(peer& fresh, const peer_id& id, bool& was_member);
  const peer_id& self_id() const noexcept {
    return opts_.self->id();
  }
  void arm_timer(timespan after);
  void disarm_timer();
  void finish_leave();

  join_options opts_;
  peer_table& peers_;
  join_callee& callee_;
  phase phase_ = phase::idle;
  uint16_t port_ = 0;
  /// The bootstrap peers and the index of the next one to try.
  std::vector<endpoint> bootstrap_;
  size_t next_bootstrap_ = 0;
  /// The connection to the member we join through: only its refusal ends
  /// the join (any other member's only loses us that member).
  std::optional<conn_id> entry_;
  /// Identifies the one phase timer that counts; older ones are ignored.
  uint64_t timer_ = 0;
  /// Why we quit: nothing after a leave, an error if refused.
  std::optional<error> quit_reason_;
  /// Whether `quit` was called: it is called once.
  bool finished_ = false;
  /// Why each bootstrap peer that failed did ("HOST:PORT: reason").
  std::vector<std::string> bootstrap_failures_;
  /// Who we told of retrying the peer this address had before ("NAME HOST").
  std::set<std::string> told_of_earlier_group_;
  /// When this run began to join (or create) the group, by the wall clock:
  /// greetings and welcomes say it as `since`, which tells one run of a
  /// key (a key file's, restarted) from the next.
  uint64_t since_ = 0;
  /// Strangers and guesses at the passphrase.
  admission admission_;
  /// Lost members, retried.
  rejoin_schedule rejoin_;
  /// Our name and the members' renames.
  naming names_;
  /// Whom we dial: listed members we do not know, lost ones due a retry.
  dial_plan dials_;
};

} // namespace groupchat::protocol
