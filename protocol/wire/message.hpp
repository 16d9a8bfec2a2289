// SPDX-License-Identifier: MIT
// The messages peers exchange, and their JSON encoding. See
// protocol/README.md ("Message types", "The join handshake").

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/wire/error.hpp"
#include "protocol/wire/text.hpp"
#include "protocol/wire/ids.hpp"

namespace groupchat::protocol {

/// The protocol version this build speaks; every message carries it.
constexpr uint32_t version = 3;

/// Longest host string in a member list.
constexpr size_t max_host_size = 255;

/// Sequence numbers go up to 2^53 - 1 (exact in every JSON implementation,
/// including those that store numbers as doubles).
constexpr uint64_t max_seq = (uint64_t{1} << 53) - 1;

/// The furthest a sender's `seq` may jump beyond the highest we know of it
/// (from its chat lines, or from what its greeting or welcome says it said
/// before): lines on their way (at most 64 wait to be sent) and private
/// lines for others fit many times over; a larger jump cannot be real and
/// the line is refused.
constexpr uint64_t max_seq_gap = 65536;

/// Longest reason in a `refuse` message.
constexpr size_t max_reason_size = 256;

/// Deepest nesting of JSON arrays and objects a body may have. The deepest
/// message of this version has 3 (welcome: object, members array, entry);
/// the rest is room for optional fields of later versions.
constexpr size_t max_nesting = 8;

/// Every kind of message on the wire.
enum class message_type : uint8_t {
  /// Newcomer to entry peer: "who is in the group?" (join step 1).
  hello,
  /// Entry peer to newcomer: every member with its listen address, the entry
  /// peer included (join step 2). Also sent between members from time to
  /// time, so that peers that joined concurrently learn of each other.
  members,
  /// Newcomer to each member: name and listen port (join step 3).
  greeting,
  /// Member to newcomer: the greeting was accepted; carries the member's
  /// name, which is authoritative for that connection, and its member list
  /// (join step 4).
  welcome,
  /// Member to newcomer: the greeting was refused (e.g. name taken); the
  /// newcomer gives up joining.
  refuse,
  /// A chat line; the sender is the peer at the other end of the connection.
  chat,
  /// "I am alive": the answer to a `probe`, and to everyone when the
  /// sender learns that it is suspected.
  heartbeat,
  /// The sender leaves the group gracefully.
  leave,
  /// Accepting side to dialing side, first on every connection: the nonce
  /// the dialer's `greeting` must sign (see identity.hpp).
  challenge,
  /// Member to member: the sender goes by `name` from now on ("/nick").
  nick,
  /// Member to member: "I cannot connect to member `id`: carry its lines to
  /// me and mine to it" (with `stop`: no longer needed). See relay.hpp.
  carry,
  /// Carrier to member: member `id` (`name`) is reached through the sender
  /// now, its public lines at `seq`; with `stop`, no longer (`left`: it
  /// left the group).
  route,
  /// A line of member `id` carried by the sender, who is not its author:
  /// public lines are signed by their author (`proof`), private ones sealed
  /// to the recipient `to` (`text` holds the sealed box in hex). With
  /// `history`: a line of an author the receiver cannot hear itself (it
  /// left), passed on to a newcomer with the author's `name`, or of a
  /// member the sender carries to the receiver, that the receiver had not
  /// shown (catching up); only the last line of a batch has the
  /// signature (of lines `first` to `seq`).
  carried,
  /// Member to member: the sender's public lines `first` to `seq` of this
  /// run are signed by `proof` (see line_seals.hpp).
  seal,
  /// Member to member: "are you alive?", answered with a `heartbeat`,
  /// unless the receiver is the sender's partner in the probe's round,
  /// whose own probe is the answer (see failure_detector.hpp).
  probe,
  /// Member to member: member `id` answered none of the sender's probes;
  /// each receiver probes it itself (never drops it on this word alone).
  suspect,
};

/// Returns the wire name of `x`, e.g. "greeting".
const char* to_string(message_type x) noexcept;

/// Why a `refuse` was sent, for the program to act on; its `reason` says
/// the same for humans. A code this version does not know reads as `other`.
enum class refusal : uint8_t {
  /// Anything without a code of its own.
  other,
  /// The name in `name` is taken in the group.
  name_taken,
  /// The greeting meant another key: another process listens at that
  /// address now.
  not_that_peer,
  /// The group has a passphrase, and the peer spoke without one.
  passphrase_needed,
  /// The peer's address used up its guesses at the passphrase: the
  /// reason says when to try again. No guess was tested.
  throttled,
};

/// Returns the wire name of `x`, e.g. "name_taken".
const char* to_string(refusal x) noexcept;

/// One entry of a member list.
struct member_info {
  /// The member's display name.
  std::string name;
  /// Where the entry peer sees the member; empty means "the entry peer's own
  /// address" and a loopback address means "on the entry peer's host".
  std::string host;
  /// The member's listen port.
  uint16_t port = 0;
  /// The member's peer ID: its public key, which it proves when greeted.
  peer_id id;
  /// When it joined the group, as it says (microseconds since the epoch;
  /// 0: unknown).
  uint64_t since = 0;

