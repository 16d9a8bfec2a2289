// SPDX-License-Identifier: MIT
// Our own lines on their way out: numbered in the order typed (delivery.hpp
// counts), checked against the frame size (as sent now, and as history
// later), and held while the join is in progress or any member's output
// piles up, so a sender slows down to its slowest reader instead of piling
// up memory, and sequence numbers never reach a member out of order.
// Every typed line is released once it left or was refused: the stdin
// reader reads on only while few lines are under way.

#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "protocol/chat/delivery.hpp"

namespace groupchat::protocol {

/// What the outbox asks of its owner.
class outbox_callee {
public:
  virtual ~outbox_callee();

  /// Sends `body` to every member (encoded once for all).
  virtual void broadcast(std::string body) = 0;

  /// Sends `body` to member `name`; false if there is no such member (any
  /// more).
  virtual bool send_to(const std::string& name, std::string body) = 0;

  /// Tells the user what happened (a private line sent, or not).
  virtual void report(event ev) = 0;

  /// `n` typed lines were dealt with.
  virtual void release(size_t n) = 0;

  /// Signs our public line `line`, said at `time`, if others may carry it
  /// (relay.hpp); by default, nobody does.
  virtual void sign(message& line, uint64_t time);
};

class outbox {
public:
  outbox(size_t max_frame_size, delivery& chat, outbox_callee& callee);

  /// A public line (an action with `action`) typed at `now` (microseconds
  /// since the epoch).
  void say(std::string text, bool action, uint64_t now);

  /// A private line for member `name`, who is a member now if `known`.
  void whisper(const std::string& name, std::string text, bool known);

  /// Lines may go out from now on (the join completed).
  void open();

  /// Output towards member connection `conn` piles up (`yes`), or drained.
  void congested(uint64_t conn, bool yes);

  /// We leave: what waits goes out regardless, later lines are refused.
  void close();

  /// Lines waiting.
  size_t size() const noexcept {
    return lines_.size();
  }

private:
  /// A line of ours, encoded and numbered.
  struct line {
    uint64_t seq = 0;
    std::string body;
    /// The member it is for (`/msg`), empty for everyone.
    std::string to;
    /// What was typed, for the "-> NAME: TEXT" notice.
    std::string text;
  };

  bool fits(const std::string& body);
  void send(bool regardless = false);

  size_t max_frame_size_;
  delivery& chat_;
  outbox_callee& callee_;
  std::vector<line> lines_;
  std::set<uint64_t> congested_;
  bool open_ = false;
  bool closed_ = false;
};

} // namespace groupchat::protocol
