// SPDX-License-Identifier: MIT
#include "protocol/events/event.hpp"

#include <algorithm>
#include <utility>

namespace groupchat::protocol {

event event::ready(bool created, std::string name, peer_id id) {
  event ev;
  ev.what = kind::ready;
  ev.created = created;
  ev.name = std::move(name);
  ev.id = std::move(id);
  return ev;
}

// Sorted by name: the order a person reads a list in, the same on every
// member's screen.
event event::member_list(std::vector<member_entry> members) {
  std::stable_sort(members.begin(), members.end(),
                   [](auto& x, auto& y) { return x.name < y.name; });
  event ev;
  ev.what = kind::members;
  ev.members = std::move(members);
  return ev;
}

event event::member(kind what, std::string name, peer_id id) {
  event ev;
  ev.what = what;
  ev.name = std::move(name);
  ev.id = std::move(id);
  return ev;
}

event event::renamed(std::string from, std::string to, peer_id id, bool you) {
  auto ev = member(kind::nick, std::move(from), std::move(id));
  ev.text = std::move(to);
  ev.you = you;
  return ev;
}

event event::line(std::string name, peer_id id, std::string text) {
  auto ev = member(kind::chat, std::move(name), std::move(id));
  ev.text = std::move(text);
  return ev;
}

event event::missed(std::string name, peer_id id, uint64_t count) {
  auto ev = member(kind::gap, std::move(name), std::move(id));
  ev.count = count;
  return ev;
}

event event::note(std::string code, std::string text) {
  event ev;
  ev.code = std::move(code);
  ev.text = std::move(text);
  return ev;
}

event event::failure(std::string code, std::string text) {
  auto ev = note(std::move(code), std::move(text));
  ev.what = kind::error;
  return ev;
}

bool operator==(const event& x, const event& y) {
  return x.what == y.what && x.name == y.name && x.id == y.id
         && x.text == y.text && x.code == y.code && x.to == y.to
         && x.via == y.via && x.action == y.action && x.whisper == y.whisper
         && x.history == y.history && x.created == y.created && x.you == y.you
         && x.time == y.time && x.count == y.count
         && x.input_line == y.input_line && x.members == y.members
         && x.addresses == y.addresses;
}

const char* to_string(event::kind what) {
  switch (what) {
    case event::kind::ready:
      return "ready";
    case event::kind::members:
      return "members";
    case event::kind::joined:
      return "joined";
    case event::kind::back:
      return "back";
    case event::kind::left:
      return "left";
    case event::kind::lost:
      return "lost";
    case event::kind::nick:
      return "nick";
    case event::kind::chat:
      return "chat";
    case event::kind::gap:
      return "gap";
    case event::kind::notice:
      return "notice";
    case event::kind::error:
      return "error";
  }
  return "notice";
}

namespace {

std::string line_text(const event& ev) {
  if (ev.whisper && !ev.to.empty())
    return "-> " + ev.to + ": " + ev.text;
  if (ev.whisper)
    return ev.name + " (private): " + ev.text;
  if (ev.action)
    return "* " + ev.name + " " + ev.text;
  return ev.name + ": " + ev.text;
}

std::string names_of(const std::vector<member_entry>& members) {
  std::string result;
  for (auto& m : members)
    result += (result.empty() ? "" : ", ") + m.name;
  return result;
}

} // namespace

// The sentences the product has always printed: pipe scripts and users
// read them, so they change only on purpose.
std::vector<member_entry> proved_names(const event& ev) {
  switch (ev.what) {
    case event::kind::joined:
    case event::kind::back:
      // A member reached through another is vouched for by that member,
      // not proven to us.
      if (!ev.via.empty())
        return {};
      return {member_entry{ev.name, ev.id, {}}};
    case event::kind::nick:
      if (ev.you || !ev.via.empty())
        return {};
      return {member_entry{ev.text, ev.id, {}}};
    case event::kind::members:
      return ev.members;
    default:
      return {};
  }
}

event key_changed(const std::string& name) {
  return event::note("key_changed",
                     "warning: " + name
                       + " is using a different key than before: a new "
                         "installation, or someone else under that name");
}

std::string to_text(const event& ev) {
  switch (ev.what) {
    case event::kind::ready:
      return ev.created ? "Created a new group chat" : "Joined the group chat";
    case event::kind::members:
      return "Members: " + names_of(ev.members);
    case event::kind::joined:
    case event::kind::back:
      return ev.name + " has joined the chat"
             + (ev.via.empty() ? "" : " (through " + ev.via + ")");
    case event::kind::left:
      return ev.name + " has left the chat";
    case event::kind::lost:
      return ev.name + " lost connection";
    case event::kind::nick:
      return ev.you ? "You are now known as " + ev.text
                    : ev.name + " is now known as " + ev.text;
    case event::kind::chat:
      return line_text(ev);
    case event::kind::gap:
      return std::to_string(ev.count) + (ev.count == 1 ? " line" : " lines")
             + " from " + ev.name
             + " did not reach you (said while you were apart, and no "
               "longer kept)";
    case event::kind::notice:
    case event::kind::error:
      return ev.text;
  }
  return ev.text;
}

} // namespace groupchat::protocol
