// SPDX-License-Identifier: MIT
// Our own lines on their way out: numbered in the order typed (delivery.hpp
// counts), checked against the frame size (as sent now, and as history
// later), and held while the join is in progress or any member's output
// piles up, so a sender slows down to its slowest reader instead of piling
// up memory, and sequence numbers never reach a member out of order.
// Every typed line is released once it left or was refused: the stdin
// reader reads on only while few lines are under way. The seals of our
// public lines (line_seals.hpp) queue behind the lines they sign.

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol/chat/delivery.hpp"
#include "protocol/chat/line_seals.hpp"

namespace groupchat::protocol {

/// What the outbox asks of its owner.
class outbox_callee {
public:
  virtual ~outbox_callee();

  /// `n` frames go out now, each through a call of `broadcast` or
  /// `send_to` that follows: more than one is a burst, which the callee
  /// may gather. By default, nothing to do.
  virtual void sending(size_t n);

  /// Sends `body` to every member (encoded once for all).
  virtual void broadcast(std::string body) = 0;

  /// Sends `body` to member `name`; false if there is no such member (any
  /// more).
  virtual bool send_to(const std::string& name, std::string body) = 0;

  /// Tells the user what happened (a private line sent, or not).
  virtual void report(event ev) = 0;

  /// `n` typed lines were dealt with.
  virtual void release(size_t n) = 0;

  /// Whether members hear our lines through a carrier now (relay.hpp):
  /// then each line is signed alone; by default, nobody does.
  virtual bool carried();

  /// Our run (join_machine.hpp), which our lines' signatures name.
  virtual uint64_t run();
};

class outbox {
public:
  /// Signs our public lines with `seals`, if any.
  outbox(size_t max_frame_size, delivery& chat, outbox_callee& callee,
         line_seals* seals = nullptr);

  /// A public line (an action with `action`) typed at `now` (microseconds
  /// since the epoch).
  void say(std::string text, bool action, uint64_t now);

  /// A private line for member `name`, who is a member now if `known`.
  void whisper(const std::string& name, std::string text, bool known);

  /// Lines may go out from now on (the join completed).
  void open();

  /// Output towards member connection `conn` piles up (`yes`), or drained.
  void congested(uint64_t conn, bool yes);

  /// The public lines said since the last seal get theirs, behind them.
  void seal();

  /// We leave: what waits goes out regardless, sealed; later lines are
  /// refused.
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
    /// Not a line: the seal of lines before it.
    bool seal = false;
  };

  bool fits(const std::string& body);
  bool fits_as_history(const message& line) const;
  void queue_seal(std::optional<message> seal);
  void send(bool regardless = false);

  size_t max_frame_size_;
  delivery& chat_;
  outbox_callee& callee_;
  line_seals* seals_;
  std::vector<line> lines_;
  std::set<uint64_t> congested_;
  bool open_ = false;
  bool closed_ = false;
};

} // namespace groupchat::protocol
