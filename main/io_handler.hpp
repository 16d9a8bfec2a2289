// SPDX-License-Identifier: MIT
// A descriptor of our own read on CAF's I/O thread: an event handler of
// CAF's default multiplexer that we add and remove ourselves. The base of
// the stdin reader's handler (main/terminal/stdin_reader.cpp) and of the
// rounds' timer's (main/io_timer.cpp). Everything here runs on the I/O
// thread; CAF's event_handler closes the descriptor when it is destroyed.

#pragma once

#include <caf/io/network/default_multiplexer.hpp>
#include <caf/io/network/event_handler.hpp>

namespace groupchat {

class io_handler : public caf::io::network::event_handler {
public:
  using operation = caf::io::network::operation;

  io_handler(caf::io::network::default_multiplexer& mpx, int fd)
    : event_handler(mpx, fd) {
    // CAF stops watching a handler whose read channel it thinks closed.
    state_.reading = true;
  }

  void removed_from_loop(operation) override {
    // nop: we add and remove ourselves (`watch`)
  }

  void graceful_shutdown() override {
    // nop: nothing to flush
  }

  /// Starts or stops watching the descriptor for reading.
  void watch(bool on) {
    if (on == watching_)
      return;
    watching_ = on;
    if (on)
      backend().add(operation::read, fd(), this);
    else
      backend().del(operation::read, fd(), this);
  }

protected:
  /// CAF stopped watching us on its own (an error or a hang-up).
  void unwatched() noexcept {
    watching_ = false;
  }

private:
  bool watching_ = false;
};

} // namespace groupchat
