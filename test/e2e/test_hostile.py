# SPDX-License-Identifier: MIT
"""Bytes from strangers: each bad connection is dropped, nothing else is lost."""

import os
import resource
import socket
import threading
import struct
import time

import json

from harness import (DEADLINE, frame, greet, main, members_of, plain_connect,
                     raw_connect, read_frame, welcomed)

# Under the sanitizers, memory figures mean little (shadow memory).
RSS_LIMIT_KIB = 1 << 30 if os.environ.get("GROUPCHAT_SANITIZED") else 100 * 1024


def id_of(peer):
    return members_of(peer)[0]["id"]


def group_still_chats(alice, bob, tag):
    bob.send("still fine " + tag)
    alice.wait_for(r"^bob: still fine %s$" % tag)
    alice.send("ack " + tag)
    bob.wait_for(r"^alice: ack %s$" % tag)


def expect_dropped(sock):
    """The peer closes a connection it gave up on."""
    sock.settimeout(5)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass


def test_garbage_is_dropped(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    # Before the handshake: not even a frame.
    sock = plain_connect(alice)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    expect_dropped(sock)
    sock.close()
    alice.err.wait_for(r'not a groupchat peer: it sent text \("GET \.\.\."\)')
    # Sealed, well-framed bodies that are no message of this version.
    for junk in [frame(b"not json"),
                 frame(b"[1,2,3]"),
                 frame(b'{"type":"chat","version":3,"text":"\xff\xfe"}'),
                 frame(b'{"type":"nope","version":3}'),
                 frame(b'{"type":"chat","version":99,"text":"x"}'),
                 frame(b'{"type":"chat","version":1,"seq":1,"text":"x"}')]:
        sock = raw_connect(alice)
        sock.sendall(junk)
        expect_dropped(sock)
        sock.close()
    alice.err.wait_for(r"dropped")
    group_still_chats(alice, bob, "after garbage")


def test_oversize_length_is_dropped_without_allocating(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    sock = plain_connect(alice)
    sock.sendall(struct.pack(">I", 0xFFFFFFFF))
    expect_dropped(sock)
    alice.err.wait_for(r"frame_too_large")
    group_still_chats(alice, bob, "after oversize")


def test_endless_frame_does_not_block_the_group(g):
    """A member that announces a frame and never finishes it: the frame is
    held (a member may send up to max-frame-size), the group chats on
    meanwhile, and since a frame that never ends is never heard, the member
    is lost at the peer timeout however long it keeps trickling bytes."""
    # Short timeouts, but long enough for a round of chat during the frame.
    cfg = g.config(max_frame_size=65536, heartbeat_interval="600ms",
                   peer_timeout="3s")
    alice = g.create("alice", args=cfg)
    bob = g.join("bob", [alice], args=cfg)
    sock = raw_connect(alice)
    greet(sock, "mallory", id_of(alice))
    alice.wait_for(r"^mallory has joined the chat$")
    welcomed(sock)
    # 60000 bytes: far above the 1 KiB a stranger may announce, within what
    # a member may. Announced, and never finished: a byte now and then,
    # under the seal (the raw socket's).
    sock = sock.sock
    sock.sendall(struct.pack(">I", 60000) + b"{" * 5000)
    stop = threading.Event()

    def trickle():
        try:
            while not stop.wait(0.1):  # pacing the trickle, not waiting
                sock.send(b"{")
        except OSError:
            pass  # alice closed the connection

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    try:
        group_still_chats(alice, bob, "during endless frame")
        assert alice.out.count(r"^mallory lost connection$") == 0, \
            "mallory was lost before the group chatted around its frame"
        # Partial input is not a sign of life: lost, and the socket closed.
        alice.wait_for(r"^mallory lost connection$")
        expect_dropped(sock)
    finally:
        stop.set()
        trickler.join(DEADLINE)
    # The frame was held, not refused by a size limit.
    assert alice.err.count(r"frame_too_large") == 0, alice.err.lines
    sock.close()
    group_still_chats(alice, bob, "after endless frame")


def test_a_member_announcing_more_than_max_frame_size_is_dropped(g):
    """A greeted member's limit is max-frame-size (not the stranger's 1 KiB),
    and the 17 bytes of the seal: one byte more is refused with a warning,
    at once, before any of it arrives; the rest of the group chats on."""
    cfg = g.config(max_frame_size=65536)
    alice = g.create("alice", args=cfg)
    bob = g.join("bob", [alice], args=cfg)
    sock = raw_connect(alice)
    greet(sock, "mallory", id_of(alice))
    alice.wait_for(r"^mallory has joined the chat$")
    welcomed(sock)
    sock.sock.sendall(struct.pack(">I", 65536 + 17 + 1) + b"{" * 1000)
    expect_dropped(sock)
    sock.close()
    alice.err.wait_for(r"warning: connection 127\.0\.0\.1:\d+ dropped: "
                       r"frame_too_large: length prefix 65554 exceeds the "
                       r"maximum of 65553$")
    alice.wait_for(r"^mallory lost connection$")
    group_still_chats(alice, bob, "after the oversize frame")


def test_chat_from_a_stranger_is_never_shown(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    sock = raw_connect(alice)
    sock.sendall(frame('{"type":"chat","version":3,"seq":1,"text":"spoofed"}'))
    expect_dropped(sock)
    group_still_chats(alice, bob, "after spoof")
    assert alice.out.count("spoofed") == 0


def test_name_in_payload_is_not_trusted(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    sock = raw_connect(alice)
    greet(sock, "mallory", id_of(alice))
    alice.wait_for(r"^mallory has joined the chat$")
    welcomed(sock)
    # A chat with a "name" field still shows the connection's name.
    sock.sendall(frame('{"type":"chat","version":3,"seq":1,"name":"bob","text":"trust me"}'))
    alice.wait_for(r"^mallory: trust me$")
    sock.close()
    alice.wait_for(r"^mallory lost connection$")
    group_still_chats(alice, bob, "after mallory")


def test_a_line_of_output_is_one_message(g):
    """Text with a line break, a carriage return or a bidi override cannot
    forge a line of its own for scripts that read the output."""
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    sock = raw_connect(alice)
    greet(sock, "mallory", id_of(alice))
    alice.wait_for(r"^mallory has joined the chat$")
    welcomed(sock)
    text = "one\nbob: forged\rtwo\u2028three\u202eevil\u0085end"
    sock.sendall(frame(json.dumps({"type": "chat", "version": 3, "seq": 1,
                                   "text": text})))
    alice.wait_for(r"^mallory: one\?bob: forged\?two\?three\?evil\?end$")
    assert alice.out.count(r"^bob: forged") == 0
    sock.close()
    group_still_chats(alice, bob, "after the forged line")


def test_names_that_look_alike_are_one_name(g):
    """A name with an invisible character is refused; one that only differs
    in case or in letters from another script is taken."""
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    for name in ("bob\u200b", "\u202ebob"):
        sock = raw_connect(alice)
        greet(sock, name, id_of(alice))
        expect_dropped(sock)
        sock.close()
    for name in ("Bob", "b\u043eb"):  # the second "o" is Cyrillic
        sock = raw_connect(alice)
        greet(sock, name, id_of(alice))
        msg = json.loads(read_frame(sock))
        assert msg["type"] == "refuse", msg
        assert "already taken" in msg["reason"], msg
        sock.close()
    assert alice.out.count(r"has joined the chat") == 1
    group_still_chats(alice, bob, "after the look-alikes")


def test_nobody_speaks_as_another_member(g):
    """The forgery of issue 10: a stranger reads bob's ID from a member list
    and greets carol with it, then chats and leaves as bob."""
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    carol = g.join("carol", [alice])
    bob.wait_for(r"^carol has joined the chat$")
    bob_id = [m["id"] for m in members_of(alice) if m["name"] == "bob"][0]
    carol_id = id_of(carol)
    for name in ("bob", "bobby"):
        mallory = raw_connect(carol)
        greet(mallory, name, carol_id, claimed_id=bob_id)
        try:
            mallory.sendall(frame(json.dumps({
                "type": "chat", "version": 3, "seq": 2 ** 53 - 1,
                "text": "forged by mallory"})))
            mallory.sendall(frame('{"type":"leave","version":3}'))
        except OSError:
            pass  # carol may have closed already
        expect_dropped(mallory)
        mallory.close()
    carol.err.wait_for(r"does not prove the ID it claims")
    bob.send("the real bob")
    carol.wait_for(r"^bob: the real bob$")
    bob.send("and again")
    carol.wait_for(r"^bob: and again$")
    for forged in (r"forged by mallory", r"^bob has left", r"^bob lost",
                   r"^bobby"):
        assert carol.out.count(forged) == 0, forged


def test_raw_client_speaking_the_protocol_joins(g):
    alice = g.create("alice")
    sock = raw_connect(alice)
    sock.sendall(frame('{"type":"hello","version":3}'))
    challenge = json.loads(read_frame(sock))
    assert challenge["type"] == "challenge", challenge
    body = read_frame(sock)
    assert b'"type":"members"' in body and b'"alice"' in body, body
    sock.close()


def test_thousands_of_idle_connections(g):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    cfg = g.config(max_connections=64, heartbeat_interval="200ms",
                   peer_timeout="1s")
    alice = g.create("alice", args=cfg)
    bob = g.join("bob", [alice], args=cfg)
    idle = []
    for _ in range(2000):
        try:
            idle.append(socket.create_connection(("127.0.0.1", alice.port),
                                                 timeout=2))
        except OSError:
            break
    assert len(idle) > 500, "only %d connections opened" % len(idle)
    # Some are refused by the connection limit, the rest closed to make
    # room in the pool of strangers, which is faster or slower than the
    # flood depending on the machine: either way the group goes on.
    group_still_chats(alice, bob, "among idle connections")
    assert alice.rss_kib() < RSS_LIMIT_KIB, alice.rss_kib()
    # Strangers that never greet are closed after the peer timeout.
    alive = 0
    deadline = time.monotonic() + 5
    for sock in idle:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            # Its challenge may still be there to read; then the end.
            while sock.recv(4096) != b"":
                pass
        except socket.timeout:
            alive += 1
        except OSError:
            pass
    assert alive == 0, "%d idle connections still open" % alive
    for sock in idle:
        sock.close()
    carol = g.join("carol", [alice], args=cfg)
    carol.wait_for(r"^Members: alice, bob$")
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_reader_that_never_reads_is_dropped(g):
    # 1 MiB: far above what bob, who reads, ever lags behind; far below the
    # 16 MB sent, of which the kernel buffers only a few MB for the sloth.
    cfg = g.config(max_pending_output=1 << 20)
    alice = g.create("alice", args=cfg)
    bob = g.join("bob", [alice], args=cfg)
    sloth = raw_connect(alice)
    sloth.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    greet(sloth, "sloth", id_of(alice))
    alice.wait_for(r"^sloth has joined the chat$")
    # In rounds that bob, who reads, confirms: only the sloth falls behind.
    line = "z" * 30000
    for round in range(30):
        for _ in range(20):
            alice.send(line)
        alice.send("round %d" % round)
        bob.wait_for(r"^alice: round %d$" % round)
    alice.wait_for(r"^sloth lost connection$", timeout=20)
    alice.err.wait_for(r"output_overflow")
    group_still_chats(alice, bob, "after the sloth")
    assert alice.rss_kib() < RSS_LIMIT_KIB, alice.rss_kib()
    sloth.close()


def test_flood_is_slowed_down_not_dropped(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    flood = raw_connect(alice)
    greet(flood, "flood", id_of(alice))
    alice.wait_for(r"^flood has joined the chat$")
    burst = b"".join(frame('{"type":"chat","version":3,"seq":%d,"text":"f"}' % i)
                     for i in range(1, 50001))
    began = time.monotonic()
    # TCP backpressure blocks the sender: send on a thread of its own.
    sender = threading.Thread(target=lambda: flood.sendall(burst), daemon=True)
    sender.start()
    alice.wait_for(r"^flood: f$")
    group_still_chats(alice, bob, "during the flood")
    time.sleep(0.5)  # let the flood run; what it achieved is measured below
    shown = alice.out.count(r"^flood: f$")
    elapsed = time.monotonic() - began
    # A burst of 4000 passes, then 2000 a second.
    assert shown <= 4000 + 2000 * elapsed + 200, \
        "%d flood lines in %.2fs" % (shown, elapsed)
    assert shown < 50000, "the flood was not slowed down"
    assert alice.out.count(r"^flood lost connection$") == 0
    assert alice.rss_kib() < RSS_LIMIT_KIB, alice.rss_kib()
    flood.close()


if __name__ == "__main__":
    main(globals())
