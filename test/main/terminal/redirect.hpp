// SPDX-License-Identifier: MIT
// Puts another descriptor in place of stdin or stdout for the length of a
// test, and the original back after.

#pragma once

#include <cstdio>

#include <unistd.h>

namespace groupchat::testing {

class redirect {
public:
  /// Saves `target` (STDIN_FILENO, STDOUT_FILENO) to put it back later.
  explicit redirect(int target) : target_(target), saved_(::dup(target)) {
    // nop
  }

  /// Reads or writes go to `fd` from now on.
  void to(int fd) {
    std::fflush(stdout);
    ::dup2(fd, target_);
  }

  ~redirect() {
    std::fflush(stdout);
    ::dup2(saved_, target_);
    ::close(saved_);
  }

  redirect(const redirect&) = delete;
  redirect& operator=(const redirect&) = delete;

private:
  int target_;
  int saved_;
};

} // namespace groupchat::testing
