// SPDX-License-Identifier: MIT
// Tests of the interactive half of the stdin reader (libedit). Without a
// terminal: `display` before the editor starts. With a pseudo-terminal
// that the test opens and types into: Tab completion of names and
// commands, output above the line being edited, Ctrl+D. Every wait has a
// deadline; the test's own output waits until stdout is back.

#define CAF_SUITE main.terminal.line_editor

#include "main/terminal/stdin_reader.hpp"

#include <cstdlib>
#include <functional>

#include <fcntl.h>
#include <poll.h>

#include <caf/test/unit_test.hpp>

#include "actors/messages.hpp"
#include "live_system.hpp"
#include "main/terminal/redirect.hpp"

using namespace groupchat;
using namespace groupchat::testing;

namespace {

using strings = std::vector<std::string>;

// Reads `fd` until `done(text)` holds or the deadline passes.
std::string read_until(int fd,
                       const std::function<bool(const std::string&)>& done) {
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + patience;
  while (!done(text) && std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 100) <= 0)
      continue;
    char buf[4096];
    auto n = ::read(fd, buf, sizeof(buf));
    if (n <= 0)
      break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

// A pseudo-terminal: `master` is the keyboard and screen, `slave` the
// terminal the program sees.
struct pty {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  int slave = -1;

  pty() {
    if (master >= 0 && ::grantpt(master) == 0 && ::unlockpt(master) == 0)
      slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  }

  ~pty() {
    ::close(slave);
    ::close(master);
  }

  void type(const std::string& keys) {
    [[maybe_unused]] auto n = ::write(master, keys.data(), keys.size());
  }
};

// The next message to `console`: the line, "(eof)" or "(nothing)".
std::string next(caf::scoped_actor& console) {
  std::string result = "(nothing)";
  console->receive([&](atom::line, std::string& x) { result = x; },
                   [&](atom::eof) { result = "(eof)"; },
                   caf::after(patience) >> [] {});
  return result;
}

} // namespace

CAF_TEST(display before the editor starts writes straight to stdout) {
  int fds[2];
  CAF_REQUIRE_EQUAL(::pipe2(fds, O_CLOEXEC), 0);
  std::string text;
  {
    redirect out{STDOUT_FILENO};
    stdin_reader reader{true, "> "};
    out.to(fds[1]);
    reader.display("hello");
    reader.display("");
    // Written and flushed before display returns: no one else prints it.
    pollfd pfd{fds[0], POLLIN, 0};
    if (::poll(&pfd, 1, 0) == 1)
      text = read_until(fds[0], [](auto& x) { return x.size() >= 7; });
  }
  ::close(fds[0]);
  ::close(fds[1]);
  CAF_CHECK_EQUAL(text, "hello\n\n");
}

CAF_TEST(at a terminal Tab completes and Ctrl + D ends input) {
  pty term;
  CAF_REQUIRE_GREATER_OR_EQUAL(term.slave, 0);
  strings got;
  std::string screen;
  {
    redirect in{STDIN_FILENO};
    redirect out{STDOUT_FILENO};
    stdin_reader reader{true, "> "};
    live_system live;
    in.to(term.slave);
    out.to(term.slave);
    reader.set_completions({"bob", "carol"});
    reader.start(caf::actor_cast<caf::actor>(live.self), live.sys);
    term.type("bo\t\r");
    got.push_back(next(live.self));
    term.type("/wh\t\r");
    got.push_back(next(live.self));
    // The editor is surely running now: output goes above the prompt,
    // which is drawn again after it.
    reader.display("news from bob");
    screen = read_until(term.master, [](auto& x) {
      auto at = x.find("news from bob");
      return at != std::string::npos && x.find("> ", at) != std::string::npos;
    });
    term.type("\x04");
    got.push_back(next(live.self));
    reader.stop();
  }
  CAF_CHECK_EQUAL(got, (strings{"bob ", "/who ", "(eof)"}));
  auto at = screen.find("news from bob");
  CAF_REQUIRE_NOT_EQUAL(at, std::string::npos);
  CAF_CHECK_NOT_EQUAL(screen.find("> ", at), std::string::npos);
}