  friend bool operator==(const member_info& x, const member_info& y) {
    return x.name == y.name && x.host == y.host && x.port == y.port
           && x.id == y.id && x.since == y.since;
  }
};

/// A decoded message. Which fields are meaningful depends on `type`.
struct message {
  message_type type = message_type::hello;
  /// `greeting`, `welcome`, `nick`: the sender's name. `refuse` with
  /// `name_taken`: the name refused.
  std::string name;
  /// `greeting`: the sender's listen port.
  uint16_t port = 0;
  /// `greeting`, `welcome`: the sender's peer ID, its public key.
  peer_id id;
  /// `challenge`, `greeting`: the sender's fresh nonce.
  std::string nonce;
  /// `greeting`, `welcome`: the sender's signature of the handshake, which
  /// proves that `id` is its key (see identity.hpp). `chat`, `carried`,
  /// `seal` (on the wire `sig`): the author's signature of the line, or of
  /// the batch of lines from `first` to `seq`.
  std::string proof;
  /// `chat`: the sender's sequence number, 1 for its first line.
  /// `greeting`, `welcome`: how many lines the sender said before.
  /// `probe` (on the wire `round`): the sender's round, 0 for none.
  uint64_t seq = 0;
  /// `seal`, `carried` with `history`: the first line of the batch that
  /// `proof` signs and `seq` ends (0: the line alone).
  uint64_t first = 0;
  /// `chat`: the text, UTF-8. `refuse`: the reason, for humans.
  std::string text;
  /// `refuse`: the reason, for the program.
  refusal code = refusal::other;
  /// `chat`: an action ("/me waves"), shown as "* NAME TEXT".
  bool action = false;
  /// `chat`: sent to the receiver only ("/msg NAME TEXT"). Private lines
  /// are numbered apart from the others (`seq` counts the sender's private
  /// lines), so the public numbers have no holes.
  bool whisper = false;
  /// `chat`: said before this connection, sent again because the receiver
  /// missed it (see history.hpp); `time` says when.
  bool history = false;
  /// `chat` with `history`, signed `chat`, `carried`: when the line was
  /// said, in microseconds since the Unix epoch (the sender's clock).
  uint64_t time = 0;
  /// `carry`: no longer carry. `route`: no longer reached through the
  /// sender.
  bool stop = false;
  /// `route` with `stop`: the member left the group.
  bool left = false;
  /// `greeting`, `welcome`: the highest `seq` of the receiver's lines the
  /// sender has shown (0: none); the receiver sends the rest it still
  /// holds, as `history` lines, after the welcome. `carry`: the same of
  /// member `id`'s lines, which the carrier sends from what it keeps.
  uint64_t seen = 0;
  /// `greeting`, `welcome`, `carry`: the run that `seen` counts in (its
  /// `since`, as the sender knows it); a count of another run is no count.
  uint64_t seen_since = 0;
  /// `welcome`: how many `history` lines follow it.
  uint64_t replay = 0;
  /// `greeting`, `welcome`: when the sender joined the group (or created
  /// it), in microseconds since the epoch; `/who` counts from it.
  uint64_t since = 0;
  /// `greeting`, optional: the key of the peer the sender means to reach
  /// (the one its proof names), so that a peer restarted at an address
  /// (a new key) can say "not me" instead of failing the proof.
  /// `carried` private line: its recipient.
  peer_id to;
  /// `members`, `welcome`: the member list.
  std::vector<member_info> members;
  /// Not on the wire: the channel binding of the sealed connection this
  /// message arrived on, set by the receiving connection for the messages
  /// of the handshake.
  std::string channel;

