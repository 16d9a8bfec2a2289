// SPDX-License-Identifier: MIT
// The benchmark's floor: the same fan-out as groupchat (length-prefixed JSON
// chat frames, one TCP connection per receiver, decoded with nlohmann/json)
// with plain blocking sockets and no chat logic. Every groupchat figure is
// reported as a ratio to this.
//
//   groupchat-floor recv EVERY          listen on a free port, print it, take
//                                       one sender; report every EVERY-th
//                                       frame and the last one
//   groupchat-floor send RATE COUNT EVERY PORT...
//                                       send COUNT frames at RATE per second
//                                       to every PORT on 127.0.0.1
//
// Reports go to stdout: "sent SEQ NS", "recv floor SEQ NS COUNT", with NS
// from CLOCK_MONOTONIC (comparable across processes on one machine).
//
//   groupchat-floor chat [PORT...]      the end-to-end floor: one poll loop
//                                       that listens on a free port (printed
//                                       as "port N"), connects to every
//                                       PORT, writes each stdin line to
//                                       every socket and each line received
//                                       to stdout; text lines, no chat logic

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

bool read_all(int fd, char* buf, size_t n) {
  while (n > 0) {
    auto got = ::read(fd, buf, n);
    if (got <= 0)
      return false;
    buf += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

// Listens on a free port of 127.0.0.1; returns the socket (or -1) and the
// port.
int listen_loopback(int& port) {
  int srv = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(srv, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0
      || ::listen(srv, 64) != 0
      || ::getsockname(srv, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return -1;
  port = ntohs(addr.sin_port);
  return srv;
}

// Connects to `port` on 127.0.0.1 with TCP_NODELAY; returns the socket or
// -1.
int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
    return -1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

int recv_main(uint64_t every) {
  int port = 0;
  int srv = listen_loopback(port);
  if (srv < 0)
    return 1;
  std::printf("port %d\n", port);
  std::fflush(stdout);
  int fd = ::accept(srv, nullptr, nullptr);
  uint64_t count = 0;
  std::string body;
  for (;;) {
    unsigned char header[4];
    if (!read_all(fd, reinterpret_cast<char*>(header), 4))
      break;
    uint32_t n = (uint32_t{header[0]} << 24) | (uint32_t{header[1]} << 16)
                 | (uint32_t{header[2]} << 8) | header[3];
    body.resize(n);
    if (!read_all(fd, body.data(), n))
      break;
    auto msg = nlohmann::json::parse(body, nullptr, false);
    if (msg.is_discarded())
      return 2;
    auto seq = msg["seq"].get<uint64_t>();
    ++count;
    if (seq % every == 0 || msg.value("last", false)) {
      std::printf("recv floor %llu %lld %llu\n",
                  static_cast<unsigned long long>(seq),
                  static_cast<long long>(now_ns()),
                  static_cast<unsigned long long>(count));
      std::fflush(stdout);
    }
  }
  return 0;
}

int send_main(double rate, uint64_t count, uint64_t every,
              const std::vector<int>& ports) {
  std::vector<int> fds;
  for (auto port : ports) {
    int fd = connect_loopback(port);
    if (fd < 0)
      return 1;
    fds.push_back(fd);
  }
  auto start = std::chrono::steady_clock::now();
  auto gap = std::chrono::duration<double>(1.0 / rate);
  for (uint64_t seq = 1; seq <= count; ++seq) {
    std::this_thread::sleep_until(
      start
      + std::chrono::duration_cast<std::chrono::nanoseconds>(
        gap * static_cast<double>(seq - 1)));
    nlohmann::json msg{{"type", "chat"},
                       {"version", 1},
                       {"seq", seq},
                       {"text",
                        "bench line of a typical length, 64 bytes...."}};
    if (seq == count)
      msg["last"] = true;
    auto body = msg.dump();
    std::string frame(4, '\0');
    auto n = static_cast<uint32_t>(body.size());
    frame[0] = static_cast<char>(n >> 24);
    frame[1] = static_cast<char>(n >> 16);
    frame[2] = static_cast<char>(n >> 8);
    frame[3] = static_cast<char>(n);
    frame += body;
    if (seq % every == 0 || seq == count) {
      std::printf("sent %llu %lld\n", static_cast<unsigned long long>(seq),
                  static_cast<long long>(now_ns()));
      std::fflush(stdout);
    }
    for (auto fd : fds)
      if (::write(fd, frame.data(), frame.size())
          != static_cast<ssize_t>(frame.size()))
        return 3;
  }
  for (auto fd : fds)
    ::close(fd);
  return 0;
}

// Writes all of `data` to `fd`.
bool write_all(int fd, const char* data, size_t n) {
  while (n > 0) {
    auto got = ::write(fd, data, n);
    if (got <= 0)
      return false;
    data += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

int chat_main(const std::vector<int>& ports) {
  int port = 0;
  int srv = listen_loopback(port);
  if (srv < 0)
    return 1;
  std::string banner = "port " + std::to_string(port) + "\n";
  write_all(STDOUT_FILENO, banner.data(), banner.size());
  std::vector<pollfd> fds{{STDIN_FILENO, POLLIN, 0}, {srv, POLLIN, 0}};
  for (auto to : ports) {
    int fd = connect_loopback(to);
    if (fd < 0)
      return 1;
    fds.push_back({fd, POLLIN, 0});
  }
  std::string input;
  char buf[65536];
  for (;;) {
    if (::poll(fds.data(), fds.size(), -1) < 0)
      return 1;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0)
        continue;
      if (fds[i].fd == srv) {
        int fd = ::accept(srv, nullptr, nullptr);
        if (fd >= 0)
          fds.push_back({fd, POLLIN, 0});
        continue;
      }
      auto n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0) {
        if (fds[i].fd == STDIN_FILENO)
          return 0;
        ::close(fds[i].fd);
        fds[i].fd = -1; // poll skips it
        continue;
      }
      if (fds[i].fd == STDIN_FILENO) {
        // Whole lines to every peer.
        input.append(buf, static_cast<size_t>(n));
        auto end = input.rfind('\n');
        if (end == std::string::npos)
          continue;
        for (size_t k = 2; k < fds.size(); ++k)
          if (fds[k].fd >= 0)
            write_all(fds[k].fd, input.data(), end + 1);
        input.erase(0, end + 1);
      } else {
        write_all(STDOUT_FILENO, buf, static_cast<size_t>(n));
      }
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string{argv[1]} == "chat") {
    std::vector<int> ports;
    for (int i = 2; i < argc; ++i)
      ports.push_back(std::atoi(argv[i]));
    return chat_main(ports);
  }
  if (argc >= 3 && std::string{argv[1]} == "recv")
    return recv_main(std::strtoull(argv[2], nullptr, 10));
  if (argc >= 6 && std::string{argv[1]} == "send") {
    std::vector<int> ports;
    for (int i = 5; i < argc; ++i)
      ports.push_back(std::atoi(argv[i]));
    return send_main(std::atof(argv[2]), std::strtoull(argv[3], nullptr, 10),
                     std::strtoull(argv[4], nullptr, 10), ports);
  }
  std::fprintf(stderr, "usage: groupchat-floor recv EVERY | send RATE COUNT "
                       "EVERY PORT... | chat [PORT...]\n");
  return 2;
}
