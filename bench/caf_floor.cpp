// SPDX-License-Identifier: MIT
// The benchmark's CAF floor: the end-to-end floor's chat (bench/floor.cpp,
// `chat`) on CAF 0.17 in the shape groupchat has, with no chat logic. It
// answers how much of groupchat's distance to the C floor is CAF's and the
// actor shape's, and how much is groupchat's own work (sealing, signing,
// decoding, delivery, the console).
//
//   groupchat-caf-floor chat [PORT...]
//
// As in the C floor: listens on a free port of 127.0.0.1 (printed as
// "port N"), connects to every PORT, writes each stdin line to every socket
// and what each socket brings to stdout. As in groupchat, a line takes the
// steps it takes in groupchat, through brokers in the places of
// groupchat's actors, on CAF's I/O thread, with the same settings:
//   - stdin (a pipe) is read by an event handler of CAF's multiplexer
//     (main/io_handler.hpp), which hands each line to the console;
//   - the console hands it to membership, which hands it to every link;
//   - a link (a Connection's place, one broker per socket) writes it to its
//     socket at once, with `send` on the descriptor, as groupchat does;
//   - a link hands what its socket brings to membership, which hands it to
//     the console, which writes it to stdout.
// Every hand-off is `send_at_once` (actors/send_at_once.hpp), as in
// groupchat.

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/io/network/default_multiplexer.hpp>

#include "actors/connection_state.hpp"
#include "actors/send_at_once.hpp"
#include "main/io_handler.hpp"
#include "main/settings.hpp"

