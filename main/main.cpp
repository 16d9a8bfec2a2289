// SPDX-License-Identifier: MIT
// groupchat: parse, validate, spawn, wait, exit. What talks to the network
// lives in actors/, the terminal's edges in main/terminal/, the log in
// main/logging; this file only wires them up.

#include <algorithm>
#include <atomic>
#include <clocale>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <sys/ioctl.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/console.hpp"
#include "actors/dialer.hpp"
#include "actors/errors.hpp"
#include "actors/listener.hpp"
#include "actors/connection.hpp"
#include "actors/membership.hpp"
#include "actors/messages.hpp"
#include "main/addresses.hpp"
#include "main/bench_stamps.hpp"
#include "main/command_line.hpp"
#include "main/io_timer.hpp"
#include "main/key_files.hpp"
#include "main/logging.hpp"
#include "main/secret.hpp"
#include "main/settings.hpp"
#include "main/signals.hpp"
#include "main/terminal/stdin_reader.hpp"
#include "main/terminal/stdout_writer.hpp"
#include "protocol/wire/endpoint.hpp"
#include "protocol/events/json_lines.hpp"
#include "protocol/crypto/identity.hpp"
#include "protocol/group/naming.hpp"
#include "protocol/wire/text.hpp"
#include "protocol/wire/message.hpp"
#include "protocol/crypto/secure.hpp"

