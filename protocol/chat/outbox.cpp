// SPDX-License-Identifier: MIT
#include "protocol/chat/outbox.hpp"

#include <utility>

namespace groupchat::protocol {

outbox_callee::~outbox_callee() {
  // nop
}

void outbox_callee::sending(size_t) {
  // nop
}

bool outbox_callee::carried() {
  return false;
}

uint64_t outbox_callee::run() {
  return 0;
}

namespace {

// Our private line, gone to `to`: the owner fills in who we are.
event sent_privately(const std::string& to, std::string text) {
  auto ev = event::line({}, {}, std::move(text));
  ev.whisper = true;
  ev.to = to;
  return ev;
}

} // namespace

outbox::outbox(size_t max_frame_size, delivery& chat, outbox_callee& callee,
               line_seals* seals)
  : max_frame_size_(max_frame_size), chat_(chat), callee_(callee),
    seals_(seals) {
  // nop
}

// Whether `body` fits into a frame; a notice if not.
bool outbox::fits(const std::string& body) {
  if (body.size() <= max_frame_size_)
    return true;
  callee_.report(
    event::failure("too_long", "Message not sent: it is too long ("
                                 + std::to_string(body.size())
                                 + " bytes encoded, the maximum is "
                                 + std::to_string(max_frame_size_) + ")"));
  return false;
}

namespace {

// `text` as receivers decode it: the encoding turns ill-formed UTF-8 into
// U+FFFD, and a line is signed as it arrives.
std::string as_received(std::string text) {
  if (is_utf8(text))
    return text;
  auto line = decode(encode(make_chat(std::move(text), 1)));
  return line ? std::move(line->text) : std::string{};
}

} // namespace

void outbox::say(std::string text, bool action, uint64_t now) {
  if (seals_ != nullptr)
    text = as_received(std::move(text));
  auto seq = chat_.next_public();
  auto msg = action ? make_action(text, seq) : make_chat(text, seq);
  if (seals_ != nullptr)
    msg.time = now; // Signed with the line.
  auto alone = seals_ != nullptr && callee_.carried();
  if (alone)
    seals_->sign_alone(msg, callee_.run());
  auto body = encode(msg);
  if (closed_ || !fits(body))
    return callee_.release(1);
  // It may be sent again as history, by us or passed on by others, with
  // more fields: it must fit into a frame that way too.
  if (body.size() + 512 > max_frame_size_ && !fits_as_history(msg)) {
    callee_.report(event::failure(
      "too_long", "Message not sent: it is too long (the maximum is "
                    + std::to_string(max_frame_size_) + " bytes encoded)"));
    return callee_.release(1);
  }
  // A line alone follows the seal of the batch before it.
  if (seals_ != nullptr)
    queue_seal(alone ? seals_->seal() : seals_->add(msg, callee_.run()));
  chat_.said(seq, now, std::move(text), action);
  lines_.push_back({seq, std::move(body), {}, {}});
  send();
  // A full batch is sealed once its last line is on its way: the
  // signature costs no line its latency.
  if (seals_ != nullptr && seals_->full())
    seal();
}

// Whether `line` fits into a frame in its largest form: as `carried`
// history with the longest key, name (every byte escaped), run and the
// seal of its batch.
bool outbox::fits_as_history(const message& line) const {
  auto h = line;
  h.type = message_type::carried;
  h.history = true;
  h.id = std::string(peer_id_size, 'f');
  h.name = std::string(max_name_size, '"');
  h.since = max_seq;
  h.time = max_seq;
  h.proof = std::string(proof_size, 'f');
  h.first = line.seq;
  return encode(h).size() <= max_frame_size_;
}

void outbox::queue_seal(std::optional<message> seal) {
  if (seal)
    lines_.push_back({0, encode(*seal), {}, {}, true});
}

void outbox::seal() {
  if (closed_ || seals_ == nullptr)
    return;
  queue_seal(seals_->seal());
  send();
}

void outbox::whisper(const std::string& name, std::string text, bool known) {
  if (closed_)
    return callee_.release(1);
  if (!known) {
    auto ev = event::failure("no_such_member",
                             "No member named " + name + " (see /who)");
    ev.to = name;
    callee_.report(std::move(ev));
    return callee_.release(1);
  }
  auto seq = chat_.next_private();
  auto body = encode(make_whisper(text, seq));
  if (!fits(body))
    return callee_.release(1);
  chat_.said_private();
  lines_.push_back({seq, std::move(body), name, std::move(text)});
  send();
}

void outbox::open() {
  open_ = true;
  send();
}

// Only members count: a stranger that reads slowly holds nobody up.
void outbox::congested(uint64_t conn, bool yes) {
  if (yes)
    congested_.insert(conn);
  else if (congested_.erase(conn) > 0 && congested_.empty())
    send();
}

void outbox::close() {
  if (open_) {
    if (seals_ != nullptr)
      queue_seal(seals_->seal());
    send(true);
  }
  closed_ = true;
}

// Sends what waits, if the join is done and no output piles up (or we
// leave: then it goes out regardless).
void outbox::send(bool regardless) {
  if (!regardless && (!open_ || closed_ || !congested_.empty()))
    return;
  size_t typed = 0;
  if (!lines_.empty())
    callee_.sending(lines_.size());
  for (auto& x : lines_) {
    typed += x.seal ? 0 : 1;
    if (x.seal) {
      callee_.broadcast(std::move(x.body));
    } else if (x.to.empty()) {
      chat_.sent(x.seq);
      callee_.broadcast(std::move(x.body));
    } else if (callee_.send_to(x.to, std::move(x.body))) {
      callee_.report(sent_privately(x.to, std::move(x.text)));
    } else {
      auto ev = event::failure("not_sent",
                               "Not sent to " + x.to + ", who left: " + x.text);
      ev.to = x.to;
      callee_.report(std::move(ev));
    }
  }
  callee_.release(typed);
  lines_.clear();
}

} // namespace groupchat::protocol
