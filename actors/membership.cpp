// SPDX-License-Identifier: MIT
#include "actors/membership.hpp"

#include <tuple>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/broker.hpp>
#include <caf/io/middleman.hpp>

#include "actors/membership_state.hpp"

namespace groupchat {

namespace {

using membership_detail::membership_state;
using protocol::endpoint;
using protocol::message;
using protocol::phase;

template <class Base>
membership_actor::behavior_type
membership(typename membership_state<Base>::actor_type* self,
           membership_options opts, dialer_actor dialer,
           console_actor console) {
  self->state.init(self, std::move(opts), std::move(dialer),
                   std::move(console));
  self->set_down_handler(
    [self](caf::down_msg& dm) { self->state.on_down(dm); });
  // Connections link to us so that they die with us; their own end reaches us
  // as a down_msg, never as a reason to quit.
  self->set_exit_handler([](caf::exit_msg&) {});
  auto& st = self->state;
  return {
    [&st](atom::start, uint16_t port, std::vector<endpoint>& bootstrap) {
      if (!bootstrap.empty())
        st.status("joining...");
      st.join->start(port, std::move(bootstrap));
    },
    [self](atom::incoming, std::string& host) {
      if (auto conn = caf::actor_cast<caf::actor>(self->current_sender()))
        self->state.on_incoming(std::move(conn), std::move(host));
    },
    [self](atom::received, message& msg) {
      auto from = caf::actor_cast<caf::actor_addr>(self->current_sender());
      self->state.on_received(from, msg);
    },
    [self](atom::received, std::vector<message>& msgs) {
      auto from = caf::actor_cast<caf::actor_addr>(self->current_sender());
      for (auto& msg : msgs)
        if (self->has_behavior()) // Not after quitting (a refused join).
          self->state.on_received(from, msg);
    },
    [&st](atom::chat, std::string& text) { st.say(std::move(text), false); },
    [&st](atom::action, std::string& text) { st.say(std::move(text), true); },
    [&st](atom::whisper, std::string& name, std::string& text) {
      if (st.join->current() == phase::leaving)
        return st.release(1);
      // As the member spells it; one reached through others, too.
      auto to = st.peers.find_member(name);
      auto far = to != nullptr ? &to->name : st.carry->find(name);
      st.out->whisper(far ? *far : name, std::move(text), far != nullptr);
    },
    // "/who": every member, where it listens and since when.
    [&st](atom::who) {
      auto all = protocol::summarize(st.peers.members(), st.now(),
                                     st.wall_now());
      for (auto& m : st.carry->summary(st.wall_now()))
        all.push_back(std::move(m));
      return std::make_tuple(st.join->name(), st.join->port(), std::move(all));
    },
    [&st](atom::nick, const std::string& name) {
      using protocol::event;
      auto old = st.join->name();
      if (auto why = st.join->rename(name))
        st.report(event::failure("nick_refused", "Name not changed: " + *why));
      else
        st.report(
          event::renamed(old, st.join->name(), st.opts.join.self->id(), true));
    },
    [&st](atom::leave) { st.on_leave_request(false); },
    [&st](atom::leave, bool now) { st.on_leave_request(now); },
    [self](atom::congested, bool yes) {
      auto from = caf::actor_cast<caf::actor_addr>(self->current_sender());
      auto& st = self->state;
      if (auto id = st.conns.id_of(from))
        st.on_congested(id, yes);
    },
    [self](atom::answered) {
      auto from = caf::actor_cast<caf::actor_addr>(self->current_sender());
      self->state.join->on_answered(self->state.conns.id_of(from));
    },
    [&st](atom::timeout, uint64_t token) { st.join->on_timeout(token); },
    [&st](atom::tick) { st.on_tick(); },
    [&st](atom::check) { st.check_liveness(false); },
    [&st](atom::flush) { st.chat->release(); },
  };
}

} // namespace

membership_actor spawn_membership(caf::actor_system& sys,
                                  membership_options opts, dialer_actor dialer,
                                  console_actor console, bool on_io_thread) {
  if (on_io_thread)
    return sys.middleman().spawn_broker(
      membership<tidy<membership_actor::broker_base>>, std::move(opts),
      std::move(dialer), std::move(console));
  return sys.spawn(membership<membership_actor::base>, std::move(opts),
                   std::move(dialer), std::move(console));
}

} // namespace groupchat
