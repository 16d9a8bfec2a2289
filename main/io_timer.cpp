// SPDX-License-Identifier: MIT
#include "main/io_timer.hpp"

#include <chrono>
#include <cstdint>
#include <future>
#include <utility>

#include <sys/timerfd.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/network/default_multiplexer.hpp>
#include <caf/send.hpp>

#include "actors/messages.hpp"
#include "main/io_handler.hpp"

namespace groupchat {

// Runs on the I/O thread only, like the stdin reader's handler
// (main/terminal/stdin_reader.cpp), whose life it shares: watched from
// `start` to `stop`, destroyed after the actor system.
class io_timer::handler : public io_handler {
public:
  using io_handler::io_handler;

  void handle_event(operation op) override {
    if (op != operation::read)
      return;
    uint64_t expirations = 0;
    if (::read(fd(), &expirations, sizeof(expirations)) <= 0)
      return;
    if (target)
      caf::anon_send(target, atom::tick_v);
    else
      early = true; // Fired before `aim`: the tick goes out then.
  }

  caf::actor target;
  bool early = false;
};

io_timer::io_timer() = default;

// After the actor system: the multiplexer is gone, and with it the last
// word it had about the handler.
io_timer::~io_timer() = default;

bool io_timer::start(caf::actor_system& sys) {
  auto mpx = dynamic_cast<caf::io::network::default_multiplexer*>(
    &sys.middleman().backend());
  if (mpx == nullptr)
    return false;
  auto fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0)
    return false;
  handler_ = std::make_unique<handler>(*mpx, fd);
  mpx->dispatch([h = handler_.get()] { h->watch(true); });
  return true;
}

void io_timer::aim(caf::actor target) {
  if (handler_)
    handler_->backend().dispatch(
      [h = handler_.get(), target = std::move(target)]() mutable {
        h->target = std::move(target);
        if (std::exchange(h->early, false))
          caf::anon_send(h->target, atom::tick_v);
      });
}

void io_timer::arm(caf::timespan delay) {
  using namespace std::chrono;
  // Zero would disarm it: a timer due now fires a nanosecond from now.
  auto ns = std::max<int64_t>(duration_cast<nanoseconds>(delay).count(), 1);
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  ::timerfd_settime(handler_->fd(), 0, &spec, nullptr);
}

void io_timer::stop() {
  if (!handler_ || stopped_)
    return;
  stopped_ = true;
  auto done = std::make_shared<std::promise<void>>();
  auto stopped = done->get_future();
  handler_->backend().dispatch([h = handler_.get(), done] {
    h->watch(false);
    h->target = nullptr;
    done->set_value();
  });
  // The handler itself lives on until the destructor: the multiplexer
  // finishes unwatching it after this has run.
  stopped.wait_for(std::chrono::seconds(5));
}

} // namespace groupchat
