// SPDX-License-Identifier: MIT
// The `[groupchat]` section of the configuration file: defaults, parsing and
// validation, all before any actor starts.

#pragma once

#include <chrono>
#include <cstdint>
#include <cstddef>
#include <istream>
#include <memory>
#include <optional>
#include <string>

#include <caf/timespan.hpp>

#include "protocol/wire/frame.hpp"

namespace caf {
class actor_system_config;
} // namespace caf

namespace groupchat::protocol {

class identity;

} // namespace groupchat::protocol

namespace groupchat {

struct connection_options;
struct membership_options;

/// Every tunable of the product, with its default.
struct settings {
  /// Deadline for one TCP connect (name lookup included).
  caf::timespan connect_timeout = std::chrono::seconds(3);
  /// Deadline for the member list after connecting, and for all greetings.
  caf::timespan join_timeout = std::chrono::seconds(5);
  /// How long a leaving peer waits for a member that takes none of the
  /// output still queued for it (what it takes, it gets in full).
  caf::timespan leave_timeout = std::chrono::milliseconds(500);
  /// How often each member is sent a heartbeat.
  caf::timespan heartbeat_interval = std::chrono::seconds(1);
  /// Silence after which a peer is reported as lost (at least two
  /// heartbeat intervals).
  caf::timespan peer_timeout = std::chrono::seconds(5);
  /// How long a stranger has from its connect to greet (passphrase
  /// handshake included); what it sends meanwhile does not extend it.
  caf::timespan greeting_timeout = std::chrono::seconds(2);
  /// Largest frame body accepted or sent, in bytes.
  size_t max_frame_size = protocol::default_max_frame_size;
  /// Open connections at most; further accepted sockets are closed at once.
  /// Also the longest member list accepted.
  size_t max_connections = 256;
  /// Connections that have not greeted yet at most, in all and from one
  /// host; a new one closes the oldest beyond either bound.
  size_t max_strangers = 64;
  size_t max_strangers_per_host = 16;
  /// Output queued for one peer, in bytes: above half of it, typed input
  /// waits until it drains; a peer that takes less than 4 KiB of it in 2 s,
  /// or lets eight times it pile up, is dropped.
  size_t max_pending_output = 8 * 1024 * 1024;
  /// Messages per second one peer may send on average (bursts of twice as
  /// many pass); a faster peer is read more slowly, never dropped for it.
  size_t max_messages_per_second = 2000;
  /// Failed passphrase handshakes (each one online guess) one host may
  /// have in a burst; then one per `failed-handshake-interval`, and its
  /// connections beyond that are closed at once.
  size_t max_failed_handshakes = 5;
  caf::timespan failed_handshake_interval = std::chrono::seconds(10);
  /// Our own lines each member keeps to send again to members that missed
  /// them (0: none).
  size_t history_lines = 200;
  /// How long a member that was lost (not one that left) is retried.
  caf::timespan rejoin_window = std::chrono::minutes(10);
  /// Exit with an error rather than create a group if nobody answers.
  bool join_only = false;
  /// Ring the terminal bell once for a line that mentions our name.
  bool mention_bell = true;
  /// One of: error, warning, info, debug, trace.
  std::string log_level = "warning";
  /// What stdout carries and stdin takes: "text" (lines for people) or
  /// "json" (JSON Lines for programs).
  std::string format = "text";
  /// The group's passphrase; empty for a group without one.
  std::string secret;
  /// The one address to listen on (an IPv4 or IPv6 literal); empty: every
  /// interface.
  std::string listen;
};

/// Takes the CRs out of a config file's text: one written on Windows reads
/// as any other (CAF takes a CR for a stray character).
void drop_carriage_returns(std::string& text);

/// Nothing if `address` is an IPv4 or IPv6 address to listen on, else why
/// not.
std::optional<std::string> check_listen(const std::string& address);

/// The one address `listen` names, or "" for every interface (none given,
/// or 0.0.0.0 or ::): what the banner shows and connects go out from.
std::string specific_address(const std::string& listen);

/// Reads the `[groupchat]` section of a CAF-format config file from `in`
/// into `out`. Unknown keys, values of the wrong type and values out of range
/// are errors (CAF itself would ignore a mistyped value silently).
/// @returns an error for humans, naming the key, or nothing on success.
std::optional<std::string> read_settings(std::istream& in, settings& out);

/// Checks a log level name.
std::optional<std::string> check_log_level(const std::string& level);

/// Checks an output format name ("text" or "json").
std::optional<std::string> check_format(const std::string& format);

/// What every connection may spend, from `s`. The group key is left empty:
/// main derives it from the passphrase.
connection_options make_connection_options(const settings& s);

/// What membership needs, from `s`, for the peer `name` with key pair
/// `self` (whose public key is its peer ID).
membership_options
make_membership_options(const settings& s, std::string name,
                        std::shared_ptr<const protocol::identity> self);

/// CAF's scheduler and reading as groupchat runs them (before any CAF
/// sections of the config file); the benchmark's CAF floor runs the same.
void set_caf_defaults(caf::actor_system_config& cfg);

} // namespace groupchat
