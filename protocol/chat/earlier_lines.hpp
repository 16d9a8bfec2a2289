// SPDX-License-Identifier: MIT
// Lines said before we came, as a terminal shows them: the history that
// members send on a join or a return comes in a burst, which would push
// "Joined" and "Members:" off the screen. A burst is cut to its last
// screenful, with a line above that says how many more there are, and a
// line below where now begins; `/history` shows what was kept. A plain
// class over laid-out lines: the console does the layout.

#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

namespace groupchat::protocol {

class earlier_lines {
public:
  /// Shows at most `screen` lines of a burst (0: all); keeps the last
  /// `keep` earlier lines for `/history`.
  explicit earlier_lines(size_t screen, size_t keep = 1000)
    : screen_(screen), keep_(keep) {
    // nop
  }

  /// An earlier line, laid out: held until the burst ends.
  void add(std::string line);

  /// Whether a burst is held.
  bool holding() const noexcept {
    return !burst_.empty();
  }

  /// The burst ended: the lines to show now, markers included.
  std::vector<std::string> flush();

  /// The last `n` earlier lines kept (0: all of them), oldest first.
  std::vector<std::string> last(size_t n) const;

private:
  size_t screen_;
  size_t keep_;
  std::vector<std::string> burst_;
  std::deque<std::string> kept_;
};

} // namespace groupchat::protocol
