// SPDX-License-Identifier: MIT
#include "main/signals.hpp"

#include <csignal>

#include <pthread.h>

namespace groupchat {

namespace {

sigset_t watched_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR2);
  return set;
}

} // namespace

void block_signals() {
  auto set = watched_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void unblock_signals() {
  auto set = watched_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

signal_watcher::signal_watcher(std::function<void()> on_signal) {
  thread_ = std::thread{[on_signal{std::move(on_signal)}] {
    auto set = watched_signals();
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0 || sig == SIGUSR2)
        return;
      on_signal();
    }
  }};
}

signal_watcher::~signal_watcher() {
  stop();
}

void signal_watcher::stop() {
  if (!thread_.joinable())
    return;
  pthread_kill(thread_.native_handle(), SIGUSR2);
  thread_.join();
}

} // namespace groupchat