  friend bool operator==(const message& x, const message& y) {
    return x.type == y.type && x.name == y.name && x.port == y.port
           && x.id == y.id && x.nonce == y.nonce && x.proof == y.proof
           && x.seq == y.seq && x.text == y.text && x.code == y.code
           && x.action == y.action && x.whisper == y.whisper
           && x.history == y.history && x.time == y.time && x.seen == y.seen
           && x.seen_since == y.seen_since && x.replay == y.replay
           && x.to == y.to && x.since == y.since && x.members == y.members
           && x.stop == y.stop && x.left == y.left && x.first == y.first;
  }

  friend bool operator!=(const message& x, const message& y) {
    return !(x == y);
  }
};

// -- factories ----------------------------------------------------------------

message make_hello();

message make_members(std::vector<member_info> members);

/// Greetings and welcomes are made without `proof`, which signs the
/// handshake's values and is added last (see join_machine).
message make_greeting(std::string name, uint16_t port, peer_id id,
                      std::string nonce, uint64_t said);

message make_welcome(std::string name, peer_id id,
                     std::vector<member_info> members, uint64_t said);

message make_challenge(std::string nonce);

/// A refusal: `code` for the program, `reason` for humans, and with
/// `name_taken` the name refused.
message make_refuse(refusal code, std::string reason, std::string name = {});

message make_chat(std::string text, uint64_t seq);

/// A chat line that is an action ("/me").
message make_action(std::string text, uint64_t seq);

/// A chat line for one member only ("/msg").
message make_whisper(std::string text, uint64_t seq);

/// A line said before, sent again to a member that missed it.
message make_history(std::string text, uint64_t seq, bool action,
                     uint64_t time);

message make_heartbeat();
/// A probe of our round `round` (0: none, the receiver answers at once).
message make_probe(uint64_t round);
message make_suspect(peer_id id);

message make_leave();

message make_nick(std::string name);

/// Asks a member to carry lines between us and member `id` (or, with
/// `stop`, to stop); we have shown `id`'s lines up to `seen` of its run
/// `seen_since`, and the carrier sends what it keeps after them.
message make_carry(peer_id id, bool stop, uint64_t seen = 0,
                   uint64_t seen_since = 0);

/// Tells a member that `id`, named `name`, with public lines up to `seq`
/// in its run `since`, is reached through us now.
message make_route(peer_id id, std::string name, uint64_t seq, uint64_t since);

/// Tells a member that `id` is no longer reached through us (`left`: it
/// left the group).
message make_unroute(peer_id id, bool left);

/// Our public lines `first` to `last` are signed by `sig`.
message make_seal(uint64_t first, uint64_t last, std::string sig);

// -- encoding and decoding ----------------------------------------------------

/// Encodes `x` as a JSON object. Never throws on bad UTF-8 in strings: such
/// bytes become U+FFFD.
std::string encode(const message& x);

/// encode() without its quick path for chat lines (quick_encode.hpp): the
/// JSON tree (nlohmann) for every message. What the quick path is held to.
std::string encode_tree(const message& x);

/// Decodes a frame body. Never throws; every malformed input is an error.
/// A body nested deeper than `max_nesting` is refused before it is parsed.
/// Chat lines and heartbeats take a quick path without a JSON tree
/// (quick_decode.hpp); every other body, and every error, is decode_tree's.
result<message> decode(std::string_view body);

/// decode() without its quick path: the JSON tree (nlohmann) for every
/// body. What decode() returns for any input, and what the fuzzer and the
/// tests hold quick_decode to.
result<message> decode_tree(std::string_view body);

/// The deepest nesting of arrays and objects in `body`, found without
/// parsing it (brackets inside strings do not count).
size_t nesting_depth(std::string_view body) noexcept;

// -- validation ---------------------------------------------------------------

/// Checks a name received from a peer: what `normalize_name` accepts,
/// already in normal form C (a peer sends its name normalised, and the
/// signature of its greeting covers those bytes).
result<std::string> validate_name(std::string_view name);

} // namespace groupchat::protocol
