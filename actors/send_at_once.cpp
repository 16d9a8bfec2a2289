// SPDX-License-Identifier: MIT
#include "actors/send_at_once.hpp"

#include <array>
#include <cstddef>
#include <thread>

#include <caf/io/abstract_broker.hpp>
#include <caf/io/network/default_multiplexer.hpp>

namespace groupchat {

bool nothing_waits(caf::scheduled_actor* a) {
  auto& box = a->mailbox();
  // An idle actor's inbox is "blocked" (waiting), which is not "empty".
  return !box.closed() && box.queue().empty() && (box.blocked() || box.empty());
}

namespace {

/// The handlers running at once on this thread, outermost first (with the
/// sender that started it, if an actor, at the bottom).
struct at_once_stack {
  static constexpr size_t max_depth = 4;
  std::array<const caf::abstract_actor*, max_depth + 1> running{};
  size_t size = 0;

  bool holds(const caf::abstract_actor* a) const {
    for (size_t i = 0; i < size; ++i)
      if (running[i] == a)
        return true;
    return false;
  }
};

at_once_stack& at_once() {
  static thread_local at_once_stack stack;
  return stack;
}

// A dynamic_cast through CAF's deep class trees costs about a microsecond
// with cold caches, and a sender with 31 members made 31 per line: the
// answers are kept for this thread, which is an I/O thread, so they belong
// to its one actor system (actor IDs are unique within a system only).

/// Whether `here` is CAF's default multiplexer and this its thread. A
/// thread runs one multiplexer at most: the one found is kept.
bool on_io_thread(caf::execution_unit* here) {
  static thread_local const caf::execution_unit* known = nullptr;
  if (here != nullptr && here == known)
    return true;
  auto mpx = dynamic_cast<caf::io::network::default_multiplexer*>(here);
  if (mpx == nullptr || mpx->thread_id() != std::this_thread::get_id())
    return false;
  known = here;
  return true;
}

/// `dest` as a broker, or null. Kept by actor ID (an actor's address may
/// be reused by a later one, its ID never is), one slot per ID modulo 64:
/// consecutive IDs (a group's connections) do not push each other out.
caf::io::abstract_broker* as_broker(caf::abstract_actor* dest) {
  struct slot {
    caf::actor_id id = caf::invalid_actor_id;
    caf::abstract_actor* actor = nullptr;
    caf::io::abstract_broker* broker = nullptr;
  };
  static thread_local std::array<slot, 64> known;
  auto id = dest->id();
  auto& entry = known[id % known.size()];
  if (entry.id != id || entry.actor != dest)
    entry = {id, dest, dynamic_cast<caf::io::abstract_broker*>(dest)};
  return entry.broker;
}

/// The broker `dest` if a message to it from `from` on `here` may be
/// handled at once, else null.
caf::io::abstract_broker* at_once_target(caf::execution_unit* here,
                                         caf::abstract_actor* from,
                                         caf::abstract_actor* dest) {
  if (!on_io_thread(here))
    return nullptr;
  auto& stack = at_once();
  if (stack.size >= at_once_stack::max_depth)
    return nullptr;
  auto target = as_broker(dest);
  if (target == nullptr || dest == from || target->context() != here
      || !target->getf(caf::abstract_actor::is_initialized_flag)
      || !nothing_waits(target) || stack.holds(target))
    return nullptr;
  return target;
}

/// `from` (at the bottom, if the stack was empty) and `target` on the
/// stack while `target` runs, off it afterwards whatever happens.
class on_stack {
public:
  on_stack(caf::abstract_actor* from, caf::abstract_actor* target)
    : stack_(at_once()), pushed_(stack_.size == 0 && from != nullptr ? 2 : 1) {
    if (pushed_ == 2)
      stack_.running[stack_.size++] = from;
    stack_.running[stack_.size++] = target;
  }

  ~on_stack() {
    stack_.size -= pushed_;
  }

  on_stack(const on_stack&) = delete;
  on_stack& operator=(const on_stack&) = delete;

private:
  at_once_stack& stack_;
  size_t pushed_;
};

/// Runs `target`'s handler for `msg` now; a message it skips (no handler
/// here takes one that way) waits in its mailbox as any other would.
void run_at_once(caf::execution_unit* here, caf::abstract_actor* from,
                 caf::io::abstract_broker* target,
                 caf::mailbox_element_ptr msg) {
  on_stack running{from, target};
  // Held while it runs: its handler may drop the last handle to it.
  caf::strong_actor_ptr guard{target->ctrl()};
  using result = caf::scheduled_actor::activation_result;
  if (target->activate(here, *msg) == result::skipped)
    target->enqueue(std::move(msg), here);
}

} // namespace

namespace detail {

void deliver_at_once(caf::execution_unit* here, caf::abstract_actor* from,
                     bool may_run, caf::abstract_actor* dest,
                     caf::mailbox_element_ptr msg) {
  if (dest == nullptr)
    return;
  if (may_run)
    if (auto target = at_once_target(here, from, dest))
      return run_at_once(here, from, target, std::move(msg));
  dest->enqueue(std::move(msg), here);
}

} // namespace detail

} // namespace groupchat
