// The process's edges that are not actors: the stdin reader thread, the
// signal thread and the list of local addresses for the banner.

#pragma once

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor.hpp>

namespace groupchat {

/// Reads stdin on a plain thread and sends `(line, text)` per line and
/// `(eof)` at the end to the console. It polls stdin together with a wake-up
/// pipe, so that `stop` ends it at once (a blocking read could not be).
class stdin_reader {
public:
  explicit stdin_reader(caf::actor console);
  ~stdin_reader();

  stdin_reader(const stdin_reader&) = delete;
  stdin_reader& operator=(const stdin_reader&) = delete;

  /// Asks the reader to pass on what is already typed, then end input as if
  /// stdin were closed: a line typed just before Ctrl+C is still sent.
  void finish();

  /// Ends the reader without sending anything more.
  void stop();

private:
  void run();
  void drain_available(std::string& pending);
  void send_lines(std::string& pending);

  caf::actor console_;
  int wakeup_[2] = {-1, -1};
  std::thread thread_;
};

/// Blocks SIGINT, SIGTERM, SIGHUP (and SIGUSR2, used to stop the watcher) in
/// the calling thread. Call it before any other thread starts, so that every
/// thread inherits the mask and only the watcher receives them.
void block_signals();

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

/// Every local IPv4 address with `port`, non-loopback first, as "IP:PORT".
std::vector<std::string> listen_addresses(uint16_t port);

} // namespace groupchat
