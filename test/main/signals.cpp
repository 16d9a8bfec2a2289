// SPDX-License-Identifier: MIT
#define CAF_SUITE main.signals

#include "main/signals.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <future>
#include <iterator>
#include <thread>

#include <unistd.h>

#include <caf/test/unit_test.hpp>

using namespace groupchat;
using namespace std::chrono_literals;

namespace {

// As main() does, before any other thread starts, so that the watchdog
// thread the test engine starts for every test inherits the mask: left
// unblocked there, a SIGTERM sent at the process ends the whole run. (So
// SIGINT, SIGTERM, SIGHUP and SIGUSR2 stay blocked in the whole binary.)
const bool blocked_at_start = (block_signals(), true);

// Calls of the watcher's callback, each fulfilling the next promise.
struct calls {
  std::promise<void> promises[2];
  std::atomic<size_t> count{0};

  std::function<void()> callback() {
    return [this] {
      if (auto i = count++; i < std::size(promises))
        promises[i].set_value();
    };
  }

  bool arrived(size_t i) {
    return promises[i].get_future().wait_for(5s) == std::future_status::ready;
  }
};

bool pending(int sig) {
  sigset_t set;
  sigpending(&set);
  return sigismember(&set, sig) == 1;
}

} // namespace

CAF_TEST(sigterm at the process calls the callback) {
  CAF_REQUIRE(blocked_at_start);
  calls seen;
  signal_watcher watcher{seen.callback()};
  CAF_REQUIRE_EQUAL(::kill(::getpid(), SIGTERM), 0);
  CAF_CHECK(seen.arrived(0));
  watcher.stop();
  CAF_CHECK_EQUAL(seen.count.load(), 1u);
}

// Ctrl+C and a closed terminal leave gracefully too, and the watcher keeps
// watching after the first signal.
CAF_TEST(sigint and sighup call the callback once each) {
  calls seen;
  signal_watcher watcher{seen.callback()};
  CAF_REQUIRE_EQUAL(::kill(::getpid(), SIGINT), 0);
  CAF_CHECK(seen.arrived(0));
  CAF_REQUIRE_EQUAL(::kill(::getpid(), SIGHUP), 0);
  CAF_CHECK(seen.arrived(1));
  watcher.stop();
  CAF_CHECK_EQUAL(seen.count.load(), 2u);
}

// main's callback uses locals that die right after the watcher: stop() must
// not return while a callback still runs. (The 100 ms wait only gives a wrong
// stop() the chance to return early; a right one passes at any speed.)
CAF_TEST(stop waits for a callback in progress) {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future();
  signal_watcher watcher{[&] {
    entered.set_value();
    released.wait();
  }};
  CAF_REQUIRE_EQUAL(::kill(::getpid(), SIGTERM), 0);
  CAF_REQUIRE(entered.get_future().wait_for(5s) == std::future_status::ready);
  std::promise<void> stopped;
  auto done = stopped.get_future();
  std::thread stopper{[&] {
    watcher.stop();
    stopped.set_value();
  }};
  CAF_CHECK(done.wait_for(100ms) == std::future_status::timeout);
  release.set_value();
  CAF_CHECK(done.wait_for(5s) == std::future_status::ready);
  stopper.join();
}

// Once stop() returns nobody takes the signals: a SIGTERM stays pending
// instead of calling the callback.
CAF_TEST(after stop signals are left alone) {
  calls seen;
  signal_watcher watcher{seen.callback()};
  watcher.stop();
  CAF_REQUIRE(!pending(SIGTERM));
  CAF_REQUIRE_EQUAL(::kill(::getpid(), SIGTERM), 0);
  CAF_CHECK(pending(SIGTERM));
  CAF_CHECK_EQUAL(seen.count.load(), 0u);
  // Take the signal back so that it reaches no later test.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  timespec no_wait{0, 0};
  CAF_CHECK_EQUAL(sigtimedwait(&set, nullptr, &no_wait), SIGTERM);
  watcher.stop(); // A second stop (and the destructor's) is harmless.
}
