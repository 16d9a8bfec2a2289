// SPDX-License-Identifier: MIT
#include "main/command_line.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "main/secret.hpp"

namespace groupchat {

int usage_error(const std::string& what) {
  std::fprintf(stderr, "groupchat: %s (see --help)\n", what.c_str());
  return exit_usage_error;
}

namespace {

constexpr const char* description
  = R"(groupchat: a serverless group chat for the terminal.

Every peer listens on PORT and connects directly to every other peer. Without
PEER addresses it creates a new group; with them it tries each in order and
joins the group of the first that answers (or creates a group if none does).
Type a line to send it; type 'exit' or '/quit [TEXT]', press Ctrl+C or
Ctrl+D to leave. Commands: /msg NAME TEXT, /me ACTION, /who, /nick NAME,
/history [N], /quit [TEXT], /help.

Examples:
  groupchat --name alice 5000                     create a group
  groupchat --name bob 5001 192.168.1.7:5000      join it through alice
  groupchat --new-secret > ~/.groupchat-secret    make a passphrase (then
                                                  chmod 600 it, share it safely)
  groupchat --name carol --secret-file ~/.groupchat-secret 0 192.168.1.7:5000
                                                  join a protected group

The configuration is read from --config FILE, else ./groupchat.ini if it
exists, else built-in defaults are used (a documented sample is
config/groupchat.ini, installed under /usr/share/doc/groupchat/examples).
Exit status: 0 after leaving, 1 if the port is taken, the group refuses
the join (or, with --join-only, nobody answers), 2 for bad arguments or
configuration. See groupchat(1).)";

// PORT is required but by --new-secret, which CLI11 cannot say of a
// positional argument: its usage line would show [PORT].
class usage_formatter : public CLI::Formatter {
public:
  std::string make_usage(const CLI::App*, std::string name) const override {
    return "\nUsage: " + name + " [OPTIONS] PORT [PEER...]\n       " + name
           + " --new-secret\n";
  }
};

} // namespace

// Returns an exit status if the program should stop now (help, version, bad
// arguments), nothing if it should run.
std::optional<int> parse_command_line(int argc, char** argv,
                                      const char* version, command_line& out) {
  CLI::App app{description, "groupchat"};
  app.formatter(std::make_shared<usage_formatter>());
  std::string port;
  std::vector<std::string> peers;
  // Required unless --new-secret: checked below.
  app.add_option("PORT", port, "TCP port to listen on; 0 picks a free one");
  app.add_option("PEER", peers,
                 "HOST:PORT or [IPv6]:PORT of a member to join through");
  app.add_option("-n,--name", out.name,
                 "your display name (asked for when omitted at a terminal)");
  app.add_option("-c,--config", out.config_path, "configuration file");
  app.add_option("--log-level", out.log_level,
                 "error, warning, info, debug or trace (overrides the file)");
  app.add_option("--format", out.format,
                 "text (the default) or json: JSON Lines on stdout and stdin, "
                 "for scripts and bots (overrides the file)");
  app.add_option("--secret-file", out.secret_file,
                 "file holding the group's passphrase (else $GROUPCHAT_SECRET, "
                 "else the config's secret); every member needs the same");
  app.add_option("--listen", out.listen,
                 "listen on this address only, such as 127.0.0.1 (overrides "
                 "the file; default: every interface)");
  app.add_option("--identity", out.identity_file,
                 "key file of the identity to prove (else one per name in "
                 "$XDG_DATA_HOME/groupchat/keys, made on first use)");
  app.add_flag("--new-secret", out.new_secret,
               "print a new random passphrase (128 bits, easy to read aloud) "
               "and exit");
  app.add_flag("--join-only", out.join_only,
               "exit with status 1 if no PEER answers, instead of creating "
               "a new group");
  app.set_version_flag("--version", version);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::cout << "groupchat " << version << '\n';
    return 0;
  } catch (const CLI::ParseError& e) {
    return usage_error(e.what());
  }
  if (out.new_secret) {
    std::cout << new_passphrase() << '\n';
    return 0;
  }
  if (port.empty())
    return usage_error("PORT is required");
  auto num = protocol::parse_port(port);
  if (!num)
    return usage_error("PORT: " + num.error().detail);
  out.port = *num;
  for (auto& str : peers) {
    auto ep = protocol::parse_endpoint(str);
    if (!ep)
      return usage_error(ep.error().detail);
    out.peers.push_back(std::move(*ep));
  }
  return std::nullopt;
}

namespace {

void warn_if_readable(const std::string& path) {
  if (auto warning = check_secret_permissions(path))
    std::fprintf(stderr, "groupchat: warning: %s\n", warning->c_str());
}

} // namespace

// Reads the configuration file named on the command line or found in the
// working directory. Returns an exit status on error.
std::optional<int> load_settings(const command_line& cli, settings& out,
                                 std::string& path) {
  path = cli.config_path;
  if (path.empty() && ::access("groupchat.ini", F_OK) == 0)
    path = "groupchat.ini";
  if (!path.empty()) {
    std::ifstream in{path};
    if (!in)
      return usage_error("cannot read config file " + path);
    if (auto err = read_settings(in, out))
      return usage_error(path + ": " + *err);
  }
  // The passphrase: never from the command line itself, where ps shows it.
  // The environment's copy goes at once, whatever else supplies one.
  auto env_secret = take_secret_from_env("GROUPCHAT_SECRET");
  if (!cli.secret_file.empty()) {
    std::string error;
    auto secret = read_secret_file(cli.secret_file, error);
    if (!secret)
      return usage_error(error);
    warn_if_readable(cli.secret_file);
    wipe(out.secret);
    out.secret = std::move(*secret);
  } else if (env_secret) {
    wipe(out.secret);
    out.secret = std::move(*env_secret);
  } else if (!out.secret.empty()) {
    warn_if_readable(path);
  }
  if (env_secret)
    wipe(*env_secret);
  if (cli.join_only)
    out.join_only = true;
  if (out.join_only && cli.peers.empty())
    return usage_error("join-only needs a PEER to join through");
  if (!cli.log_level.empty()) {
    if (auto err = check_log_level(cli.log_level))
      return usage_error("--" + *err);
    out.log_level = cli.log_level;
  }
  if (!cli.listen.empty()) {
    if (auto err = check_listen(cli.listen))
      return usage_error("--" + *err);
    out.listen = cli.listen;
  }
  if (!cli.format.empty()) {
    if (auto err = check_format(cli.format))
      return usage_error("--" + *err);
    out.format = cli.format;
  }
  return std::nullopt;
}

} // namespace groupchat
