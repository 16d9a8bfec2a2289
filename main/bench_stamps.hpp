// SPDX-License-Identifier: MIT
// The benchmark's stamps (bench/run.py, GROUPCHAT_BENCH_EVERY=N): a wrapper
// around what the console displays, so that the Console itself carries no
// benchmark code. Every N-th chat line of each member, and the line
// "last", is stamped on stderr with CLOCK_MONOTONIC when the console shows
// it: our own (echoed) lines as "bench sent N NS", others' lines as
// "bench recv NAME N NS TOTAL". Chat lines are then not printed, since the
// benchmark measures the peer, not the terminal; other lines pass through.
// A chat line is told from others by its "NAME: " prefix with NAME a
// member's (or our own) name, as the console reports them. In a pipe a
// history line looks like a live one and counts too: the benchmark forms
// its group before any line is said, so none arrives.

#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace groupchat {

class bench_stamps {
public:
  using display_fn = std::function<void(const std::string&)>;

  /// Stamps every `every`-th line; `own` is our name; what is not chat goes
  /// to `display`.
  bench_stamps(uint64_t every, std::string own, display_fn display);

  /// A line the console shows.
  void show(const std::string& line);

  /// The members' names now.
  void members(std::vector<std::string> names);

private:
  bool due(uint64_t n, const std::string& text) const;

  uint64_t every_;
  std::string own_;
  display_fn display_;
  std::set<std::string> members_;
  uint64_t sent_ = 0;
  std::map<std::string, uint64_t> received_;
  uint64_t total_ = 0;
};

} // namespace groupchat
