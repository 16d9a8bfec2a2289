// SPDX-License-Identifier: MIT
// What the user asked for: the command line (CLI11), and with it the
// configuration file and the passphrase, checked before anything starts.
// Every mistake is one clear line on stderr and exit status 2.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "main/settings.hpp"
#include "protocol/wire/endpoint.hpp"

namespace groupchat {

/// Exit statuses: 0 after a graceful leave, 1 for run-time failures (port in
/// use), 2 for bad arguments or configuration.
constexpr int exit_runtime_error = 1;
constexpr int exit_usage_error = 2;

/// What the command line says, validated.
struct command_line {
  std::string name;
  std::string config_path;
  std::string log_level;
  std::string format;
  std::string secret_file;
  std::string identity_file;
  std::string listen;
  bool new_secret = false;
  bool join_only = false;
  uint16_t port = 0;
  std::vector<protocol::endpoint> peers;
};

/// Prints "groupchat: WHAT (see --help)" on stderr; returns exit status 2.
int usage_error(const std::string& what);

/// Parses the arguments into `out`. Returns an exit status if the program
/// should stop now (--help, --version, --new-secret, bad arguments),
/// nothing if it should run. `version` is what --version prints.
std::optional<int> parse_command_line(int argc, char** argv,
                                      const char* version, command_line& out);

/// Reads the configuration file named by `cli` (else ./groupchat.ini if it
/// exists) into `out`, takes the passphrase from --secret-file, the
/// environment or the file, and lets the command line override the file.
/// `path` is set to the file read. Returns an exit status on error.
std::optional<int> load_settings(const command_line& cli, settings& out,
                                 std::string& path);

} // namespace groupchat
