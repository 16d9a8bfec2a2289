# SPDX-License-Identifier: MIT
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
    # The member's name as the member spells it, whatever was typed.
    alice.send("/msg BOB and bring bob's hat")
    alice.wait_for(r"^-> bob: and bring bob's hat$")
    marker(alice, [bob, carol], "1")
    assert carol.out.count("noon") == 0, carol.out.lines


def test_msg_to_an_unknown_name(g):
    alice, bob, carol = trio(g)
    alice.send("/msg zed hello")
    alice.wait_for(r"^No member named zed")
    # /who lists alice herself; a /msg to her says why it goes nowhere.
    alice.send("/msg Alice hello me")
    alice.wait_for(r"^That is you: /msg sends a line to another member$")
    marker(alice, [bob, carol], "1")
    assert bob.out.count("hello") == 0


def test_a_line_without_end_on_stdin_costs_that_line_only(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    # 20 MiB and no newline: more than a frame, and than stdin keeps (2).
    chunk = b"x" * (1 << 20)
    for _ in range(20):
        bob.proc.stdin.write(chunk)
    bob.send("\nafter the flood")
    bob.wait_for(r"^Message not sent: it is too long", timeout=30)
    alice.wait_for(r"^bob: after the flood$", timeout=30)
    assert alice.out.count(r"xxxx") == 0


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


def test_commands_ignore_case(g):
    alice, bob, carol = trio(g)
    alice.send("/MSG bob shouting")
    bob.wait_for(r"^alice \(private\): shouting$")
    alice.send("/Me nods")
    bob.wait_for(r"^\* alice nods$")


def test_msg_to_a_name_with_spaces(g):
    alice = g.create("alice")
    bob = g.join("bob smith", [alice])
    bobby = g.join("bob", [alice])
    bob.wait_for(r"^bob has joined the chat$")
    alice.send('/msg "bob smith" quoted')
    bob.wait_for(r"^alice \(private\): quoted$")
    # Unquoted, the longest member name the words start with.
    alice.send("/msg bob smith unquoted")
    bob.wait_for(r"^alice \(private\): unquoted$")
    alice.send("/msg bob just bob")
    bobby.wait_for(r"^alice \(private\): just bob$")
    marker(alice, [bob, bobby], "1")
    assert bobby.out.count("quoted") == 0
    assert bob.out.count("just bob") == 0


def test_quit_with_a_last_word(g):
    alice, bob, carol = trio(g)
    alice.send("/QUIT see you all")
    for peer in (bob, carol):
        peer.wait_for(r"^alice: see you all$")
        peer.wait_for(r"^alice has left the chat$")
    assert alice.wait_exit() == 0


def test_join_only_refuses_to_create_a_group(g):
    from harness import free_port, run
    port = free_port()
    status, out, err = run(["--name", "x", "--join-only", "0",
                            "127.0.0.1:%d" % port])
    assert status == 1, (status, out, err)
    assert "none of the given addresses answered" in err, err
    assert "Created a new group chat" not in out, out
    # One failure, one line, with the reason of each address.
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "127.0.0.1:%d: Connection refused" % port in lines[0], lines
    # With a member that answers, it joins as usual.
    alice = g.create("alice")
    bob = g.join("bob", [alice], args=["--join-only"])
    bob.wait_for(r"^Members: alice$")


def test_nick_renames_you_for_everyone(g):
    alice, bob, carol = trio(g)
    bob.send("/nick robert")
    bob.wait_for(r"^You are now known as robert$")
    for peer in (alice, carol):
        peer.wait_for(r"^bob is now known as robert$")
    bob.send("hello again")
    alice.wait_for(r"^robert: hello again$")
    alice.send("/msg robert hi robert")
    bob.wait_for(r"^alice \(private\): hi robert$")
    bob.send("/nick Carol")
    bob.wait_for(r"^Name not changed: the name 'Carol' is already taken")
    # A newcomer meets him under his new name.
    dave = g.join("dave", [alice])
    dave.wait_for(r"^Members: alice, carol, robert$")


if __name__ == "__main__":
    main(globals())
