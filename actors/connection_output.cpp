// SPDX-License-Identifier: MIT
// The writing half of the Connection broker (connection_state.hpp): frames
// to the socket, straight or through CAF, and the backlog of what the peer
// has not taken yet.
#include "actors/connection_state.hpp"

#include <cerrno>

#include <sys/socket.h>

#include <caf/io/network/default_multiplexer.hpp>
#include <spdlog/spdlog.h>

#include "actors/messages.hpp"

namespace groupchat::connection_detail {

// Hands bytes (a header and a body, or the rest of gathered frames) to
// CAF's write buffer, which `pending` counts.
void write_buffered(connection_actor* self, std::string_view first,
                    std::string_view second = {}) {
  auto& st = self->state;
  self->write(st.hdl, first.size(), first.data());
  if (!second.empty())
    self->write(st.hdl, second.size(), second.data());
  self->flush(st.hdl);
  apply(self,
        st.output->wrote(first.size() + second.size(), self->clock().now()));
}

// Frames go straight to the socket while CAF holds none of our output (so
// the order of bytes is kept): CAF's own path costs a round through the
// event loop and two epoll_ctl calls per write (it asks for the socket to
// become writable, writes, and stops asking). They are gathered and sent
// with one system call once the messages already in our mailbox are done
// (the `flush` we send ourselves comes after them): at a high rate many
// lines share one send, which wakes the peer once for all of them. A frame
// that is `last` (nothing else waits in our mailbox, so nothing could join
// it) goes at once: on a quiet machine the `flush` would cost the line one
// more turn of the event loop and actor hand-off before it leaves.
void write_frame(connection_actor* self, std::string_view body, bool last) {
  char header[protocol::length_prefix_size];
  protocol::write_length(static_cast<uint32_t>(body.size()), header);
  auto& st = self->state;
  if (st.fd >= 0 && st.output->pending() == 0) {
    bool first = st.direct.empty();
    st.direct.append(header, sizeof(header));
    st.direct.append(body);
    if (last)
      flush_direct(self);
    else if (first)
      self->send(self, atom::flush_v);
    return;
  }
  write_buffered(self, {header, sizeof(header)}, body);
}

// Sends the gathered frames without blocking; what the socket does not take
// goes to CAF, and so does an error, for CAF's write to find: it ends the
// connection as any other error does.
void flush_direct(connection_actor* self) {
  auto& st = self->state;
  if (st.direct.empty())
    return;
  std::string data;
  data.swap(st.direct);
  // Once dropped, CAF may have closed the descriptor, and its number may
  // name another socket by now.
  if (st.dropped)
    return;
  ssize_t n;
  do {
    n = ::send(st.fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  auto done = n > 0 ? static_cast<size_t>(n) : size_t{0};
  if (done < data.size())
    write_buffered(self, std::string_view{data}.substr(done));
  // Reused for the next turn's frames, unless one turn made it large.
  if (data.capacity() <= kept_output && st.direct.empty()) {
    data.clear();
    st.direct.swap(data);
  }
}

// Writes a plaintext body: sealed once the handshake completed, queued
// before.
void send_body(connection_actor* self, std::string_view body, bool last) {
  if (auto frame = self->state.link->outgoing(body))
    write_frame(self, *frame, last);
}

// Carries out what the backlog asks (flow/backlog.hpp).
void apply(connection_actor* self, protocol::backlog::step step) {
  auto& st = self->state;
  if (step.congested)
    self->send(st.owner, atom::congested_v, *step.congested);
  if (step.check_after)
    self->delayed_send(self, *step.check_after, atom::check_v);
  using ending = protocol::backlog::step::ending;
  if (step.end == ending::drop)
    return drop(self, {protocol::ec::output_overflow, step.why});
  if (step.end == ending::shut) {
    if (!step.why.empty())
      spdlog::warn("connection {}: {}", st.remote, step.why);
    shut(self);
  }
}

void on_transferred(connection_actor* self,
                    const caf::io::data_transferred_msg& msg) {
  auto& st = self->state;
  auto written = msg.written > 0 ? static_cast<size_t>(msg.written) : 0;
  apply(self, st.output->took(written, self->clock().now()));
}

void check_progress(connection_actor* self) {
  auto& st = self->state;
  auto step = st.output->check(self->clock().now());
  if (!st.dropped)
    apply(self, std::move(step));
}

void on_send(connection_actor* self, const protocol::message& msg, bool last) {
  auto& st = self->state;
  auto body = protocol::encode(msg);
  if (body.size() > st.limits.max_frame_size) {
    // The sender checks sizes first; reaching this is a bug, not an attack.
    spdlog::error("connection {} cannot send {}: {} bytes", st.remote,
                  protocol::to_string(msg.type), body.size());
    return;
  }
  send_body(self, body, last);
}

} // namespace groupchat::connection_detail
