// SPDX-License-Identifier: MIT
#define CAF_SUITE main.terminal.stdout_writer

#include "main/terminal/stdout_writer.hpp"

#include <chrono>
#include <functional>
#include <future>
#include <regex>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>

using namespace groupchat;
using namespace std::chrono_literals;

namespace {

// A pipe standing in for stdout; `out` is its read end.
struct fixture {
  int out = -1;
  int in = -1;
  /// What the pipe holds before writes start to wait.
  size_t capacity = 0;

  fixture() {
    int fds[2];
    CAF_REQUIRE_EQUAL(::pipe(fds), 0);
    out = fds[0];
    in = fds[1];
    // The smallest pipe (one page), so that a few lines fill it.
    CAF_REQUIRE(::fcntl(in, F_SETPIPE_SZ, 4096) > 0);
    capacity = static_cast<size_t>(::fcntl(in, F_GETPIPE_SZ));
  }

  ~fixture() {
    ::close(out);
    ::close(in);
  }

  // Reads until `done(text)` holds, for at most five seconds.
  std::string read_until(const std::function<bool(const std::string&)>& done) {
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done(text)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
      pollfd pfd{out, POLLIN, 0};
      if (left <= 0ms || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
        break;
      char buf[4096];
      auto n = ::read(out, buf, sizeof(buf));
      if (n <= 0)
        break;
      text.append(buf, static_cast<size_t>(n));
    }
    return text;
  }
};

// Lines "0000000" to the n-1st, eight bytes each with the newline, so that
// order and losses show.
std::string numbered_lines(size_t n) {
  std::string result;
  for (size_t i = 0; i < n; ++i) {
    auto digits = std::to_string(i);
    result += std::string(7 - digits.size(), '0') + digits + '\n';
  }
  return result;
}

void write_lines(stdout_writer& writer, const std::string& lines) {
  for (size_t i = 0; i < lines.size(); i += 8)
    writer.write_line(lines.substr(i, 7));
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(stdout_writer_tests, fixture)

CAF_TEST(lines arrive in order each with a newline) {
  stdout_writer writer{in};
  writer.write_line("first");
  writer.write_line("");
  writer.write_line("third");
  auto expected = std::string{"first\n\nthird\n"};
  auto text = read_until([&](auto& x) { return x.size() >= expected.size(); });
  CAF_CHECK_EQUAL(text, expected);
}

// The descriptor is shared with the shell: switching it to non-blocking
// would outlive us.
CAF_TEST(the blocking mode of the descriptor stays as it was) {
  stdout_writer writer{in};
  writer.write_line("x");
  CAF_CHECK_EQUAL(::fcntl(in, F_GETFL) & O_NONBLOCK, 0);
}

// The console calls write_line on the thread of every socket and timer: a
// reader that stops reading must not stop the chat.
CAF_TEST(a full pipe that nobody drains does not block write_line) {
  stdout_writer writer{in};
  auto lines = numbered_lines(4 * capacity / 8);
  std::promise<void> written;
  std::thread caller{[&] {
    write_lines(writer, lines);
    written.set_value();
  }};
  CAF_CHECK(written.get_future().wait_for(5s) == std::future_status::ready);
  // Draining now lets the waiting lines out, in order, none lost.
  auto text = read_until([&](auto& x) { return x.size() >= lines.size(); });
  caller.join();
  CAF_CHECK_EQUAL(text, lines);
}

// What a reader makes of the output: the numbered lines shown, and the
// lines the notices say are missing, each right where they are missing.
struct account {
  size_t shown = 0;
  size_t notices = 0;
  size_t missing = 0;
  /// Each notice counted exactly the gap before the next line shown.
  bool gaps_match = true;
  /// The lines not shown at the end that the last notices counted.
  size_t trailing = 0;
  size_t next = 0;

  explicit account(const std::string& text) {
    static const std::regex notice{
      R"(^\[(\d+) line\(s\) not shown: the output did not keep up\]$)"};
    size_t start = 0;
    for (auto nl = text.find('\n'); nl != std::string::npos;
         start = nl + 1, nl = text.find('\n', start)) {
      auto line = text.substr(start, nl - start);
      std::smatch m;
      if (std::regex_match(line, m, notice)) {
        ++notices;
        trailing += std::stoul(m.str(1));
        missing += std::stoul(m.str(1));
        continue;
      }
      auto number = std::stoul(line);
      gaps_match = gaps_match && number - next == trailing;
      trailing = 0;
      next = number + 1;
      ++shown;
    }
  }
};

// Memory stays bounded; the reader learns that lines are missing and how
// many, right where they are missing. (The writer's thread may take a line
// while later ones are still being written: then there is a notice before
// each line that follows a gap.)
CAF_TEST(lines beyond the bound are counted and reported once output flows) {
  stdout_writer writer{in, 10}; // Room for one waiting line.
  auto count = capacity / 8 + 50;
  write_lines(writer, numbered_lines(count));
  auto text = read_until([&](const std::string& x) {
    account a{x};
    return a.shown + a.missing >= count && a.notices > 0;
  });
  account a{text};
  CAF_CHECK_GREATER(a.notices, 0u);
  CAF_CHECK_EQUAL(a.shown + a.missing, count);
  CAF_CHECK(a.gaps_match);
  CAF_CHECK_EQUAL(a.next + a.trailing, count);
  CAF_CHECK_GREATER_OR_EQUAL(a.shown, capacity / 8);
  // Output flows again: later lines follow, with no notice.
  writer.write_line("after");
  auto rest = read_until([](auto& x) { return x.size() >= 6; });
  CAF_CHECK_EQUAL(rest, "after\n");
}

CAF_TEST_FIXTURE_SCOPE_END()
