# SPDX-License-Identifier: MIT
"""Every way of leaving: graceful ones are 'has left', crashes 'lost connection'."""

import os
import signal
import threading
import time

import harness
from harness import StalledListener, main

LEAVE_DEADLINE = 1.0  # a graceful leave exits within a second


def leave_and_check(g, how):
    alice = g.create("alice")
    carol = g.join("carol", [alice])
    bob = g.join("bob", [alice])
    carol.wait_for(r"^bob has joined the chat$")
    bob.send("last words")
    began = time.monotonic()
    how(bob)
    status = bob.wait_exit(timeout=5)
    took = time.monotonic() - began
    assert status == 0, "exit status %d" % status
    assert took < LEAVE_DEADLINE, "leaving took %.2fs" % took
    for peer in (alice, carol):
        peer.wait_for(r"^bob: last words$")
        peer.wait_for(r"^bob has left the chat$")
        assert peer.out.count(r"^bob lost connection$") == 0
    # The rest of the group keeps talking.
    alice.send("still here")
    carol.wait_for(r"^alice: still here$")


def test_history_survives_its_author(g):
    """A newcomer sees the recent lines of a member who left before it
    came: the member it joins through passes them on, signed by their
    author."""
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    alice.send("said before carol came")
    alice.send("/me waves goodbye")
    bob.wait_for(r"^\* alice waves goodbye$")
    alice.send("/quit")
    assert alice.wait_exit(timeout=5) == 0
    bob.wait_for(r"^alice has left the chat$")
    carol = g.join("carol", [bob])
    carol.wait_for(r"^alice: said before carol came$")
    carol.wait_for(r"^\* alice waves goodbye$")
    assert carol.out.count(r"alice") == 2, list(carol.out.lines)


def test_exit(g):
    leave_and_check(g, lambda p: p.send("exit"))


def test_quit_command(g):
    leave_and_check(g, lambda p: p.send("/quit"))


def test_end_of_input(g):
    leave_and_check(g, lambda p: p.close_stdin())


def test_input_that_ends_before_the_join_is_sent_after_it(g):
    # A bootstrap address whose connect hangs for the connect timeout holds
    # the join back, so the input ends (EOF) while it is in progress.
    with StalledListener() as port:
        alice = g.create("alice")
        cfg = g.config(connect_timeout="1s")
        bob = g.start("bob", ["127.0.0.1:%d" % port, alice.address], args=cfg)
        for line in ("build done", "all tests passed"):
            bob.send(line)
        bob.close_stdin()
        assert bob.out.count(r"^Joined the group chat$") == 0, "joined first"
        for line in ("bob: build done", "bob: all tests passed",
                     "bob has left the chat"):
            alice.wait_for("^%s$" % line)
        assert bob.wait_exit() == 0


def test_a_named_fifo_whose_writer_is_gone_ends_input(g):
    """`groupchat < FIFO` where the writer wrote and left before groupchat
    read anything: the lines are sent, then groupchat leaves (a FIFO opened
    anew would never report the end)."""
    alice = g.create("alice")
    fifo = os.path.join(g.tmp, "input")
    os.mkfifo(fifo)

    def write():
        with open(fifo, "w") as out:
            out.write("through a fifo\n")

    writer = threading.Thread(target=write)
    writer.start()
    with open(fifo, "rb") as stdin:  # returns once the writer opened it
        writer.join()
        status, _, err = harness.run(["--name", "bob", "0", alice.address],
                                     stdin=stdin)
    assert status == 0, err
    alice.wait_for(r"^bob: through a fifo$")
    alice.wait_for(r"^bob has left the chat$")


def test_sigint(g):
    leave_and_check(g, lambda p: p.signal(signal.SIGINT))


def test_sigterm(g):
    leave_and_check(g, lambda p: p.signal(signal.SIGTERM))


def test_sighup(g):
    leave_and_check(g, lambda p: p.signal(signal.SIGHUP))


def test_kill_is_lost_connection(g):
    alice = g.create("alice")
    carol = g.join("carol", [alice])
    bob = g.join("bob", [alice])
    carol.wait_for(r"^bob has joined the chat$")
    bob.signal(signal.SIGKILL)
    for peer in (alice, carol):
        peer.wait_for(r"^bob lost connection$")
        assert peer.out.count(r"^bob has left the chat$") == 0
    alice.send("after the crash")
    carol.wait_for(r"^alice: after the crash$")


def test_two_leaves_at_once(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    carol = g.join("carol", [alice])
    bob.wait_for(r"^carol has joined the chat$")
    bob.send("exit")
    carol.send("exit")
    assert bob.wait_exit() == 0
    assert carol.wait_exit() == 0
    alice.wait_for(r"^bob has left the chat$")
    alice.wait_for(r"^carol has left the chat$")
    assert alice.out.count(r"lost connection") == 0


if __name__ == "__main__":
    main(globals())
