# SPDX-License-Identifier: MIT
"""Passphrase-protected groups: members chat, outsiders are refused on both
sides, and nothing readable crosses the wire."""

import os
import re
import socket
import threading
import time

import harness
from harness import Relay, main


def secret_env(passphrase):
    env = dict(os.environ)
    if passphrase is None:
        env.pop("GROUPCHAT_SECRET", None)
    else:
        env["GROUPCHAT_SECRET"] = passphrase
    return env


def test_members_with_the_passphrase_chat(g):
    alice = g.create("alice", env=secret_env("open sesame"))
    alice.wait_for(r"^Listening on .* \(passphrase-protected\)$")
    bob = g.join("bob", [alice], env=secret_env("open sesame"))
    bob.wait_for(r"^Members: alice$")
    bob.send("secret plans")
    alice.wait_for(r"^bob: secret plans$")
    alice.send("understood")
    bob.wait_for(r"^alice: understood$")


def test_secret_file_and_config_work_too(g):
    path = os.path.join(g.tmp, "secret")
    # Written on Windows: the CR is no part of the passphrase.
    with open(path, "w") as f:
        f.write("open sesame\r\n")
    os.chmod(path, 0o600)
    alice = g.create("alice", args=["--secret-file", path],
                     env=secret_env(None))
    cfg = g.config(secret='"open sesame"')
    os.chmod(cfg[-1], 0o600)
    bob = g.join("bob", [alice], args=cfg, env=secret_env(None))
    bob.send("via the config")
    alice.wait_for(r"^bob: via the config$")
    for peer in (alice, bob):
        assert peer.err.count(r"chmod 600") == 0, peer.err.lines


def test_a_secret_others_can_read_is_warned_about(g):
    path = os.path.join(g.tmp, "secret")
    with open(path, "w") as f:
        f.write("open sesame\n")
    os.chmod(path, 0o644)
    alice = g.create("alice", args=["--secret-file", path],
                     env=secret_env(None))
    alice.err.wait_for(r"other users can read it; make it private: "
                       r"chmod 600 .*secret")
    cfg = g.config(secret='"open sesame"')
    os.chmod(cfg[-1], 0o644)
    bob = g.join("bob", [alice], args=cfg, env=secret_env(None))
    bob.err.wait_for(r"holds the passphrase and other users can read it")


def test_the_passphrase_leaves_no_trace_in_the_environment(g):
    alice = g.create("alice", env=secret_env("open sesame"))
    with open("/proc/%d/environ" % alice.proc.pid, "rb") as f:
        environ = f.read()
    assert b"open sesame" not in environ
    bob = g.join("bob", [alice], env=secret_env("open sesame"))
    bob.send("still works")
    alice.wait_for(r"^bob: still works$")


def test_new_secret_prints_a_readable_passphrase(g):
    status, out, err = harness.run(["--new-secret"])
    assert status == 0, err
    again = harness.run(["--new-secret"])[1]
    assert re.fullmatch(r"([a-z]{5}-){7}[a-z]{5}\n", out), out
    assert out != again
    # It works as a passphrase, of course.
    path = os.path.join(g.tmp, "secret")
    with open(path, "w") as f:
        f.write(out)
    os.chmod(path, 0o600)
    alice = g.create("alice", args=["--secret-file", path],
                     env=secret_env(None))
    bob = g.join("bob", [alice], args=["--secret-file", path],
                 env=secret_env(None))
    bob.send("made up")
    alice.wait_for(r"^bob: made up$")


def check_refused(g, alice, env, alice_logs=r"authentication failed"):
    mallory = g.start("mallory", [alice.address], env=env)
    status = mallory.wait_exit()
    assert status == 1, status
    mallory.err.wait_for(r"authentication failed")
    assert mallory.out.count(r"^Members") == 0
    assert mallory.out.count(r"alice") == 0
    alice.err.wait_for(alice_logs)
    assert alice.out.count(r"mallory") == 0


def test_joiner_without_the_passphrase_is_refused(g):
    alice = g.create("alice", env=secret_env("open sesame"))
    check_refused(g, alice, secret_env(None))


def test_joiner_with_another_passphrase_is_refused(g):
    alice = g.create("alice", env=secret_env("open sesame"))
    check_refused(g, alice, secret_env("open barley"))


