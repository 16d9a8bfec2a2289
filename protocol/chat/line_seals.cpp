// SPDX-License-Identifier: MIT
#include "protocol/chat/line_seals.hpp"

#include <utility>

namespace groupchat::protocol {

std::string transcript_of(const peer_id& author, uint64_t since,
                          const message& line) {
  return line_transcript(author, since, line.seq, line.action, line.time,
                         line.text);
}

bool sealed_by(const peer_id& author, uint64_t since,
               const std::vector<message>& lines, const std::string& sig) {
  if (lines.empty())
    return false;
  std::string signed_lines;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].seq != lines.front().seq + i)
      return false; // Not consecutive: a line was dropped or reordered.
    signed_lines += transcript_of(author, since, lines[i]);
  }
  return verify_proof(author,
                      seal_transcript(author, since, lines.front().seq,
                                      lines.back().seq, signed_lines),
                      sig);
}

line_seals::line_seals(std::shared_ptr<const identity> self, size_t max_batch,
                       size_t max_bytes)
  : self_(std::move(self)), max_batch_(max_batch), max_bytes_(max_bytes) {
  // nop
}

void line_seals::sign_alone(message& line, uint64_t since) const {
  line.proof
    = self_->prove(seal_transcript(self_->id(), since, line.seq, line.seq,
                                   transcript_of(self_->id(), since, line)));
}

std::optional<message> line_seals::add(const message& line, uint64_t since) {
  std::optional<message> before;
  // A batch is consecutive lines of one run.
  if (size() > 0 && (full() || since != since_ || line.seq != last_ + 1))
    before = seal();
  if (first_ == 0) {
    first_ = line.seq;
    since_ = since;
  }
  last_ = line.seq;
  lines_ += transcript_of(self_->id(), since, line);
  return before;
}

std::optional<message> line_seals::seal() {
  if (first_ == 0)
    return std::nullopt;
  auto sig
    = self_->prove(seal_transcript(self_->id(), since_, first_, last_, lines_));
  auto result = make_seal(first_, last_, std::move(sig));
  first_ = last_ = 0;
  lines_.clear();
  return result;
}

} // namespace groupchat::protocol
