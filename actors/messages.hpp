// SPDX-License-Identifier: MIT
// The messages actors exchange: the table of contents of the program.
//
// Every interface is written once, here. Arrows read "sender -> receiver".
// A line's messages (stdin -> console -> membership -> connection, and
// connection -> membership -> console) go with send_at_once.hpp: handled
// in the sender's turn when nothing waits, in the mailbox's order always.
//
// Connection (one broker per TCP socket):
//   membership -> connection  (send, protocol::message)     encode, write, flush
//   membership -> connection  (send, std::string body)      write, flush: a
//             broadcast is encoded once, and the one message shared by all
//   membership -> connection  (close, bool linger)          send what is queued,
//             close, quit; with `linger` (we leave), first wait for the
//             peer to close its end (it does once it read our leave)
//   membership -> connection  (admit)                       the peer greeted:
//             lift the limits for strangers (largest frame of a greeting)
//   connection -> membership  (incoming, std::string host)  an accepted socket
//                                                           from `host` is open
//   connection -> membership  (answered)  we answered the stranger's
//             handshake: it is on its way in, and idle strangers go first
//   connection -> membership  (congested, bool)             output towards the
//             peer piles up above the high watermark (true), or drained
//             below the low watermark (false)
//   connection -> membership  (received, protocol::message) a decoded frame
//   connection -> membership  (received, std::vector<protocol::message>)
//             the frames of one read, in order
//   membership -> connection  (start)  the owner adopted it: read (a dialed
//             connection, or a stranger whose host may try a passphrase)
//   itself     -> connection  (flush)  write the frames gathered this turn
//   itself     -> connection  (resume)  the rate allows reading again
//   itself     -> connection  (check)   a deadline of the output backlog
//   itself     -> connection  (shut)    close the socket and quit (after
//             the read under way returned)
//   itself     -> connection  (timeout, uint64_t)  the passphrase
//             handshake's deadline
//   Membership monitors each connection: its down_msg is "socket closed".
//
// Listener (owns the listening socket; creates all connection brokers):
//   main   -> listener  (listen, uint16_t port, actor owner, std::string
//             host) -> uint16_t  (host: the address to listen on; empty:
//             every interface)
//             opens the port (0: any), returns the bound port; accepted
//             connections report to `owner`
//   dialer -> listener  (adopt, int fd) -> (actor, std::string host)
//             wraps a connected socket in a new connection broker; `host`
//             is the numeric address it is connected to
//
// Dialer (connects without blocking the I/O thread):
//   membership -> dialer  (connect, std::string host, uint16_t port)
//             -> (actor, std::string host)
//             a connection broker for an outgoing socket and the numeric
//             address it reached, or `connect_failed` (errors.hpp); a few
//             connects run at once, the rest wait their turn
//
// Membership (owns the peer list and the join handshake):
//   main    -> membership  (start, uint16_t port, std::vector<endpoint>)
//             our listen port and the bootstrap peers, in order
//   console -> membership  (chat, std::string text)   broadcast a chat line
//   console -> membership  (action, std::string text) broadcast "/me TEXT"
//   console -> membership  (whisper, std::string name, std::string text)
//             send a line to member `name` only (the console resolved an
//             unquoted name against the members)
//   console -> membership  (nick, std::string name)   rename us ("/nick")
//   console -> membership  (who) -> (std::string name, uint16_t port,
//             std::vector<member_summary>)  our name and port, and each
//             member's name, address and time in the group, for "/who"
//   any     -> membership  (leave)                    leave gracefully, quit
//             (during a join: once joined, so that lines typed go first)
//   main    -> membership  (leave, true)  a signal: a join under way stops
//             at once; in a group, the reader's (leave) follows the lines
//   itself  -> membership  (timeout, uint64_t)        a phase deadline
//   itself  -> membership  (tick)                     a round: probes
//   itself  -> membership  (check)      a peer's deadline, probe answers
//   itself  -> membership  (flush)  the join is long over: show what was
//             held back for the history to come first
//
// Console (owns stdout; receives stdin lines from the reader thread):
//   itself     -> console  (flush)  a burst of history ended: show its end

