# SPDX-License-Identifier: MIT
"""Protocol 3: every connection of a group without a passphrase is sealed
too. Played as the attackers of protocol/README.md ("Threat model"): one on
the path, and an entry peer that puts itself between a newcomer and every
member."""

import json
import os
import socket
import threading
import time

from harness import (DEADLINE, Relay, check_wire_unreadable, free_port, greet,
                     listening_socket, main, members_of, raw_connect,
                     welcomed)
from sealed import SealedSocket, frame


class Intruder:
    """A peer in the middle that speaks the protocol on both sides: it ends
    the sealed connection of whoever dials it and opens its own to
    `target`, and passes the bodies on, reading (`heard`) and changing them.
    As an entry, it lists its own address for every member: each member's
    `members` entry is rewritten to point at another Intruder in front of
    that member."""

    def __init__(self, target_port, list_itself=True):
        self.target = target_port
        self.list_itself = list_itself
        self.server = listening_socket()
        self.port = self.server.getsockname()[1]
        self.heard = []
        self.downstreams = []
        self.others = {}
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                down = SealedSocket.accept(client)
                up = SealedSocket.connect(self.target)
            except (AssertionError, OSError, ValueError):
                client.close()
                continue
            with self.lock:
                self.downstreams.append(down)
            threading.Thread(target=self._pump, args=(down, up, False),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(up, down, True),
                             daemon=True).start()

    def _in_front_of(self, port):
        with self.lock:
            if port not in self.others:
                self.others[port] = Intruder(port, list_itself=False)
            return self.others[port].port

    def _rewrite(self, body):
        msg = json.loads(body)
        if msg.get("type") != "members" or not self.list_itself:
            return body
        for member in msg["members"]:
            member["port"] = self._in_front_of(member["port"])
            member["host"] = "127.0.0.1"
        return json.dumps(msg).encode()

    def _pump(self, src, dst, from_target):
        while True:
            try:
                body = src.recv_body()
                with self.lock:
                    self.heard.append(body)
                dst.send(self._rewrite(body) if from_target else body)
            except (AssertionError, OSError, ValueError):
                for sock in (src.sock, dst.sock):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                return

    def inject(self, body):
        """Sends `body` to everyone who dialed us, sealed as ours."""
        with self.lock:
            downs = list(self.downstreams)
        for down in downs:
            try:
                down.send(body)
            except OSError:
                pass

    def everything_heard(self):
        with self.lock:
            heard = list(self.heard)
            others = list(self.others.values())
        for other in others:
            heard += other.everything_heard()
        return heard

    def close(self):
        self.server.close()
        for other in list(self.others.values()):
            other.close()


def test_the_wire_of_an_open_group_carries_no_chat_text(g):
    check_wire_unreadable(g, Relay)


def test_a_relay_can_neither_add_a_line_nor_lose_the_next(g):
    """The attack of protocol 2: a line in alice's name, with the number
    her next real line would carry, so that hers was dropped as a
    duplicate. Sealed, the added frame fails, the connection is dropped,
    and the next real line arrives."""
    cfg = g.fast()
    alice = g.create("alice", args=cfg)
    relay = Relay(alice.port)
    try:
        bob = g.join("bob", ["127.0.0.1:%d" % relay.port], args=cfg)
        bob.send("first")
        alice.wait_for(r"^bob: first$")
        forged = {"type": "chat", "version": 3, "seq": 2,
                  "text": "injected by the relay"}
        relay.inject(frame(json.dumps(forged)))
        alice.err.wait_for(r"failed authentication")
        bob.send("second")
        alice.wait_for(r"^bob: second$")
        assert alice.out.count(r"injected") == 0, alice.out.lines
    finally:
        relay.close()


def test_an_entry_that_lists_itself_for_every_member_learns_nothing(g):
    """mallory stands between a newcomer and the group: the newcomer joins
    through her, and she lists her own addresses for alice and bob, passing
    every message on. Each connection is sealed with its own keys, and the
    identity proofs sign the connection they were made on: relayed to the
    other connection, they fail. The newcomer is not let in through her,
    and she reads no line of it and gets none of hers accepted. (That the
    newcomer then creates a group of its own is issue 24's to change.)"""
    cfg = g.fast()
    alice = g.create("alice", args=cfg)
    bob = g.join("bob", [alice], args=cfg)
    mallory = Intruder(alice.port)
    try:
        carol = g.start("carol", ["127.0.0.1:%d" % mallory.port], args=cfg)
        alice.err.wait_for(r"proof|signature|does not prove")
        mallory.inject(json.dumps({"type": "chat", "version": 3, "seq": 1,
                                   "text": "injected by mallory"}))
        carol.send("for your eyes only")
        carol.send("/msg alice the vault code")
        carol.wait_for(r"^Could not reach any member of the group$")
        for peer in (alice, bob):
            assert peer.out.count(r"carol") == 0, peer.out.lines
        assert carol.out.count(r"injected") == 0, carol.out.lines
        assert carol.out.count(r"^Members") == 0, carol.out.lines
        heard = b"".join(mallory.everything_heard())
        assert b'"greeting"' in heard, "mallory was not in the middle"
        for text in (b"eyes only", b"vault"):
            assert text not in heard, "mallory read %r" % text
    finally:
        mallory.close()


