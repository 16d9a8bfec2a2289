"""Commands typed at the prompt, in plain (pipe) mode."""

from harness import main


def trio(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    carol = g.join("carol", [alice])
    bob.wait_for(r"^carol has joined the chat$")
    return alice, bob, carol


def marker(sender, receivers, tag):
    """A line everyone waits for: all sent before it has arrived."""
    sender.send("marker " + tag)
    for peer in receivers:
        peer.wait_for(r"^%s: marker %s$" % (sender.name, tag))


def test_msg_reaches_only_its_target(g):
    alice, bob, carol = trio(g)
    alice.send("/msg bob meet me at noon")
    bob.wait_for(r"^alice \(private\): meet me at noon$")
    alice.wait_for(r"^-> bob: meet me at noon$")
    marker(alice, [bob, carol], "1")
    assert carol.out.count("noon") == 0, carol.out.lines


def test_msg_to_an_unknown_name(g):
    alice, bob, carol = trio(g)
    alice.send("/msg zed hello")
    alice.wait_for(r"^No member named zed")
    marker(alice, [bob, carol], "1")
    assert bob.out.count("hello") == 0


def test_me(g):
    alice, bob, carol = trio(g)
    alice.send("/me waves")
    bob.wait_for(r"^\* alice waves$")
    carol.wait_for(r"^\* alice waves$")


def test_who_lists_the_members(g):
    alice, bob, carol = trio(g)
    for _ in range(2):  # each /who answers in full
        mark = alice.mark()
        alice.send("/who")
        alice.wait_for(r"^alice \(you\) listening on port %d$" % alice.port,
                       since=mark)
        alice.wait_for(r"^bob at 127\.0\.0\.1:%d, here for \d+s$" % bob.port,
                       since=mark)
        alice.wait_for(r"^carol at 127\.0\.0\.1:%d, here for \d+s$"
                       % carol.port, since=mark)


def test_unknown_commands_are_never_broadcast(g):
    alice, bob, carol = trio(g)
    alice.send("/dance now")
    alice.wait_for(r"^Unknown command /dance \(type /help")
    alice.send("//dance is a slash command")
    bob.wait_for(r"^alice: /dance is a slash command$")
    assert bob.out.count(r"^alice: /dance now") == 0


def test_help(g):
    alice = g.create("alice")
    alice.send("/help")
    alice.wait_for(r"^/msg NAME TEXT")
    alice.wait_for(r"^/who ")


if __name__ == "__main__":
    main(globals())
