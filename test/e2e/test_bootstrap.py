# SPDX-License-Identifier: MIT
"""Bootstrap lists: fallback in order, and a new group when nobody answers."""

from harness import free_port, main, members_of


def test_fallback_past_dead_addresses(g):
    alice = g.create("alice")
    dead = ["127.0.0.1:%d" % free_port(), "127.0.0.1:%d" % free_port()]
    bob = g.join("bob", dead + [alice])
    bob.wait_for(r"^Joined the group chat$")
    bob.wait_for(r"^Members: alice$")
    bob.err.wait_for(r"could not reach %s" % dead[0])
    bob.send("made it")
    alice.wait_for(r"^bob: made it$")


def test_no_reachable_peer_creates_a_group(g):
    dead = ["127.0.0.1:%d" % free_port(), "localhost:%d" % free_port()]
    bob = g.start("bob", dead)
    bob.wait_for(r"^Created a new group chat$")
    carol = g.join("carol", [bob])
    carol.wait_for(r"^Members: bob$")


def test_first_reachable_group_wins(g):
    alice = g.create("alice")
    other = g.create("other")
    carol = g.join("carol", [other])  # in other's group, to send the marker
    bob = g.join("bob", [alice, other])
    bob.wait_for(r"^Members: alice$")
    bob.send("which group?")
    alice.wait_for(r"^bob: which group\?$")
    # A marker on other's own screen, sent after bob's line was out: had bob
    # greeted other, or sent it the line, other would have shown it by now.
    carol.send("marker")
    other.wait_for(r"^carol: marker$")
    assert other.out.count(r"bob") == 0, other.out.lines
    assert [m["name"] for m in members_of(other)] == ["other", "carol"]


def test_join_via_host_name(g):
    alice = g.create("alice")
    bob = g.join("bob", ["localhost:%d" % alice.port])
    bob.wait_for(r"^Members: alice$")


if __name__ == "__main__":
    main(globals())
