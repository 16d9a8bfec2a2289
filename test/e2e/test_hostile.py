"""Bytes from strangers: each bad connection is dropped, nothing else is lost."""

import socket
import struct

from harness import frame, main, raw_connect


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
    for junk in [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                 frame(b"not json"),
                 frame(b"[1,2,3]"),
                 frame(b'{"type":"chat","version":1,"text":"\xff\xfe"}'),
                 frame(b'{"type":"nope","version":1}'),
                 frame(b'{"type":"chat","version":99,"text":"x"}')]:
        sock = raw_connect(alice)
        sock.sendall(junk)
        expect_dropped(sock)
        sock.close()
    alice.err.wait_for(r"dropped")
    group_still_chats(alice, bob, "after garbage")


def test_oversize_length_is_dropped_without_allocating(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    sock = raw_connect(alice)
    sock.sendall(struct.pack(">I", 0xFFFFFFFF))
    expect_dropped(sock)
    alice.err.wait_for(r"frame_too_large")
    group_still_chats(alice, bob, "after oversize")


def test_endless_frame_does_not_block_the_group(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    sock = raw_connect(alice)
    # Announce a large frame and never finish it.
    sock.sendall(struct.pack(">I", 1000000) + b"{" * 50000)
    group_still_chats(alice, bob, "during endless frame")
    sock.close()
    group_still_chats(alice, bob, "after endless frame")


def test_chat_from_a_stranger_is_never_shown(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    sock = raw_connect(alice)
    sock.sendall(frame('{"type":"chat","version":1,"seq":1,"text":"spoofed"}'))
    expect_dropped(sock)
    group_still_chats(alice, bob, "after spoof")
    assert alice.out.count("spoofed") == 0


def test_name_in_payload_is_not_trusted(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    sock = raw_connect(alice)
    sock.sendall(frame('{"type":"greeting","version":1,"name":"mallory","id":666,"port":1}'))
    alice.wait_for(r"^mallory has joined the chat$")
    # A chat with a "name" field still shows the connection's name.
    sock.sendall(frame('{"type":"chat","version":1,"seq":1,"name":"bob","text":"trust me"}'))
    alice.wait_for(r"^mallory: trust me$")
    sock.close()
    alice.wait_for(r"^mallory lost connection$")
    group_still_chats(alice, bob, "after mallory")


def test_raw_client_speaking_the_protocol_joins(g):
    alice = g.create("alice")
    sock = raw_connect(alice)
    sock.sendall(frame('{"type":"hello","version":1}'))
    header = sock.recv(4, socket.MSG_WAITALL)
    (length,) = struct.unpack(">I", header)
    body = sock.recv(length, socket.MSG_WAITALL)
    assert b'"type":"members"' in body and b'"alice"' in body, body
    sock.close()


if __name__ == "__main__":
    main(globals())
