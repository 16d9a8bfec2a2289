// SPDX-License-Identifier: MIT
#define CAF_SUITE main.command_line

#include "main/command_line.hpp"

#include <string>
#include <vector>

#include <caf/test/unit_test.hpp>

using namespace groupchat;

namespace {

// Parses `args` (after the program's name) into `out`.
std::optional<int> parse(std::vector<std::string> args, command_line& out) {
  args.insert(args.begin(), "groupchat");
  std::vector<char*> argv;
  for (auto& arg : args)
    argv.push_back(arg.data());
  return parse_command_line(static_cast<int>(argv.size()), argv.data(), "9.9",
                            out);
}

} // namespace

CAF_TEST(a port and peers in order) {
  command_line cli;
  CAF_CHECK(!parse({"--name", "alice", "--format", "json", "5000",
                    "10.0.0.7:5001", "[::1]:5002"},
                   cli));
  CAF_CHECK_EQUAL(cli.name, "alice");
  CAF_CHECK_EQUAL(cli.format, "json");
  CAF_CHECK_EQUAL(cli.port, 5000u);
  CAF_REQUIRE_EQUAL(cli.peers.size(), 2u);
  CAF_CHECK_EQUAL(to_string(cli.peers[1]), "[::1]:5002");
}

CAF_TEST(mistakes are usage errors) {
  for (auto args : std::vector<std::vector<std::string>>{
         {}, {"port"}, {"70000"}, {"5000", "nohost"}, {"--bogus", "5000"}}) {
    command_line cli;
    CAF_CHECK_EQUAL(parse(args, cli), std::optional<int>{exit_usage_error});
  }
}

CAF_TEST(help and version end the program at once) {
  command_line cli;
  CAF_CHECK_EQUAL(parse({"--version"}, cli), std::optional<int>{0});
  CAF_CHECK_EQUAL(parse({"--help"}, cli), std::optional<int>{0});
}

CAF_TEST(the command line overrides the file and is checked) {
  command_line cli;
  settings opts;
  std::string path;
  cli.config_path = "/nonexistent/groupchat.ini";
  CAF_CHECK_EQUAL(load_settings(cli, opts, path),
                  std::optional<int>{exit_usage_error});
  cli.config_path.clear();
  cli.format = "xml";
  CAF_CHECK_EQUAL(load_settings(cli, opts, path),
                  std::optional<int>{exit_usage_error});
  cli.format = "json";
  cli.join_only = true;
  CAF_CHECK_EQUAL(load_settings(cli, opts, path),
                  std::optional<int>{exit_usage_error}); // Join whom?
  cli.peers.push_back({"127.0.0.1", 5000});
  CAF_CHECK(!load_settings(cli, opts, path));
  CAF_CHECK_EQUAL(opts.format, "json");
  CAF_CHECK(opts.join_only);
}
