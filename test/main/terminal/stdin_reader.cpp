// SPDX-License-Identifier: MIT
// Tests of the stdin reader in pipe mode: a pipe or FIFO stands in for
// stdin, and a scoped actor for the console. An anonymous pipe is read on
// CAF's I/O thread, a named FIFO on the reader's own thread: both ways are
// run. Every wait has a deadline.

#define CAF_SUITE main.terminal.stdin_reader

#include "main/terminal/stdin_reader.hpp"

#include <cstdlib>
#include <future>

#include <fcntl.h>
#include <sys/stat.h>

#include <caf/test/unit_test.hpp>

#include "actors/messages.hpp"
#include "live_system.hpp"
#include "main/terminal/redirect.hpp"

using namespace groupchat;
using namespace groupchat::testing;

namespace {

using strings = std::vector<std::string>;

/// Lines under way at most (stdin_reader::window, as documented).
constexpr size_t window = 64;

struct fixture {
  // In this order, as in main: stdin comes back last, and the reader
  // outlives the actor system.
  redirect stdin_{STDIN_FILENO};
  stdin_reader reader{false, ""};
  live_system live;
  /// The end the test writes stdin through.
  int writer = -1;

  ~fixture() {
    reader.stop();
    if (writer >= 0)
      ::close(writer);
  }

  /// stdin becomes an anonymous pipe (read on the I/O thread).
  void use_pipe() {
    int fds[2];
    CAF_REQUIRE_EQUAL(::pipe2(fds, O_CLOEXEC), 0);
    stdin_.to(fds[0]);
    ::close(fds[0]);
    writer = fds[1];
  }

  /// stdin becomes a named FIFO (read on a thread), of 1 MiB.
  void use_fifo() {
    char dir[] = "/tmp/stdin_reader.XXXXXX";
    CAF_REQUIRE(::mkdtemp(dir) != nullptr);
    auto path = std::string{dir} + "/fifo";
    CAF_REQUIRE_EQUAL(::mkfifo(path.c_str(), 0600), 0);
    int in = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    writer = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    ::unlink(path.c_str());
    ::rmdir(dir);
    CAF_REQUIRE(in >= 0 && writer >= 0);
    ::fcntl(in, F_SETFL, ::fcntl(in, F_GETFL) & ~O_NONBLOCK);
    CAF_REQUIRE_GREATER_OR_EQUAL(::fcntl(writer, F_SETPIPE_SZ, 1024 * 1024),
                                 512 * 1024);
    stdin_.to(in);
    ::close(in);
  }

  void write(const std::string& text) {
    CAF_REQUIRE_EQUAL(::write(writer, text.data(), text.size()),
                      static_cast<ssize_t>(text.size()));
  }

  void close_writer() {
    ::close(writer);
    writer = -1;
  }

  void start() {
    reader.start(caf::actor_cast<caf::actor>(live.self), live.sys);
  }

  /// The next message to the console: the line, "(eof)" or "(nothing)"
  /// after `wait`.
  std::string next(caf::timespan wait = patience) {
    std::string result = "(nothing)";
    live.self->receive([&](atom::line, std::string& x) { result = x; },
                       [&](atom::eof) { result = "(eof)"; },
                       caf::after(wait) >> [] {});
    return result;
  }

  /// Whether nothing waits for the console now.
  bool quiet() {
    return next(caf::timespan{0}) == "(nothing)";
  }

  /// The messages up to end of input (or a wait without one).
  strings until_eof() {
    strings result;
    while (result.empty() || result.back() != "(eof)") {
      result.push_back(next());
      if (result.back() == "(nothing)")
        break;
    }
    return result;
  }

  /// Lines "NNNN xxx...", `width` bytes each with the newline.
  static std::string numbered(size_t from, size_t n, size_t width = 16) {
    std::string result;
    for (auto i = from; i < from + n; ++i)
      result += number(i, width) + '\n';
    return result;
  }

