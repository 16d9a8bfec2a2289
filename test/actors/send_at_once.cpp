// SPDX-License-Identifier: MIT
// Tests of sending at once between brokers (actors/send_at_once.hpp), on a
// real actor system: CAF's default multiplexer and its I/O thread, which
// the deterministic test multiplexer is not. Two brokers write what they
// handle, in order, to a shared log (only the I/O thread touches it while
// they run); the test reads it once the last handler reported, with a
// deadline.

#define CAF_SUITE actors.send_at_once
#define FAIL(msg) CAF_FAIL(msg)

#include "actors/send_at_once.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <caf/io/network/default_multiplexer.hpp>
#include <caf/test/unit_test.hpp>

#include "live_system.hpp"

using namespace groupchat;
using namespace groupchat::testing;

namespace {

using log_ptr = std::shared_ptr<std::vector<std::string>>;

// What the first broker does when told to go (an int), before and after
// sending `x` to the second.
enum plan { alone, receiver_busy, sender_busy, back_and_forth, quits };

// The second broker: logs what it gets; told `back`, sends `z` back to the
// first at once, which is running (it sent `back`): that one must wait.
// Told `flush` (the first is done), it tells the test: everything sent to
// it before is handled and logged by then. Told `quit`, it ends.
caf::behavior second(caf::io::broker* self, log_ptr log, caf::actor test) {
  return {
    [=](const std::string& what, const caf::actor& first) {
      log->push_back("second:" + what);
      if (what == "back")
        send_at_once(self, first, std::string{"z"}, first);
      if (what == "flush")
        self->send(test, caf::atom("done"));
      if (what == "quit")
        self->quit();
    },
  };
}

caf::behavior first(caf::io::broker* self, log_ptr log, caf::actor other,
                    caf::actor test) {
  auto me = caf::actor_cast<caf::actor>(self);
  return {
    [=](int how) {
      log->push_back("first:go");
      if (how == plan::quits) {
        // The second ends while it runs at once; what follows is dropped.
        send_at_once(self, other, std::string{"quit"}, me);
        send_at_once(self, other, std::string{"after"}, me);
        log->push_back("first:end");
        self->send(test, caf::atom("done"));
        return;
      }
      if (how == plan::receiver_busy)
        self->send(other, std::string{"y"}, me);
      if (how == plan::sender_busy)
        self->send(self, std::string{"later"}, me);
      auto what = how == plan::back_and_forth ? "back" : "x";
      send_at_once(self, other, std::string{what}, me);
      log->push_back("first:end");
      self->send(self, std::string{"done"}, me);
    },
    [=](const std::string& what, const caf::actor&) {
      log->push_back("first:" + what);
      if (what == "done")
        self->send(other, std::string{"flush"}, me);
    },
  };
}

struct fixture {
  live_system live;
  log_ptr log = std::make_shared<std::vector<std::string>>();

  caf::actor test{live.self};

  // Waits for the `done` that a broker sends the test.
  void await_done() {
    bool done = false;
    live.self->receive([&](caf::atom_value) { done = true; },
                       caf::after(patience) >> [] {});
    CAF_REQUIRE(done);
  }

  // The second broker, once it runs and is idle: a round trip (only a
  // broker that ran once may run at once).
  caf::actor idle_second() {
    auto b = live.sys.middleman().spawn_broker(second, log, test);
    caf::anon_send(b, std::string{"flush"}, caf::actor{});
    await_done();
    log->clear();
    return b;
  }

  // Runs `how` and returns the log once both brokers are done.
  std::vector<std::string> run(plan how) {
    auto b = idle_second();
    auto a = live.sys.middleman().spawn_broker(first, log, b, test);
    live.self->send(a, static_cast<int>(how));
    await_done();
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
    live.self->wait_for(a, b);
    return *log;
  }