namespace {

using namespace groupchat;

// The name from --name, or asked for at a terminal.
std::optional<int> resolve_name(command_line& cli) {
  if (cli.name.empty()) {
    if (!::isatty(STDIN_FILENO))
      return usage_error("--name is required when stdin is not a terminal");
    // Asked again until it is a valid name, or input ends; on stderr,
    // which is the terminal too, so that stdout keeps only chat. Ctrl+C
    // leaves the prompt on a line of its own, status 130 as a shell says.
    std::signal(SIGINT, [](int) {
      [[maybe_unused]] auto n = ::write(STDERR_FILENO, "\n", 1);
      ::_exit(128 + SIGINT);
    });
    for (;;) {
      std::cerr << "Your name: " << std::flush;
      if (!std::getline(std::cin, cli.name))
        return usage_error("no name given");
      auto name = protocol::normalize_name(cli.name);
      if (name) {
        cli.name = std::move(*name);
        return std::nullopt;
      }
      if (!cli.name.empty())
        std::cerr << "That name cannot be used: " << name.error().detail
                  << '\n';
    }
  }
  auto name = protocol::normalize_name(cli.name);
  if (!name)
    return usage_error("--name: " + name.error().detail);
  cli.name = std::move(*name);
  return std::nullopt;
}

// The key this run proves: the name's key file, so that a restarted process
// is the same member, not a stranger under a taken name.
std::optional<int> load_identity(const command_line& cli, identity_lease& out) {
  auto path = cli.identity_file;
  if (path.empty() && !data_dir().empty())
    path = data_dir() + "/keys/" + key_file_name(cli.name);
  if (path.empty()) {
    spdlog::warn("neither XDG_DATA_HOME nor HOME is set: this run has a key "
                 "of its own, and the group sees a new member");
    out.key = std::make_shared<const protocol::identity>();
    return std::nullopt;
  }
  std::string error;
  std::string warning;
  auto opened = open_identity(path, out, error, warning);
  // No place for a key (a read-only home) costs the default key file only.
  if (opened == key_file::not_created && cli.identity_file.empty()) {
    warning = error + ": this run has a key of its own, and the group sees "
              + "a new member";
    out.key = std::make_shared<const protocol::identity>();
  } else if (opened != key_file::opened) {
    std::fprintf(stderr, "groupchat: %s\n", error.c_str());
    return exit_usage_error;
  }
  if (!warning.empty())
    spdlog::warn("{}", warning);
  return std::nullopt;
}

// CAF's own settings: the scheduler, then any CAF sections of the file.
std::optional<int> configure_caf(const std::string& config_path,
                                 caf::actor_system_config& cfg) {
  cfg.load<caf::io::middleman>();
  add_error_category(cfg);
  set_caf_defaults(cfg);
  std::stringstream caf_sections;
  if (!config_path.empty()) {
    std::stringstream raw;
    raw << std::ifstream{config_path}.rdbuf();
    auto text = raw.str();
    drop_carriage_returns(text);
    caf_sections << text;
  }
  if (auto err = cfg.parse(caf::actor_system_config::string_list{},
                           caf_sections))
    return usage_error(config_path + ": " + caf::to_string(err));
  return std::nullopt;
}

// What sealing needs: the group key, derived from the passphrase if there
// is one, and the registry of our own handshakes (the reflection guard).
std::optional<int> add_group_key(std::string& secret,
                                 connection_options& limits) {
  limits.sessions = std::make_shared<protocol::own_sessions>();
  if (secret.empty())
    return std::nullopt;
  auto key = protocol::derive_group_key(secret);
  wipe(secret);
  if (!key) {
    std::fprintf(stderr, "groupchat: %s\n", key.error().detail.c_str());
    return exit_runtime_error;
  }
  limits.key = std::make_shared<const protocol::group_key>(*key);
  return std::nullopt;
}

// Opens the listen port; accepted connections report to `membership`.
// Returns the bound port, or nothing after telling the user why not.
std::optional<uint16_t>
open_port(caf::actor_system& sys, caf::scoped_actor& self,
          const caf::actor& listener, uint16_t port, const std::string& host,
          const membership_actor& membership) {
  std::optional<uint16_t> bound;
  caf::error err;
  self
    ->request(listener, caf::infinite, atom::listen_v, port,
              caf::actor_cast<caf::actor>(membership), host)
    .receive([&](uint16_t x) { bound = x; },
             [&](caf::error& e) { err = std::move(e); });
  if (!bound)
    std::fprintf(stderr, "groupchat: cannot listen on port %u: %s\n",
                 static_cast<unsigned>(port),
                 err == caf::sec::cannot_open_port
                   ? "it is already in use or not permitted"
                   : sys.render(err).c_str());
  return bound;
}

// The exit status for membership's exit reason, telling the user why the
// join failed if it did (on stderr, and as an `error` event in JSON mode).
// Why the last run could not join, as said to the user.
std::string last_refusal;

int exit_status(caf::actor_system& sys, const caf::error& reason,
                stdout_writer* json_out) {
  if (!reason || reason == caf::exit_reason::user_shutdown)
    return 0;
  if (reason == caf::exit_reason::kill) { // A second signal.
    std::fprintf(stderr, "groupchat: left without waiting for the others\n");
    return exit_runtime_error;
  }
  auto& why = last_refusal;
  if (auto err = from_caf_error(reason))
    why = (err->code == protocol::ec::authentication_failed
             ? "authentication failed: "
             : "")
          + err->detail;
  else
    why = sys.render(reason);
  if (json_out != nullptr)
    json_out->write_line(protocol::to_json_line(
      protocol::event::failure("join_failed", "cannot join: " + why)));
  why = protocol::make_visible(why); // A peer's words, perhaps.
  std::fprintf(stderr, "groupchat: cannot join: %s\n", why.c_str());
  return exit_runtime_error;
}

// In JSON mode, even the line that says output was left out is JSON.
void say_left_out_as_json(stdout_writer& writer) {
  writer.set_left_out_line([](size_t n) {
    return protocol::to_json_line(protocol::event::failure(
      "not_shown",
      std::to_string(n) + " line(s) not shown: the output did not keep up"));
  });
}

// A member that comes back under its name with another key is announced.
auto check_keys_of(known_keys_file* known) {
  using check = decltype(console_options::check_keys);
  if (known == nullptr)
    return check{};
  return check{[known](const auto& proved) { return known->check(proved); }};
}

// A burst of history shows at most this much at a terminal: the screen
// less room for the lines around it (the banner, "Joined", "Members:",
// the two markers, the prompt).
size_t history_screenful() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0)
    return 16;
  return std::max<size_t>(ws.ws_row, 12) - 8;
}

// What the console shows, and where: above the line being edited at a
// terminal, else through the non-blocking stdout writer.
console_options make_console_options(const command_line& cli,
                                     const settings& opts, bool terminal,
                                     bool interactive, stdin_reader& reader,
                                     stdout_writer& writer) {
  console_options copts;
  copts.json = opts.format == "json";
  if (copts.json)
    say_left_out_as_json(writer);
  copts.terminal = terminal;
  copts.color = terminal && std::getenv("NO_COLOR") == nullptr;
  if (interactive)
    copts.echo_name = cli.name;
  copts.name = cli.name;
  copts.mention_bell = opts.mention_bell;
  if (interactive)
    copts.history_screen = history_screenful();
  if (interactive)
    copts.display = [&reader](const std::string& line) {
      reader.display(line);
    };
  else
    copts.display = [&writer](const std::string& line) {
      writer.write_line(line);
    };
  if (interactive)
    copts.completions = [&reader](std::vector<std::string> names) {
      reader.set_completions(std::move(names));
    };
  copts.release = [&reader](size_t n) { reader.release(n); };
  return copts;
}

