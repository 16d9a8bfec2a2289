# SPDX-License-Identifier: MIT
"""Creating and joining groups, and messages reaching everyone exactly once."""

from harness import main


def test_create_and_join(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    bob.wait_for(r"^Joined the group chat$")
    bob.wait_for(r"^Members: alice$")
    alice.wait_for(r"^bob has joined the chat$")
    bob.send("hello alice")
    alice.wait_for(r"^bob: hello alice$")
    alice.send("hi bob")
    bob.wait_for(r"^alice: hi bob$")


def test_chain_of_joins_everyone_hears_everyone_once(g):
    peers = [g.create("p0")]
    for i in range(1, 5):
        peers.append(g.join("p%d" % i, [peers[-1]]))
    for i, peer in enumerate(peers):
        for later in peers[i + 1:]:
            peer.wait_for(r"^%s has joined the chat$" % later.name)
    for peer in peers:
        peer.send("from %s" % peer.name)
    for peer in peers:
        for other in peers:
            if other is not peer:
                other.wait_for(r"^%s: from %s$" % (peer.name, peer.name))
    # A marker round proves every earlier line has been delivered.
    peers[0].send("marker")
    for peer in peers[1:]:
        peer.wait_for(r"^p0: marker$")
    for peer in peers:
        assert peer.out.count(r": from %s$" % peer.name) == 0, "echoed own line"
        for other in peers:
            if other is not peer:
                n = peer.out.count(r"^%s: from %s$" % (other.name, other.name))
                assert n == 1, "%s saw %s's line %d times" % (peer.name, other.name, n)


def test_text_arrives_byte_for_byte(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    texts = [
        'quotes " and \\ backslashes \\" \\n',
        '{"type":"leave","version":1}',
        "unicode: äöü ✓ 🎉 日本語",
        "x" * 60000,
        "  leading and trailing blanks  ",
        "\ttab",
    ]
    for text in texts:
        bob.send(text)
    bob.send("end")
    alice.wait_for(r"^bob: end$")
    received = [l[len("bob: "):] for l in alice.out.lines if l.startswith("bob: ")]
    assert received == texts + ["end"], received


def test_a_newcomer_sees_the_recent_history_first(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    alice.send("first")
    bob.wait_for(r"^alice: first$")
    bob.send("second")
    alice.wait_for(r"^bob: second$")
    alice.send("* third")
    bob.wait_for(r"^alice: \* third$")
    carol = g.join("carol", [bob])
    carol.wait_for(r"^alice: \* third$")
    bob.send("live")
    carol.wait_for(r"^bob: live$")
    # In a pipe, history lines look exactly like live ones, in the order
    # they were said, before any live line.
    assert carol.out.lines[1:] == [
        "Joined the group chat", "Members: alice, bob", "alice: first",
        "bob: second", "alice: * third", "bob: live"], carol.out.lines


def test_history_can_be_turned_off(g):
    cfg = g.config(history_lines=0)
    alice = g.create("alice", args=cfg)
    alice.send("before carol")
    carol = g.join("carol", [alice], args=cfg)
    alice.send("after carol")
    carol.wait_for(r"^alice: after carol$")
    assert carol.out.count(r"before carol") == 0


def test_blank_lines_are_not_sent(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    bob.send("")
    bob.send("   ")
    bob.send("\t")
    bob.send("after blanks")
    alice.wait_for(r"^bob: after blanks$")
    assert alice.out.count(r"^bob: ") == 1, alice.out.lines


def test_port_zero_reports_the_real_port(g):
    alice = g.create("alice")
    assert alice.port != 0


if __name__ == "__main__":
    main(globals())