  // Sends `x` to the second broker from the I/O thread, as code that is
  // no actor (the stdin reader), `lone` or not; the log once it is done.
  std::vector<std::string> run_from_io(bool lone) {
    auto b = idle_second();
    auto mpx = dynamic_cast<caf::io::network::default_multiplexer*>(
      &live.sys.middleman().backend());
    CAF_REQUIRE(mpx != nullptr);
    auto log_ = log;
    mpx->dispatch([=] {
      log_->push_back("io:start");
      send_at_once_from_io(mpx, lone, b, std::string{"x"}, caf::actor{});
      log_->push_back("io:end");
      caf::anon_send(b, std::string{"flush"}, caf::actor{});
    });
    await_done();
    caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
    live.self->wait_for(b);
    return *log;
  }
};

using strings = std::vector<std::string>;

// What the second broker logged, in order.
strings of_second(const strings& log) {
  strings got;
  for (auto& entry : log)
    if (entry.rfind("second:", 0) == 0)
      got.push_back(entry);
  return got;
}

// Sends "hello" at once to `test`, an actor of the test's thread.
caf::behavior greeter(caf::io::broker* self, caf::actor test) {
  return {
    [=](int) { send_at_once(self, test, std::string{"hello"}); },
  };
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(send_at_once_tests, fixture)

CAF_TEST(an idle receiver handles the message before the send returns) {
  CAF_CHECK_EQUAL(run(alone), (strings{"first:go", "second:x", "first:end",
                                       "first:done", "second:flush"}));
}

CAF_TEST(a message waiting for the receiver is not overtaken) {
  auto log = run(receiver_busy);
  CAF_REQUIRE_GREATER_OR_EQUAL(log.size(), 4u);
  CAF_CHECK_EQUAL(log[0], "first:go");
  CAF_CHECK_EQUAL(log[1], "first:end");
  // y, sent first through the mailbox, before x; both after our turn.
  CAF_CHECK_EQUAL(of_second(log),
                  (strings{"second:y", "second:x", "second:flush"}));
}

CAF_TEST(a sender with more to do sends through the mailbox) {
  auto log = run(sender_busy);
  CAF_REQUIRE_GREATER_OR_EQUAL(log.size(), 2u);
  CAF_CHECK_EQUAL(log[0], "first:go");
  CAF_CHECK_EQUAL(log[1], "first:end");
  CAF_CHECK_EQUAL(of_second(log), (strings{"second:x", "second:flush"}));
}

CAF_TEST(a handler running already gets its message afterwards) {
  auto log = run(back_and_forth);
  // The second runs at once; its answer to the first, which is running,
  // waits until the first's handler ended.
  CAF_REQUIRE_GREATER_OR_EQUAL(log.size(), 4u);
  CAF_CHECK_EQUAL(log[0], "first:go");
  CAF_CHECK_EQUAL(log[1], "second:back");
  CAF_CHECK_EQUAL(log[2], "first:end");
  CAF_CHECK_EQUAL(log[3], "first:z");
}

CAF_TEST(a receiver that ends while it runs at once gets nothing more) {
  CAF_CHECK_EQUAL(run(quits),
                  (strings{"first:go", "second:quit", "first:end"}));
}

CAF_TEST(a lone message from the I / O thread is handled at once) {
  CAF_CHECK_EQUAL(run_from_io(true),
                  (strings{"io:start", "second:x", "io:end", "second:flush"}));
}

CAF_TEST(a message from the I / O thread that is not lone waits) {
  CAF_CHECK_EQUAL(run_from_io(false),
                  (strings{"io:start", "io:end", "second:x", "second:flush"}));
}

CAF_TEST(a receiver that is no broker gets the message in its mailbox) {
  auto a = live.sys.middleman().spawn_broker(greeter, caf::actor{live.self});
  live.self->send(a, 0);
  std::string got;
  live.self->receive([&](const std::string& x) { got = x; },
                     caf::after(patience) >> [] {});
  CAF_CHECK_EQUAL(got, "hello");
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()