def test_joiner_with_a_passphrase_never_falls_back_to_plaintext(g):
    alice = g.create("alice", env=secret_env(None))
    # Nothing authenticates in an open group: its handshake failed.
    check_refused(g, alice, secret_env("open sesame"),
                  r"warning: handshake failed with .*: the peer has a "
                  r"passphrase, this group has none$")


def test_guesses_at_the_passphrase_are_limited_per_host(g):
    """Each failed handshake is one online guess (nothing recorded or
    received tests one offline): after max-failed-handshakes, a host's
    connections get no answer until its budget refills."""
    # A refill long enough that bob, however late a loaded machine
    # (sanitizers, -j2) starts him, still finds the budget used up.
    config = g.config(max_failed_handshakes=3, failed_handshake_interval="6s")
    alice = g.create("alice", env=secret_env("open sesame"), args=config)
    for i in range(3):
        guesser = g.start("guess%d" % i, [alice.address],
                          env=secret_env("guess number %d" % i))
        assert guesser.wait_exit() == 1
    alice.err.wait_for(r"127\.0\.0\.1 used up its 3 guesses")
    # Refused unanswered now, even with the right passphrase: no guess,
    # and bob is told why and for how long.
    bob = g.start("bob", [alice.address], env=secret_env("open sesame"))
    # A deadline for a loaded machine with sanitizers (CI's second run).
    assert bob.wait_exit(timeout=30) == 1
    bob.err.wait_for(r"^groupchat: cannot join: too many failed attempts from "
                     r"your address, try again in \d+ s$")
    assert bob.err.count(r"authentication failed") == 0, bob.err.lines
    assert alice.out.count(r"bob") == 0
    # The budget refills: within a few intervals, the right one gets in.
    deadline = time.monotonic() + 30
    while True:
        carol = g.start("carol", [alice.address], env=secret_env("open sesame"))
        try:
            carol.wait_for(r"^Joined the group chat$", timeout=3)
            break
        except AssertionError:
            carol.kill()
            assert time.monotonic() < deadline, "carol was never let in"
    alice.wait_for(r"^carol has joined the chat$")
    assert alice.err.count(r"used up its 3 guesses") == 1, \
        "a refused try counted as a guess"


def handshake_start():
    """A CPace first message (secure.hpp, step 1) with a random session and
    a random point: whoever answers it lets us test one guess."""
    import ctypes
    sodium = ctypes.CDLL("libsodium.so.23")
    assert sodium.sodium_init() >= 0
    point = ctypes.create_string_buffer(32)
    sodium.crypto_core_ristretto255_random(point)
    return harness.frame(b"\x01" + os.urandom(16) + point.raw)


def answers(socks, seconds):
    """How many of `socks` get a CPace answer (step 2) within `seconds`."""
    import select
    answered, waiting = 0, {s: b"" for s in socks}
    deadline = time.monotonic() + seconds
    while waiting and time.monotonic() < deadline:
        ready, _, _ = select.select(list(waiting), [], [],
                                    max(0, deadline - time.monotonic()))
        for s in ready:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                del waiting[s]
                continue
            waiting[s] += data
            if len(waiting[s]) >= 5:
                answered += waiting[s][4] == 2
                del waiting[s]
    return answered


def test_parallel_guesses_get_no_more_answers_than_the_budget(g):
    """200 handshakes at once from one address get at most
    max-failed-handshakes answers (each answer is a guess tested); a member
    from another address joins at once meanwhile."""
    alice = g.create("alice", env=secret_env("open sesame"))
    socks = []
    for _ in range(200):
        s = socket.socket()
        s.bind(("127.0.0.5", 0))
        try:
            s.connect(("127.0.0.1", alice.port))
            s.sendall(handshake_start())
        except OSError:
            pass  # Refused before we sent: no answer either.
        socks.append(s)
    try:
        got = answers(socks, 3)
        assert 1 <= got <= 5, "%d answers" % got
        bob = g.join("bob", [alice], env=secret_env("open sesame"))
        alice.wait_for(r"^bob has joined the chat$")
        bob.wait_for(r"^Members: alice$")
    finally:
        for s in socks:
            s.close()


def test_the_wire_carries_no_chat_text(g):
    harness.check_wire_unreadable(g, Relay, env=secret_env("open sesame"))


if __name__ == "__main__":
    main(globals())