// Benchmark mode (GROUPCHAT_BENCH_EVERY=N, N > 0): our own lines are echoed
// so that their stamps are taken where the console sends them, and what is
// shown goes through the stamps.
void wrap_for_bench(std::optional<bench_stamps>& stamps,
                    const std::string& name, console_options& copts) {
  auto env = std::getenv("GROUPCHAT_BENCH_EVERY");
  auto every = env != nullptr ? std::strtoull(env, nullptr, 10) : 0;
  if (every == 0)
    return;
  stamps.emplace(every, name, std::move(copts.display));
  copts.echo_name = name;
  copts.display = [&stamps](const std::string& line) { stamps->show(line); };
  copts.completions = [&stamps](std::vector<std::string> names) {
    stamps->members(std::move(names));
  };
}

// Membership quits after a graceful leave (exit, /quit, EOF, a signal) or
// when the group refuses us. The line editor goes first: a failure is said
// on a line of its own, not after the prompt.
int wait_for_the_end(caf::actor_system& sys, caf::scoped_actor& self,
                     stdin_reader& reader, stdout_writer* json_out) {
  caf::error reason;
  self->receive([&](caf::down_msg& dm) { reason = std::move(dm.reason); });
  reader.stop();
  return exit_status(sys, reason, json_out);
}

// Whatever way run() ends, stdin and the rounds' timer are let go before
// the actor system: watched on the I/O thread, they keep that thread (and
// the system) running.
struct edges_guard {
  stdin_reader& reader;
  io_timer& rounds;
  ~edges_guard() {
    reader.stop();
    rounds.stop();
  }
};

// Membership's rounds on a timer of the I/O thread, where there is one.
void use_io_timer(io_timer& rounds, caf::actor_system& sys,
                  membership_options& mopts) {
  if (rounds.start(sys))
    mopts.arm_tick = [&rounds](caf::timespan delay) { rounds.arm(delay); };
}