//   main       -> console  (attach, membership_actor)  where input goes
//   stdin      -> console  (line, std::string)         one line typed
//   stdin      -> console  (eof)                       end of input
//   main       -> console  (listen, std::vector<std::string>)  the addresses
//             we listen on: shown at once as text, part of `ready` in JSON
//   membership -> console  (show, protocol::event)  what happened: a line
//             said, a member come or gone, a rename, a notice, an error
//             (protocol/events/event.hpp); shown as text or as JSON
//   membership -> console  (who, std::vector<std::string>)  the members'
//             names, whenever they change (for Tab completion and /msg);
//             not the "/who" request above, which goes the other way
//   membership -> console  (nick, std::string)  our name is now this
//   membership -> console  (status, std::string)  how things stand (a join
//             under way, alone in the group): at a terminal only

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "protocol/chat/commands.hpp"
#include "protocol/events/event.hpp"
#include "protocol/wire/endpoint.hpp"
#include "protocol/wire/message.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(groupchat, caf::first_custom_type_id)

  CAF_ADD_ATOM(groupchat, groupchat::atom, send, "send")
  CAF_ADD_ATOM(groupchat, groupchat::atom, close, "close")
  CAF_ADD_ATOM(groupchat, groupchat::atom, incoming, "incoming")
  CAF_ADD_ATOM(groupchat, groupchat::atom, received, "received")
  CAF_ADD_ATOM(groupchat, groupchat::atom, listen, "listen")
  CAF_ADD_ATOM(groupchat, groupchat::atom, adopt, "adopt")
  CAF_ADD_ATOM(groupchat, groupchat::atom, connect, "connect")
  CAF_ADD_ATOM(groupchat, groupchat::atom, start, "start")
  CAF_ADD_ATOM(groupchat, groupchat::atom, chat, "chat")
  CAF_ADD_ATOM(groupchat, groupchat::atom, leave, "leave")
  CAF_ADD_ATOM(groupchat, groupchat::atom, attach, "attach")
  CAF_ADD_ATOM(groupchat, groupchat::atom, line, "line")
  CAF_ADD_ATOM(groupchat, groupchat::atom, eof, "eof")
  CAF_ADD_ATOM(groupchat, groupchat::atom, timeout, "timeout")
  CAF_ADD_ATOM(groupchat, groupchat::atom, tick, "tick")
  CAF_ADD_ATOM(groupchat, groupchat::atom, check, "check")
  CAF_ADD_ATOM(groupchat, groupchat::atom, who, "who")
  CAF_ADD_ATOM(groupchat, groupchat::atom, whisper, "whisper")
  CAF_ADD_ATOM(groupchat, groupchat::atom, action, "action")
  CAF_ADD_ATOM(groupchat, groupchat::atom, admit, "admit")
  CAF_ADD_ATOM(groupchat, groupchat::atom, congested, "congested")
  CAF_ADD_ATOM(groupchat, groupchat::atom, resume, "resume")
  CAF_ADD_ATOM(groupchat, groupchat::atom, shut, "shut")
  CAF_ADD_ATOM(groupchat, groupchat::atom, history, "history")
  CAF_ADD_ATOM(groupchat, groupchat::atom, flush, "flush")
  CAF_ADD_ATOM(groupchat, groupchat::atom, status, "status")
  CAF_ADD_ATOM(groupchat, groupchat::atom, nick, "nick")
  CAF_ADD_ATOM(groupchat, groupchat::atom, show, "show")
  CAF_ADD_ATOM(groupchat, groupchat::atom, answered, "answered")

CAF_END_TYPE_ID_BLOCK(groupchat)

// Local messages only: these types never cross a CAF node boundary, the wire
// format is our own JSON.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(groupchat::protocol::message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<groupchat::protocol::message>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(groupchat::protocol::endpoint)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(groupchat::protocol::event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<groupchat::protocol::member_summary>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<groupchat::protocol::endpoint>)

namespace groupchat {

// The typed interfaces: the compiler holds Membership and the Console to
// the table above (a message that is not in it does not compile, at the
// sender or in the actor's behavior), and so is the Dialer. The Connection
// and the Listener stay untyped: see actors/README.md ("Typed interfaces").

/// The Dialer: one connect, answered with the Connection that wraps the
/// socket and the numeric host it reached, or an error.
using dialer_actor
  = caf::typed_actor<caf::replies_to<atom::connect, std::string,
                                     uint16_t>::with<caf::actor, std::string>>;

/// Membership: owns the peer list and drives the join handshake.
using membership_actor = caf::typed_actor<
  caf::reacts_to<atom::start, uint16_t, std::vector<protocol::endpoint>>,
  caf::reacts_to<atom::incoming, std::string>,
  caf::reacts_to<atom::received, protocol::message>,
  caf::reacts_to<atom::received, std::vector<protocol::message>>,
  caf::reacts_to<atom::chat, std::string>,
  caf::reacts_to<atom::action, std::string>,
  caf::reacts_to<atom::whisper, std::string, std::string>,
  caf::replies_to<atom::who>::with<std::string, uint16_t,
                                   std::vector<protocol::member_summary>>,
  caf::reacts_to<atom::nick, std::string>, caf::reacts_to<atom::leave>,
  caf::reacts_to<atom::leave, bool>, caf::reacts_to<atom::congested, bool>,
  caf::reacts_to<atom::answered>, caf::reacts_to<atom::timeout, uint64_t>,
  caf::reacts_to<atom::tick>, caf::reacts_to<atom::check>,
  caf::reacts_to<atom::flush>>;

/// The Console: owns what the user sees; typed lines come in.
using console_actor = caf::typed_actor<
  caf::reacts_to<atom::attach, membership_actor>,
  caf::reacts_to<atom::line, std::string>, caf::reacts_to<atom::eof>,
  caf::reacts_to<atom::listen, std::vector<std::string>>,
  caf::reacts_to<atom::show, protocol::event>,
  caf::reacts_to<atom::who, std::vector<std::string>>,
  caf::reacts_to<atom::nick, std::string>,
  caf::reacts_to<atom::status, std::string>, caf::reacts_to<atom::flush>>;

} // namespace groupchat
