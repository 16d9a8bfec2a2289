# SPDX-License-Identifier: MIT
"""Three peers on three "hosts": Linux network namespaces that this test
creates, joined by a bridge in a fourth namespace, with addresses the test
assigns inside them. Skips where namespaces cannot be created."""

import os
import re
import shutil
import subprocess
import time

from harness import Skip, main

HOSTS = {"a": "10.77.0.1", "b": "10.77.0.2", "c": "10.77.0.3"}
TAG = "gc%d" % (os.getpid() % 100000)


def ip(*args):
    subprocess.run(["ip"] + list(args), check=True, capture_output=True)


class Network:
    def __init__(self):
        if os.geteuid() != 0 or shutil.which("ip") is None:
            raise Skip("needs root and iproute2 to create network namespaces")
        self.namespaces = []
        try:
            self._add_ns(TAG + "sw")
            ip("-n", TAG + "sw", "link", "add", "br0", "type", "bridge")
            ip("-n", TAG + "sw", "link", "set", "br0", "up")
            for host, addr in HOSTS.items():
                ns = self._add_ns(TAG + host)
                link = "%s-%s" % (TAG, host)
                ip("link", "add", link, "type", "veth", "peer", "name", "eth0",
                   "netns", ns)
                ip("link", "set", link, "netns", TAG + "sw")
                ip("-n", TAG + "sw", "link", "set", link, "master", "br0", "up")
                ip("-n", ns, "addr", "add", addr + "/24", "dev", "eth0")
                ip("-n", ns, "link", "set", "eth0", "up")
                ip("-n", ns, "link", "set", "lo", "up")
        except subprocess.CalledProcessError as e:
            self.close()
            raise Skip("cannot create network namespaces: %s"
                       % e.stderr.decode().strip())

    def _add_ns(self, name):
        ip("netns", "add", name)
        self.namespaces.append(name)
        return name

    def prefix(self, host):
        return ["ip", "netns", "exec", TAG + host]

    def cut(self, host):
        """Takes the host's link down: its packets vanish, nothing closes."""
        ip("-n", TAG + "sw", "link", "set", "%s-%s" % (TAG, host), "down")

    def block(self, one, other):
        """Neither of the two hosts can reach the other (both directions
        refused at once, as by a firewall); both still reach the rest."""
        ip("-n", TAG + one, "route", "add", "unreachable", HOSTS[other] + "/32")
        ip("-n", TAG + other, "route", "add", "unreachable", HOSTS[one] + "/32")

    def restore(self, host):
        ip("-n", TAG + "sw", "link", "set", "%s-%s" % (TAG, host), "up")

    def close(self):
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def test_three_hosts(g):
    net = Network()
    try:
        cfg = g.fast()
        alice = g.start("alice", args=cfg, prefix=net.prefix("a")).joined()
        banner = alice.out.lines[0]
        assert re.match(r"^Listening on 10\.77\.0\.1:%d, 127\.0\.0\.1:%d$"
                        % (alice.port, alice.port), banner), banner
        bob = g.start("bob", ["%s:%d" % (HOSTS["a"], alice.port)], args=cfg,
                      prefix=net.prefix("b")).joined()
        bob.wait_for(r"^Members: alice$")
        assert bob.out.lines[0].startswith("Listening on 10.77.0.2:")
        # carol joins through bob: bob's list names alice by her namespace
        # address, which carol reaches across the bridge.
        carol = g.start("carol", ["%s:%d" % (HOSTS["b"], bob.port)], args=cfg,
                        prefix=net.prefix("c")).joined()
        carol.wait_for(r"^Members: alice, bob$")
        alice.wait_for(r"^carol has joined the chat$")
        carol.send("hello across hosts")
        alice.wait_for(r"^carol: hello across hosts$")
        bob.wait_for(r"^carol: hello across hosts$")
        began = time.monotonic()
        net.cut("c")
        alice.wait_for(r"^carol lost connection$", timeout=5)
        bob.wait_for(r"^carol lost connection$", timeout=5)
        took = time.monotonic() - began
        assert took < 1.5, "detection across hosts took %.2fs" % took
        alice.send("carol is gone")
        bob.wait_for(r"^alice: carol is gone$")
        carol.send("said while cut off")
        # The link comes back: both sides retry, the group is whole again,
        # and what each side said meanwhile reaches the other.
        carol.wait_for(r"^(alice|bob) lost connection$", timeout=5)
        marks = {peer: peer.mark() for peer in (alice, bob)}
        net.restore("c")
        for peer in (alice, bob):
            peer.wait_for(r"^carol has joined the chat$", timeout=15,
                          since=marks[peer])
        for peer in (alice, bob):
            peer.wait_for(r"^carol: said while cut off$", timeout=15)
        carol.wait_for(r"^alice: carol is gone$", timeout=15)
        carol.wait_for(r"^alice has joined the chat$", timeout=15)
        carol.wait_for(r"^bob has joined the chat$", timeout=15)
    finally:
        g.close()
        net.close()