// `known` (may be null) outlives the actor system: the console calls it.
int run(const command_line& cli, settings& opts, const std::string& config_path,
        const connection_options& limits,
        std::shared_ptr<const protocol::identity> key, known_keys_file* known) {
  caf::actor_system_config cfg;
  if (auto rc = configure_caf(config_path, cfg))
    return *rc;
  // JSON Lines are for programs: no line editor, no colours, no prefix,
  // even at a terminal.
  bool json = opts.format == "json";
  bool terminal = !json && ::isatty(STDOUT_FILENO) != 0;
  bool interactive = terminal && ::isatty(STDIN_FILENO) != 0;
  // Declared before the actor system: the console may print through it
  // until the system is gone.
  stdin_reader reader{interactive, "> "};
  stdout_writer writer{STDOUT_FILENO};
  // The benchmark (bench/run.py) stamps what the console shows: declared
  // before the actor system, like the writer it wraps.
  std::optional<bench_stamps> stamps;
  // At a terminal, diagnostics are printed above the line being typed too,
  // never across it; undone before the reader goes.
  std::optional<log_to_display> log_redirect;
  if (interactive && ::isatty(STDERR_FILENO))
    log_redirect.emplace(
      [&reader](const std::string& line) { reader.display(line); });
  // Membership's rounds; like the reader, it outlives the actor system.
  io_timer rounds;
  caf::actor_system sys{cfg};
  edges_guard stop_edges_first{reader, rounds};
  auto copts = make_console_options(cli, opts, terminal, interactive, reader,
                                    writer);
  copts.check_keys = check_keys_of(known);
  copts.passphrase = limits.key != nullptr;
  if (!terminal && !json)
    wrap_for_bench(stamps, cli.name, copts);
  auto console = spawn_console(sys, std::move(copts));
  auto listener = spawn_listener(sys, limits, opts.max_connections);
  auto dialer = spawn_dialer(sys, listener, opts.connect_timeout,
                             specific_address(opts.listen));
  auto mopts = make_membership_options(opts, cli.name, std::move(key));
  mopts.release = [&reader](size_t n) { reader.release(n); };
  // With a passphrase, a stranger's handshake is a guess at it.
  mopts.join.guarded = limits.key != nullptr;
  use_io_timer(rounds, sys, mopts);
  auto membership = spawn_membership(sys, std::move(mopts), dialer, console,
                                     true);
  rounds.aim(caf::actor_cast<caf::actor>(membership));
  caf::anon_send(console, atom::attach_v, membership);
  caf::scoped_actor self{sys};
  self->monitor(membership);
  int status = exit_runtime_error;
  if (auto port = open_port(sys, self, listener, cli.port, opts.listen,
                            membership)) {
    // The banner goes to the console before `start`, so it is printed first.
    caf::anon_send(console, atom::listen_v,
                   listen_addresses(*port, specific_address(opts.listen)));
    caf::anon_send(membership, atom::start_v, *port, cli.peers);
    reader.start(caf::actor_cast<caf::actor>(console), sys);
    // A signal ends input through the reader, so that lines typed before it
    // are sent before the leave. A second one does not wait for the leave.
    std::atomic<int> signalled{0};
    // A join under way stops at once: nothing was said yet.
    signal_watcher signals{[&] {
      if (signalled++ == 0) {
        caf::anon_send(membership, atom::leave_v, true);
        reader.finish();
      } else {
        caf::anon_send_exit(membership, caf::exit_reason::kill);
      }
    }};
    status = wait_for_the_end(sys, self, reader, json ? &writer : nullptr);
  } else {
    caf::anon_send(membership, atom::leave_v);
    self->receive([](caf::down_msg&) {});
  }
  cancel_dials();
  caf::anon_send_exit(console, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(listener, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(dialer, caf::exit_reason::user_shutdown);
  return status;
}

// One run under `cli.name`: its key, then the chat.
int run_as(const command_line& cli, settings& opts,
           const std::string& config_path, const connection_options& limits,
           known_keys_file* known) {
  last_refusal.clear();
  identity_lease me;
  if (auto rc = load_identity(cli, me))
    return *rc;
  // Before any thread exists (run starts them), so that all inherit the
  // mask; until here, Ctrl+C ends the program at once (the name prompt).
  block_signals();
  try {
    return run(cli, opts, config_path, limits, me.key, known);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "groupchat: fatal: %s\n", e.what());
    return exit_runtime_error;
  }
}

} // namespace

int main(int argc, char** argv) {
  // The character set of the user's terminal (UTF-8 mostly): without it the
  // line editor runs in the C locale and deletes every non-ASCII key typed.
  // Only LC_CTYPE: numbers and the like keep the C conventions.
  std::setlocale(LC_CTYPE, "");
  // A reader of our stdout that goes away (`groupchat ... | head`) must
  // not kill us before we leave: the write fails instead.
  std::signal(SIGPIPE, SIG_IGN);
  command_line cli;
  if (auto rc = parse_command_line(argc, argv, GROUPCHAT_VERSION, cli))
    return *rc;
  settings opts;
  std::string config_path;
  if (auto rc = load_settings(cli, opts, config_path))
    return *rc;
  init_logging(opts.log_level, ::isatty(STDERR_FILENO) != 0
                                 && std::getenv("NO_COLOR") == nullptr);
  // A name typed at the prompt that the group has taken is asked for again
  // (one given with --name ends the program: a script gets its status).
  bool asked = cli.name.empty();
  if (auto rc = resolve_name(cli))
    return *rc;
  // Derived once: the passphrase is wiped, and a second run needs the key.
  auto limits = make_connection_options(opts);
  if (auto rc = add_group_key(opts.secret, limits))
    return *rc;
  std::optional<known_keys_file> known;
  if (!data_dir().empty())
    known.emplace(data_dir() + "/known_keys");
  for (;;) {
    auto rc = run_as(cli, opts, config_path, limits, known ? &*known : nullptr);
    if (!asked || rc != exit_runtime_error
        || last_refusal != protocol::naming::taken_reason(cli.name))
      return rc;
    // Every thread of the run is gone: Ctrl+C may end the prompt again.
    unblock_signals();
    cli.name.clear();
    if (auto rc = resolve_name(cli))
      return *rc;
  }
}
