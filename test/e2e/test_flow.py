# SPDX-License-Identifier: MIT
"""Flow control and bounded strangers, end to end: a legitimate user who
sends a lot is slowed down, never dropped; only a peer that does not read
at all is; strangers cannot lock newcomers out or make a peer spend much.
"""

import os
import re
import resource
import socket
import subprocess
import threading
import time

import harness
from harness import DEADLINE, frame, main, raw_connect

SANITIZED = bool(os.environ.get("GROUPCHAT_SANITIZED"))
# Under the sanitizers a peer runs several times slower: fewer lines still
# exercise every path (congestion needs the 1 KB lines to exceed 4 MiB).
LINES = 6000 if SANITIZED else 20000
RSS_LIMIT_KIB = 1 << 30 if SANITIZED else 128 * 1024


def status(pid, key):
    """A field of /proc/PID/status, in its unit (kB for memory)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def pipe_lines(peer, lines):
    """Writes `lines` into the peer's stdin on a thread of its own, at full
    speed: the write blocks whenever the peer stops reading."""
    data = "".join(line + "\n" for line in lines).encode()

    def write():
        try:
            peer.proc.stdin.write(data)
            peer.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    return writer


def check_all_in_order(receiver, sender, expected, timeout):
    last = re.escape(expected[-1])
    receiver.wait_for(r"^%s: %s$" % (sender, last), timeout=timeout)
    prefix = sender + ": "
    got = [l[len(prefix):] for l in receiver.out.lines if l.startswith(prefix)]
    assert got == expected, "%s got %d of %d lines, first difference at %s" % (
        receiver.name, len(got), len(expected),
        next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b),
             min(len(got), len(expected))))


def trio(g, **config):
    cfg = g.config(**config) if config else []
    alice = g.create("alice", args=cfg)
    bob = g.join("bob", [alice], args=cfg)
    carol = g.join("carol", [alice], args=cfg)
    bob.wait_for(r"^carol has joined the chat$")
    return alice, bob, carol


def test_a_pasted_file_reaches_everyone_in_order(g):
    alice, bob, carol = trio(g)
    lines = ["line %d" % i for i in range(1, LINES + 1)]
    # The default rate (2000 a second, bursts of 4000) takes about 8 s.
    pipe_lines(alice, lines)
    for peer in (bob, carol):
        check_all_in_order(peer, "alice", lines, timeout=60)
    for peer in (alice, bob, carol):
        assert peer.out.count(r"lost connection$") == 0, peer.out.lines[-5:]
    alice.close_stdin()
    bob.wait_for(r"^alice has left the chat$")


def test_big_lines_pass_a_stopped_member_who_alone_is_dropped(g):
    alice, bob, carol = trio(g)
    carol.signal(19)  # SIGSTOP: carol reads nothing any more
    lines = ["%05d %s" % (i, "x" * 1018) for i in range(1, LINES + 1)]
    writer = pipe_lines(alice, lines)
    peak = 0
    deadline = time.monotonic() + 90
    while writer.is_alive() and time.monotonic() < deadline:
        peak = max(peak, alice.rss_kib())
        time.sleep(0.05)  # sampling memory, not waiting for an event
    check_all_in_order(bob, "alice", lines, timeout=60)
    peak = max(peak, status(alice.proc.pid, "VmHWM"))
    alice.wait_for(r"^carol lost connection$")
    assert alice.out.count(r"^bob lost connection$") == 0
    assert bob.out.count(r"^alice lost connection$") == 0
    assert peak < RSS_LIMIT_KIB, "alice peaked at %d KiB" % peak


def test_idle_connections_do_not_lock_newcomers_out(g):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    # Strangers are not closed for their silence here: only the pool makes
    # room for the newcomer.
    cfg = g.config(greeting_timeout="60s")
    alice = g.create("alice", args=cfg)
    idle = []
    try:
        for _ in range(2000):
            try:
                idle.append(socket.create_connection(
                    ("127.0.0.1", alice.port), timeout=2))
            except OSError:
                break
        assert len(idle) > 500, "only %d connections opened" % len(idle)
        bob = g.start("bob", [alice.address], args=cfg)
        bob.wait_for(r"^(Joined the group chat|Created a new group chat)$")
        assert bob.out.count(r"^Created a new group chat$") == 0, bob.out.lines
        bob.wait_for(r"^Members: alice$")
        alice.wait_for(r"^bob has joined the chat$")
    finally:
        for sock in idle:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def member_list(n, port):
    entries = ",".join('{"name":"m%d","host":"127.0.0.1","port":%d,"id":"%064x"}'
                       % (i, port, 1000 + i) for i in range(n))
    return frame('{"type":"members","version":3,"members":[%s]}' % entries)


def test_a_huge_member_list_costs_few_threads(g):
    with harness.StalledListener() as port:
        alice = g.create("alice")
        bob = g.join("bob", [alice])
        threads = status(alice.proc.pid, "Threads")
        mallory = raw_connect(alice)
        harness.greet(mallory, "mallory", harness.members_of(alice)[0]["id"])
        alice.wait_for(r"^mallory has joined the chat$")
        harness.welcomed(mallory)
        # Within the bound (max-connections, 256): dialed, a few at a time,
        # each hanging until the connect timeout.
        mallory.sendall(member_list(250, port))
        alice.err.wait_for(r"could not reach m\d+ at 127\.0\.0\.1:%d" % port)
        most = 0
        for round in range(10):
            most = max(most, status(alice.proc.pid, "Threads"))
            bob.send("round %d" % round)
            alice.wait_for(r"^bob: round %d$" % round)
        assert most - threads < 16, "%d threads, %d before" % (most, threads)
        # Beyond the bound: refused, and its sender dropped.
        mallory.sendall(member_list(5000, port))
        alice.wait_for(r"^mallory lost connection$")
        alice.err.wait_for(r"a member list of 5000 entries")
        assert status(alice.proc.pid, "Threads") - threads < 16
        bob.send("after the list")
        alice.wait_for(r"^bob: after the list$")
        mallory.close()


def test_a_deeply_nested_frame_costs_little_memory(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    mallory = raw_connect(alice)
    harness.greet(mallory, "mallory", harness.members_of(alice)[0]["id"])
    alice.wait_for(r"^mallory has joined the chat$")
    harness.welcomed(mallory)
    before = status(alice.proc.pid, "VmHWM")
    mallory.sendall(frame("[" * (512 * 1024) + "]" * (512 * 1024)))
    alice.wait_for(r"^mallory lost connection$")
    alice.err.wait_for(r"nested deeper than")
    grew = status(alice.proc.pid, "VmHWM") - before
    assert grew < 16 * 1024, "peak memory grew by %d KiB" % grew
    bob.send("still here")
    alice.wait_for(r"^bob: still here$")


def test_a_stranger_may_send_only_small_frames(g):
    alice = g.create("alice")
    stranger = raw_connect(alice)
    stranger.sendall(frame('{"type":"hello","version":3,"x":"%s"}' % ("y" * 2000)))
    # 1 KiB, and the 17 bytes of the seal.
    alice.err.wait_for(r"frame_too_large: length prefix \d+ exceeds the maximum "
                       r"of 1041")
    stranger.settimeout(DEADLINE)
    # At most its challenge, sent at connect (a reset may take even that).
    got = b""
    try:
        while True:
            data = stranger.recv(4096)
            if not data:
                break
            got += data
    except ConnectionResetError:
        pass
    assert b'"members"' not in got, "the stranger was answered: %r" % got



def test_a_member_whose_screen_is_stuck_stays_a_member(g):
    # Like a terminal paused with Ctrl+S, or a pipe nobody drains: once its
    # stdout is full, the member's console blocks; its heartbeats do not.
    # Short timeouts, but not so short that a peer slowed down by the
    # sanitizers looks lost while it works through the lines.
    timeout = 5 if SANITIZED else 1.5
    cfg = g.config(heartbeat_interval="%dms" % (timeout * 200),
                   peer_timeout="%dms" % (timeout * 1000))
    alice = g.create("alice", args=cfg)
    bob = g.join("bob", [alice], args=cfg)
    stuck = subprocess.Popen(
        [harness.BINARY, "--name", "stuck"] + cfg + ["0", alice.address],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL)
    try:
        # Read up to the join, then never again.
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if stuck.stdout.readline().startswith(b"Members: "):
                break
        else:
            raise AssertionError("stuck never joined")
        alice.wait_for(r"^stuck has joined the chat$")
        # Far more than a pipe holds (64 KiB).
        pipe_lines(alice, ["%d %s" % (i, "s" * 200) for i in range(600)])
        bob.wait_for(r"^alice: 599 s+$", timeout=30)
        # Three peer timeouts with a full pipe.
        for round in range(3):
            bob.send("round %d" % round)
            alice.wait_for(r"^bob: round %d$" % round)
            time.sleep(timeout)  # let the peer timeout pass; nothing to wait for
        for peer in (alice, bob):
            assert peer.out.count(r"^stuck lost connection$") == 0, \
                peer.out.lines[-3:]
    finally:
        stuck.kill()
        stuck.wait()


if __name__ == "__main__":
    main(globals())