def blocked_trio(g, net, said_before=None):
    """alice on a, bob on b, carol on c, where a and c cannot connect:
    carol joins through bob, and each hears of the other through him.
    alice says `said_before`, if any, before carol comes."""
    net.block("a", "c")
    cfg = g.fast()
    alice = g.start("alice", args=cfg, prefix=net.prefix("a")).joined()
    bob = g.start("bob", ["%s:%d" % (HOSTS["a"], alice.port)], args=cfg,
                  prefix=net.prefix("b")).joined()
    if said_before:
        alice.send(said_before)
        bob.wait_for(r"^alice: %s$" % re.escape(said_before))
    carol = g.start("carol", ["%s:%d" % (HOSTS["b"], bob.port)], args=cfg,
                    prefix=net.prefix("c")).joined()
    carol.wait_for(r"^alice has joined the chat \(through bob\)$")
    alice.wait_for(r"^carol has joined the chat \(through bob\)$")
    return alice, bob, carol


def test_blocked_pair_hears_through_the_third(g):
    """alice and carol cannot connect to each other; both reach bob, who
    carries their lines, privately sealed ones included."""
    net = Network()
    try:
        alice, bob, carol = blocked_trio(g, net)
        carol.send("hello from c")
        alice.wait_for(r"^carol: hello from c$")
        bob.wait_for(r"^carol: hello from c$")
        alice.send("hello from a")
        carol.wait_for(r"^alice: hello from a$")
        carol.send("/who")
        carol.wait_for(r"^alice at %s:%d via bob, here for " % (
            re.escape(HOSTS["a"]), alice.port))
        carol.send("/msg alice the password is swordfish")
        alice.wait_for(r"^carol \(private\): the password is swordfish$")
        # The carrier passed it on unread: no trace in what it printed.
        alice.send("/msg carol got it")
        carol.wait_for(r"^alice \(private\): got it$")
        for line in list(bob.out.lines) + list(bob.err.lines):
            assert "swordfish" not in line and "got it" not in line, line
        # Each line shown once.
        assert alice.out.count(r"^carol: hello from c$") == 1
        assert carol.out.count(r"^alice: hello from a$") == 1
        alice.send("/quit")
        carol.wait_for(r"^alice has left the chat$")
        assert carol.out.count(r"lost connection") == 0
    finally:
        g.close()
        net.close()


def test_blocked_pair_newcomer_hears_what_was_said_before(g):
    """carol, who cannot connect to alice, still sees what alice said
    before carol came: bob, who carries alice to her, passes on the lines
    he keeps of alice, sealed by her."""
    net = Network()
    try:
        alice, bob, carol = blocked_trio(g, net, "said before carol came")
        carol.wait_for(r"^alice: said before carol came$", timeout=10)
        alice.send("and after")
        carol.wait_for(r"^alice: and after$")
        assert carol.out.count(r"^alice: said before carol came$") == 1
        assert carol.out.count(r"did not reach you") == 0
    finally:
        g.close()
        net.close()


def test_blocked_pair_member_killed_is_lost(g):
    """A member reached only through a carrier that vanishes is reported
    lost once the carrier loses it."""
    net = Network()
    try:
        alice, bob, carol = blocked_trio(g, net)
        alice.kill()
        bob.wait_for(r"^alice lost connection$", timeout=10)
        carol.wait_for(r"^alice lost connection$", timeout=5)
        assert carol.out.count(r"^alice has left the chat$") == 0
    finally:
        g.close()
        net.close()


if __name__ == "__main__":
    main(globals())
