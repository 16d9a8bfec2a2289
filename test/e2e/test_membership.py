# SPDX-License-Identifier: MIT
"""Membership in the real world: silent failures, concurrent joins,
duplicate names, stalled bootstrap addresses."""

import signal
import socket
import threading
import time

from harness import StalledListener, main

TIMEOUT = 1.0  # peer-timeout in FAST


def test_stopped_peer_is_reported_lost_within_the_timeout(g):
    cfg = g.fast()
    alice = g.create("alice", args=cfg)
    bob = g.join("bob", [alice], args=cfg)
    carol = g.join("carol", [alice], args=cfg)
    bob.wait_for(r"^carol has joined the chat$")
    began = time.monotonic()
    bob.signal(signal.SIGSTOP)
    for peer in (alice, carol):
        peer.wait_for(r"^bob lost connection$", timeout=5)
    took = time.monotonic() - began
    assert took <= TIMEOUT + 0.5, "detection took %.2fs" % took
    assert alice.out.count(r"^carol lost connection$") == 0
    alice.send("without bob")
    carol.wait_for(r"^alice: without bob$")
    carol.send("indeed")
    alice.wait_for(r"^carol: indeed$")
    # Once resumed, bob finds himself cut off, and says so; nobody crashes.
    bob.signal(signal.SIGCONT)
    bob.wait_for(r"^(alice|carol) lost connection$", timeout=5)
    alice.send("still fine")
    carol.wait_for(r"^alice: still fine$")


def test_a_stopped_member_comes_back_with_what_it_missed(g):
    """A blip (Ctrl+Z then fg, a laptop lid) longer than peer-timeout: the
    member is back within seconds, and no line said meanwhile is lost."""
    cfg = g.fast()
    alice = g.create("alice", args=cfg)
    bob = g.join("bob", [alice], args=cfg)
    carol = g.join("carol", [alice], args=cfg)
    bob.wait_for(r"^carol has joined the chat$")
    bob.signal(signal.SIGSTOP)
    for peer in (alice, carol):
        peer.wait_for(r"^bob lost connection$", timeout=5)
    marks = {peer: peer.mark() for peer in (alice, carol)}
    alice.send("said while bob was away")
    carol.send("me too")
    bob.send("typed while stopped")  # waits in the pipe
    carol.wait_for(r"^alice: said while bob was away$")
    time.sleep(2 * TIMEOUT)  # the stop itself: longer than peer-timeout
    began = time.monotonic()
    bob.signal(signal.SIGCONT)
    for peer in (alice, carol):
        peer.wait_for(r"^bob has joined the chat$", timeout=10,
                      since=marks[peer])
        peer.wait_for(r"^bob: typed while stopped$", timeout=10)
    bob.wait_for(r"^alice: said while bob was away$", timeout=10)
    bob.wait_for(r"^carol: me too$", timeout=10)
    bob.wait_for(r"^alice has joined the chat$", timeout=10)
    bob.wait_for(r"^carol has joined the chat$", timeout=10)
    took = time.monotonic() - began
    assert took < 8, "back after %.1fs" % took
    bob.send("back for good")
    alice.wait_for(r"^bob: back for good$")
    carol.wait_for(r"^bob: back for good$")
    for peer in (alice, carol):
        assert peer.out.count(r"^bob: typed while stopped$") == 1
    assert bob.out.count(r"^alice: said while bob was away$") == 1


def test_five_peers_joining_at_once_all_hear_each_other(g):
    cfg = g.fast()
    founders = [g.create("a", args=cfg)]
    founders.append(g.join("b", [founders[0]], args=cfg))
    founders.append(g.join("c", [founders[1]], args=cfg))
    newcomers = [g.start("n%d" % i, [founders[i % 3].address], args=cfg)
                 for i in range(5)]
    for peer in newcomers:
        peer.joined()
    everyone = founders + newcomers
    for peer in everyone:
        for other in everyone:
            if other is not peer:
                # Either announced, or in the "Members:" line of the joiner.
                deadline = time.monotonic() + 10
                while True:
                    n = peer.out.count(r"^%s has joined the chat$" % other.name) + \
                        peer.out.count(r"^Members: (.*, )?%s(,|$)" % other.name)
                    if n >= 1 or time.monotonic() > deadline:
                        break
                    time.sleep(0.05)
                assert n == 1, "%s learned of %s %d times:\n%s" % (
                    peer.name, other.name, n, "\n".join(peer.out.lines))
    for peer in everyone:
        peer.send("from %s" % peer.name)
    for peer in everyone:
        for other in everyone:
            if other is not peer:
                peer.wait_for(r"^%s: from %s$" % (other.name, other.name))
    for peer in everyone:
        assert peer.out.count(r"lost connection") == 0, peer.out.lines
        for other in everyone:
            if other is not peer:
                assert peer.out.count(r"^%s: from" % other.name) == 1


def test_second_peer_with_an_existing_name_is_refused(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    second = g.start("bob", [alice.address])
    status = second.wait_exit()
    assert status == 1, status
    second.err.wait_for(r"^groupchat: cannot join: the name 'bob' is already "
                        r"taken in this group$")
    alice.send("after")
    bob.wait_for(r"^alice: after$")
    assert alice.out.count(r"^bob has joined the chat$") == 1


def test_first_bootstrap_entry_with_a_full_accept_backlog(g):
    # A connect to it hangs until the connect timeout.
    with StalledListener() as port:
        alice = g.create("alice")
        began = time.monotonic()
        bob = g.start("bob", ["127.0.0.1:%d" % port, alice.address],
                      args=g.config(connect_timeout="1s"))
        bob.wait_for(r"^Joined the group chat$", timeout=10)
        took = time.monotonic() - began
        assert took < 3.0, "join took %.2fs" % took
        bob.err.wait_for(r"could not reach 127\.0\.0\.1:%d: connect timed out" % port)


def test_peer_that_accepts_but_never_answers(g):
    mute = socket.socket()
    mute.bind(("127.0.0.1", 0))
    mute.listen(8)
    accepted = []
    threading.Thread(target=lambda: accepted.append(mute.accept()),
                     daemon=True).start()
    try:
        alice = g.create("alice")
        began = time.monotonic()
        bob = g.start("bob", ["127.0.0.1:%d" % mute.getsockname()[1],
                              alice.address],
                      args=g.config(join_timeout="1s"))
        bob.wait_for(r"^Members: alice$", timeout=10)
        took = time.monotonic() - began
        assert took < 3.0, "join took %.2fs" % took
    finally:
        mute.close()


def test_leaving_never_hangs_on_a_stopped_peer(g):
    cfg = g.fast()
    alice = g.create("alice", args=cfg)
    bob = g.join("bob", [alice], args=cfg)
    alice.signal(signal.SIGSTOP)
    for i in range(200):
        bob.send("x" * 1000)
    began = time.monotonic()
    bob.send("exit")
    assert bob.wait_exit(timeout=5) == 0
    took = time.monotonic() - began
    assert took < 1.5, "leaving took %.2fs" % took


if __name__ == "__main__":
    main(globals())
