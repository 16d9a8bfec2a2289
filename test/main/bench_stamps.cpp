// SPDX-License-Identifier: MIT
#define CAF_SUITE main.bench_stamps

#include "main/bench_stamps.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include <unistd.h>

#include <caf/test/unit_test.hpp>

using namespace groupchat;

namespace {

// Runs `f` with stderr going to a temporary file; returns what it wrote.
template <class F>
std::string stderr_of(F f) {
  std::fflush(stderr);
  auto tmp = std::tmpfile();
  auto saved = ::dup(STDERR_FILENO);
  ::dup2(::fileno(tmp), STDERR_FILENO);
  f();
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::string out;
  std::rewind(tmp);
  for (int c; (c = std::fgetc(tmp)) != EOF;)
    out += static_cast<char>(c);
  std::fclose(tmp);
  return out;
}

size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (auto i = hay.find(needle); i != std::string::npos;
       i = hay.find(needle, i + 1))
    ++n;
  return n;
}

} // namespace

CAF_TEST(chat lines are stamped and not shown and the rest passes) {
  std::vector<std::string> shown;
  bench_stamps stamps{2, "p0",
                      [&](const std::string& x) { shown.push_back(x); }};
  stamps.members({"p1"});
  auto err = stderr_of([&] {
    stamps.show("Joined the group chat");
    stamps.show("Members: p1");
    stamps.show("p0: one"); // Ours, first: not due.
    stamps.show("p0: two"); // Ours, second: due.
    stamps.show("p1: one"); // Theirs, first: not due.
    stamps.show("p1: last"); // "last" is always due.
    stamps.show("p9: a stranger's words");
  });
  CAF_CHECK_EQUAL(shown, (std::vector<std::string>{"Joined the group chat",
                                                   "Members: p1",
                                                   "p9: a stranger's words"}));
  CAF_CHECK_EQUAL(count(err, "bench sent 2 "), 1u);
  CAF_CHECK_EQUAL(count(err, "bench sent"), 1u);
  CAF_CHECK_EQUAL(count(err, "bench recv p1 2 "), 1u);
  CAF_CHECK_EQUAL(count(err, "bench recv"), 1u);
  CAF_MESSAGE("the total counts every line received");
  CAF_CHECK(err.find(" 2\n", err.find("bench recv")) != std::string::npos);
}