  static std::string number(size_t i, size_t width = 16) {
    auto digits = std::to_string(i);
    auto line = std::string(4 - digits.size(), '0') + digits + ' ';
    return line + std::string(width - 1 - line.size(), 'x');
  }

  /// Checks the window: 64 lines under way, one more per line released,
  /// and nothing beyond once the reader stopped.
  void check_window(size_t width) {
    for (size_t i = 0; i < window; ++i)
      CAF_REQUIRE_EQUAL(next(), number(i, width));
    reader.release(1);
    CAF_CHECK_EQUAL(next(), number(window, width));
    // Once stop() returns, the reader sends nothing more: what it sent
    // is in the mailbox.
    reader.stop();
    CAF_CHECK(quiet());
  }

  /// 100 lines and the end of input: 64 go, and the rest once released.
  void check_release() {
    write(numbered(0, 100));
    close_writer();
    start();
    for (size_t i = 0; i < window; ++i)
      CAF_REQUIRE_EQUAL(next(), number(i));
    reader.release(window);
    auto rest = until_eof();
    CAF_REQUIRE_EQUAL(rest.size(), 37u);
    CAF_CHECK_EQUAL(rest.front(), number(64));
    CAF_CHECK_EQUAL(rest[35], number(99));
  }

  /// With stdin still open, finish() sends what is there, a last line
  /// without newline too, then the end of input.
  void check_finish() {
    write("a\nb\npartial");
    start();
    reader.finish();
    CAF_CHECK_EQUAL(until_eof(), (strings{"a", "b", "partial", "(eof)"}));
  }

  /// With stdin still open, stop() returns at once and sends nothing.
  void check_stop() {
    write("a\n");
    start();
    CAF_CHECK_EQUAL(next(), "a");
    auto stopped = std::async(std::launch::async, [this] { reader.stop(); });
    CAF_REQUIRE(stopped.wait_for(patience) == std::future_status::ready);
    CAF_CHECK(quiet());
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(stdin_reader_tests, fixture)

CAF_TEST(lines of a pipe arrive in order and end of input after them) {
  use_pipe();
  write("one\ntwo\r\n\nlast without newline");
  close_writer();
  start();
  CAF_CHECK_EQUAL(until_eof(), (strings{"one", "two\r", "",
                                        "last without newline", "(eof)"}));
}

CAF_TEST(lines of a FIFO arrive in order and end of input after them) {
  use_fifo();
  write("one\n\nlast without newline");
  close_writer();
  start();
  CAF_CHECK_EQUAL(until_eof(),
                  (strings{"one", "", "last without newline", "(eof)"}));
}

CAF_TEST(a pipe has no more than 64 lines under way) {
  use_pipe();
  write(numbered(0, 100)); // All in one read.
  start();
  check_window(16);
}

// A read holds many short lines: those beyond the window wait, read.
CAF_TEST(a FIFO has no more than 64 lines under way) {
  use_fifo();
  write(numbered(0, 100));
  start();
  check_window(16);
}

CAF_TEST(a FIFO has no more than 64 long lines under way) {
  use_fifo();
  write(numbered(0, 70, 5000));
  start();
  check_window(5000);
}

CAF_TEST(lines of a FIFO held for the window all arrive at its end) {
  use_fifo();
  check_release();
}

CAF_TEST(release lets the rest through) {
  use_pipe();
  check_release();
}

CAF_TEST(finish passes on what a pipe holds then ends input) {
  use_pipe();
  check_finish();
}

CAF_TEST(finish passes on what a FIFO holds then ends input) {
  use_fifo();
  check_finish();
}

CAF_TEST(stop ends a pipe reader at once without end of input) {
  use_pipe();
  check_stop();
}

CAF_TEST(stop ends a FIFO reader at once without end of input) {
  use_fifo();
  check_stop();
}

CAF_TEST_FIXTURE_SCOPE_END()
