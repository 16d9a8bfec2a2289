// SPDX-License-Identifier: MIT
// Signals: SIGINT, SIGTERM and SIGHUP all mean "leave gracefully". They are
// blocked in every thread and taken by one thread of their own.

#pragma once

#include <functional>
#include <thread>

namespace groupchat {

/// Blocks SIGINT, SIGTERM, SIGHUP (and SIGUSR2, used to stop the watcher) in
/// the calling thread. Call it before any other thread starts, so that every
/// thread inherits the mask and only the watcher receives them.
void block_signals();

/// Undoes `block_signals` in the calling thread: once every other thread is
/// gone, their default actions (or handlers) apply again.
void unblock_signals();

/// Waits for SIGINT, SIGTERM or SIGHUP on a thread of its own and calls
/// `on_signal`: all three leave gracefully.
class signal_watcher {
public:
  explicit signal_watcher(std::function<void()> on_signal);
  ~signal_watcher();

  signal_watcher(const signal_watcher&) = delete;
  signal_watcher& operator=(const signal_watcher&) = delete;

  void stop();

private:
  std::thread thread_;
};

} // namespace groupchat