namespace {

using line_atom = caf::atom_constant<caf::atom("line")>;
using recv_atom = caf::atom_constant<caf::atom("recv")>;
using send_atom = caf::atom_constant<caf::atom("send")>;
using join_atom = caf::atom_constant<caf::atom("join")>;
using attach_atom = caf::atom_constant<caf::atom("attach")>;

void write_all(int fd, const char* data, size_t n) {
  while (n > 0) {
    auto got = ::write(fd, data, n);
    if (got <= 0 && errno != EINTR)
      return;
    if (got > 0) {
      data += got;
      n -= static_cast<size_t>(got);
    }
  }
}

// -- a link: one broker per socket ---------------------------------------------

struct link_state {
  int fd = -1;
  caf::actor membership;
};

using link_actor = caf::stateful_actor<link_state, caf::io::broker>;

caf::behavior link(link_actor* self, caf::io::connection_handle hdl,
                   caf::actor membership) {
  // CAF's handle of a TCP scribe is its descriptor (as in groupchat's
  // connection).
  self->state.fd = static_cast<int>(hdl.id());
  // As the C floor and groupchat: a line goes out at once.
  int one = 1;
  ::setsockopt(self->state.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  self->state.membership = membership;
  // groupchat's read size at chat rates.
  self->configure_read(hdl, caf::io::receive_policy::at_most(
                              groupchat::connection_detail::small_read));
  self->send(membership, join_atom::value, caf::actor{self});
  return {
    [=](const caf::io::new_data_msg& msg) {
      std::string text{msg.buf.begin(), msg.buf.end()};
      groupchat::send_at_once(self, self->state.membership, recv_atom::value,
                              std::move(text));
    },
    [=](send_atom, const std::string& text) {
      // Loopback at chat rates: the socket takes a line whole.
      [[maybe_unused]] auto n = ::send(self->state.fd, text.data(), text.size(),
                                       MSG_DONTWAIT | MSG_NOSIGNAL);
    },
    [=](const caf::io::connection_closed_msg&) { self->quit(); },
  };
}

// -- membership: the links' owner ---------------------------------------------

struct membership_state {
  std::vector<caf::actor> links;
};

using membership_actor = caf::stateful_actor<membership_state, caf::io::broker>;

caf::behavior membership(membership_actor* self, caf::actor console,
                         std::vector<uint16_t> ports) {
  auto door = self->add_tcp_doorman(0, "127.0.0.1", true);
  if (!door) {
    std::fprintf(stderr, "groupchat-caf-floor: no port\n");
    std::exit(1);
  }
  auto banner = "port " + std::to_string(door->second) + "\n";
  write_all(STDOUT_FILENO, banner.data(), banner.size());
  for (auto port : ports) {
    // Blocking, as the C floor's connect: before any line.
    auto hdl = self->add_tcp_scribe("127.0.0.1", port);
    if (!hdl) {
      std::fprintf(stderr, "groupchat-caf-floor: cannot connect to %u\n", port);
      std::exit(1);
    }
    self->fork(link, *hdl, caf::actor{self});
  }
  return {
    [=](const caf::io::new_connection_msg& msg) {
      self->fork(link, msg.handle, caf::actor{self});
    },
    [=](join_atom, const caf::actor& link) {
      self->state.links.push_back(link);
    },
    [=](line_atom, std::string& line) {
      line += '\n';
      // One message for every link, as groupchat's broadcast.
      auto packet = caf::make_message(send_atom::value, std::move(line));
      for (auto& l : self->state.links)
        groupchat::send_at_once(self, l, packet);
    },
    [=](recv_atom, std::string& text) {
      groupchat::send_at_once(self, console, recv_atom::value, std::move(text));
    },
  };
}

// -- the console: stdin's lines in, stdout out ----------------------------------

struct console_state {
  caf::actor membership;
};

using console_actor = caf::stateful_actor<console_state, caf::io::broker>;

// `out`: stdout. (CAF 0.17 spawns a function without arguments through a
// null pointer, which the undefined-behaviour sanitizer reports.)
caf::behavior console(console_actor* self, int out) {
  return {
    [=](attach_atom, const caf::actor& membership) {
      self->state.membership = membership;
    },
    [=](line_atom, std::string& line) {
      groupchat::send_at_once(self, self->state.membership, line_atom::value,
                              std::move(line));
    },
    [=](recv_atom, const std::string& text) {
      write_all(out, text.data(), text.size());
    },
  };
}

// -- stdin on the I/O thread ----------------------------------------------------

class stdin_handler : public groupchat::io_handler {
public:
  stdin_handler(caf::io::network::default_multiplexer& mpx, int fd,
                caf::actor console)
    : io_handler(mpx, fd), console_(std::move(console)) {
    // nop
  }

  void handle_event(operation) override {
    char buf[16 * 1024];
    auto n = ::read(fd(), buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      return;
    if (n <= 0)
      std::_Exit(0); // The C floor ends with its input, too.
    pending_.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    auto nl = pending_.find('\n');
    bool lone = nl != std::string::npos && nl + 1 == pending_.size();
    for (; nl != std::string::npos; nl = pending_.find('\n', start)) {
      groupchat::send_at_once_from_io(&backend(), lone, console_,
                                      line_atom::value,
                                      pending_.substr(start, nl - start));
      start = nl + 1;
    }
    pending_.erase(0, start);
  }

private:
  caf::actor console_;
  std::string pending_;
};

int chat_main(std::vector<uint16_t> ports) {
  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  groupchat::set_caf_defaults(cfg);
  caf::actor_system sys{cfg};
  auto con = sys.middleman().spawn_broker(console, int{STDOUT_FILENO});
  auto mem = sys.middleman().spawn_broker(membership, con, std::move(ports));
  caf::anon_send(con, attach_atom::value, mem);
  auto mpx = dynamic_cast<caf::io::network::default_multiplexer*>(
    &sys.middleman().backend());
  // A descriptor of its own, as groupchat's stdin reader opens one.
  auto fd = ::open("/proc/self/fd/0", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (mpx == nullptr || fd < 0) {
    std::fprintf(stderr, "groupchat-caf-floor: stdin must be a pipe\n");
    return 1;
  }
  auto in = std::make_unique<stdin_handler>(*mpx, fd, con);
  mpx->dispatch([p = in.get()] { p->watch(true); });
  sys.await_all_actors_done();
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string{argv[1]} != "chat") {
    std::fprintf(stderr, "usage: groupchat-caf-floor chat [PORT...]\n");
    return 2;
  }
  std::vector<uint16_t> ports;
  for (int i = 2; i < argc; ++i)
    ports.push_back(static_cast<uint16_t>(std::atoi(argv[i])));
  return chat_main(std::move(ports));
}