class NeverWelcomes:
    """A host that answers every dial as a member would start to: the
    handshake, a challenge, then heartbeats, and never a welcome. It keeps
    every connection open."""

    def __init__(self):
        self.server = listening_socket()
        self.port = self.server.getsockname()[1]
        self.socks = []
        self.lock = threading.Lock()
        self.done = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()
        threading.Thread(target=self._beat, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
                sock = SealedSocket.accept(client)
                sock.send(json.dumps({"type": "challenge", "version": 3,
                                      "nonce": os.urandom(32).hex()}))
            except (AssertionError, OSError, ValueError):
                if self.done.is_set():
                    return
                continue
            with self.lock:
                self.socks.append(sock)

    def _beat(self):
        while not self.done.wait(0.2):  # pacing the heartbeats, not waiting
            with self.lock:
                socks = list(self.socks)
            for sock in socks:
                try:
                    sock.send('{"type":"heartbeat","version":3}')
                except OSError:
                    pass

    def close(self):
        self.done.set()
        self.server.close()
        with self.lock:
            for sock in self.socks:
                sock.close()


def open_sockets(pid):
    """Sockets `pid` has open now; one closed while we look is not."""
    count = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            count += os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith("socket:")
        except FileNotFoundError:
            pass
    return count


def test_gossip_of_hosts_that_never_welcome_holds_a_bounded_number_of_sockets(g):
    """The attack of protocol 2: a member gossiped 1,600 fresh IDs in 8
    lists, all at a host that answers with a challenge and heartbeats but
    never a welcome, and alice's sockets grew by 1,601. Now dials and
    dialed connections waiting for a welcome count against
    max-connections, each has greeting-timeout from its connect, and a
    member's lists are taken once per heartbeat."""
    # Small bounds and a fast heartbeat: without the bounds, the sockets
    # would pass them within a second.
    cfg = g.config(max_connections=16, max_strangers=16, heartbeat_interval="100ms")
    alice = g.create("alice", args=cfg)
    bob = g.join("bob", [alice], args=cfg)
    before = open_sockets(alice.proc.pid)
    sink = NeverWelcomes()
    mallory = raw_connect(alice)
    try:
        greet(mallory, "mallory", members_of(alice)[0]["id"])
        alice.wait_for(r"^mallory has joined the chat$")
        welcomed(mallory)
        most = 0
        for batch in range(100):  # 1,600 IDs, 16 a list
            entries = [{"name": "m%d" % (batch * 16 + i), "host": "127.0.0.1",
                        "port": sink.port,
                        "id": "%064x" % (0x1000 + batch * 16 + i)}
                       for i in range(16)]
            mallory.send(json.dumps({"type": "members", "version": 3,
                                     "members": entries}))
            bob.send("batch %d" % batch)
            alice.wait_for(r"^bob: batch %d$" % batch)
            most = max(most, open_sockets(alice.proc.pid))
        assert most - before <= 16 + 16, \
            "%d sockets, %d before the gossip" % (most, before)
        assert len(sink.socks) >= 8, "the sink got %d dials" % len(sink.socks)
        alice.err.wait_for(r"not connecting to m\d+: 16 members and "
                           r"connections or connects waiting for a welcome")
    finally:
        mallory.close()
        sink.close()


def test_a_real_member_that_a_forger_claims_is_let_in(g):
    """mallory lists carol's real key at a host that never welcomes, so
    alice's dial there claims carol's key until its greeting times out. A
    claim proves nothing: carol herself, proving her key, is let in
    meanwhile."""
    cfg = g.config(greeting_timeout="30s")
    carol_data = g.data_dir()
    # carol's key, from her key file: a run of her own first.
    lone = g.create("carol", data=carol_data)
    carol_id = members_of(lone)[0]["id"]
    lone.send("/quit")
    assert lone.wait_exit() == 0
    alice = g.create("alice", args=cfg)
    sink = NeverWelcomes()
    mallory = raw_connect(alice)
    try:
        greet(mallory, "mallory", members_of(alice)[0]["id"])
        alice.wait_for(r"^mallory has joined the chat$")
        welcomed(mallory)
        mallory.send(json.dumps({"type": "members", "version": 3, "members": [
            {"name": "carol", "host": "127.0.0.1", "port": sink.port,
             "id": carol_id}]}))
        deadline = time.monotonic() + DEADLINE
        while not sink.socks:  # alice's dial, waiting for a welcome
            assert time.monotonic() < deadline, "alice never dialed the sink"
            time.sleep(0.05)
        carol = g.join("carol", [alice], data=carol_data)
        alice.wait_for(r"^carol has joined the chat$")
        carol.send("the real one")
        alice.wait_for(r"^carol: the real one$")
    finally:
        mallory.close()
        sink.close()


def test_a_joiner_that_dials_itself_moves_on(g):
    """Its own address first in its list (a list shared by everyone): its
    handshake comes back to its own listener, which refuses a session it
    drew itself; the dial proves nothing, costs no guess, and the next
    address is tried."""
    alice = g.create("alice")
    port = free_port()
    bob = g.join("bob", ["127.0.0.1:%d" % port, alice.address], port=port)
    bob.wait_for(r"^Members: alice$")
    bob.err.wait_for(r"reflected")
    alice.send("hello bob")
    bob.wait_for(r"^alice: hello bob$")


if __name__ == "__main__":
    main(globals())
