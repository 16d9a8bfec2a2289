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


if __name__ == "__main__":
    main(globals())
