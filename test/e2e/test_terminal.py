# SPDX-License-Identifier: MIT
"""The interactive mode, for real, under a pseudo-terminal (tmux): a line
being typed survives incoming messages, and commands work at the prompt."""

import os
import re
import shutil
import subprocess
import time

from harness import DEADLINE, Skip, main

SESSION = "groupchat-test-%d" % os.getpid()


class Tmux:
    """A tmux session running `cmd` for the test of group `g`, killed at
    the test's end."""

    def __init__(self, g, cmd):
        if shutil.which("tmux") is None:
            raise Skip("tmux is not installed")
        subprocess.run(["tmux", "kill-session", "-t", SESSION],
                       capture_output=True)
        # bash keeps the pane open after groupchat exits, so we can read it.
        subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", "120",
                        "-y", "30", "bash", "--norc", "-c",
                        "trap true INT; %s; echo exit-status=$?; "
                        "echo terminal-mode: $(stty -a | tr ' ;' '\\n\\n' "
                        "| grep -x -e '-\\?icanon' -e '-\\?echo'); sleep 30"
                        % cmd],
                       check=True, env=dict(os.environ, TERM="xterm"))
        g.at_close(self.close)

    def keys(self, *keys):
        subprocess.run(["tmux", "send-keys", "-t", SESSION] + list(keys),
                       check=True)

    def screen(self, escapes=False):
        return subprocess.run(["tmux", "capture-pane", "-p"]
                              + (["-e"] if escapes else []) + ["-t", SESSION],
                              capture_output=True, text=True).stdout

    def wait_for(self, pattern, timeout=DEADLINE):
        regex = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if regex.search(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError("screen never matched %r:\n%s"
                                     % (pattern, screen))
            time.sleep(0.05)

    def close(self):
        subprocess.run(["tmux", "kill-session", "-t", SESSION],
                       capture_output=True)


def start_alice(g, *names, env=""):
    """alice at a terminal (tmux), in a new group; then each of `names`
    joins her from a pipe, and her screen shows it. `env` prefixes her
    command (variable assignments). Returns the tmux session, alice's
    address and the peers that joined."""
    from harness import BINARY, free_port
    port = free_port()
    tmux = Tmux(g, "%s%s --name alice %d" % (env, BINARY, port))
    tmux.wait_for(r"Created a new group chat")
    address = "127.0.0.1:%d" % port
    peers = []
    for name in names:
        peers.append(g.join(name, [address]))
        tmux.wait_for(r"%s has joined the chat" % name)
    return tmux, address, peers


def test_half_typed_line_survives_incoming_messages(g):
    tmux, address, (bob,) = start_alice(g, "bob")
    tmux.keys("half a li")
    tmux.wait_for(r"^> half a li$")
    bob.send("interrupting you")
    screen = tmux.wait_for(r"bob: interrupting you")
    lines = [l for l in screen.splitlines() if l.strip()]
    # The message is printed above; the line being typed is intact below.
    assert lines[-1] == "> half a li", lines
    assert re.search(r"^\[\d\d:\d\d:\d\d\] bob: interrupting you$",
                     lines[-2]), lines
    tmux.keys("ne", "Enter")
    bob.wait_for(r"^alice: half a line$")


def test_non_ascii_typed_at_the_prompt_arrives_intact(g):
    tmux, address, (bob,) = start_alice(g, "bob",
                                        env="LANG=C.UTF-8 LC_ALL=C.UTF-8 ")
    text = "h\u00e9llo w\u00f6rld \u2014 \u65e5\u672c\u8a9e \U0001f389 caf\u00e9"
    tmux.keys("-l", text)
    tmux.keys("Enter")
    line = bob.wait_for(r"^alice: ")
    assert line == "alice: " + text, repr(line)


def test_who_and_msg_at_the_prompt(g):
    tmux, address, (bob, carol) = start_alice(g, "bob", "carol")
    tmux.keys("/who", "Enter")
    tmux.wait_for(r"bob at 127\.0\.0\.1:\d+, here for")
    tmux.wait_for(r"carol at 127\.0\.0\.1:\d+, here for")
    tmux.keys("/msg carol just you", "Enter")
    carol.wait_for(r"^alice \(private\): just you$")
    tmux.keys("for all", "Enter")
    bob.wait_for(r"^alice: for all$")
    assert bob.out.count("just you") == 0


def test_ctrl_c_leaves_and_restores_the_terminal(g):
    tmux, address, (bob,) = start_alice(g, "bob")
    tmux.keys("C-c")
    tmux.wait_for(r"exit-status=0")
    # The line editor gave the terminal back: canonical mode and echo.
    tmux.wait_for(r"^terminal-mode: icanon echo$")
    bob.wait_for(r"^alice has left the chat$")


def test_ctrl_c_at_the_name_prompt_exits_at_once(g):
    from harness import BINARY
    tmux = Tmux(g, "%s 0" % BINARY)
    tmux.wait_for(r"^Your name:")
    tmux.keys("C-c")
    tmux.wait_for(r"^exit-status=130$", timeout=2)
    tmux.wait_for(r"^terminal-mode: icanon echo$")


def test_ctrl_c_during_a_join_stops_it_at_once(g):
    from harness import BINARY, listening_socket
    # An entry that accepts and never answers: the join would wait for its
    # timeout (a minute here), then create a group.
    silent = listening_socket()
    g.at_close(silent.close)
    port = silent.getsockname()[1]
    config = g.config(join_timeout="60s")
    tmux = Tmux(g, "%s --name alice %s 0 127.0.0.1:%d"
                % (BINARY, " ".join(config), port))
    tmux.wait_for(r"joining\.\.\.")
    tmux.keys("C-c")
    screen = tmux.wait_for(r"^exit-status=0$", timeout=2)
    assert "Created a new group" not in screen, screen
    tmux.wait_for(r"^terminal-mode: icanon echo$")


def test_a_taken_name_at_the_prompt_is_asked_for_again(g):
    from harness import BINARY
    alice = g.create("alice")
    tmux = Tmux(g, "%s 0 %s" % (BINARY, alice.address))
    tmux.wait_for(r"^Your name:")
    tmux.keys("Alice", "Enter")
    tmux.wait_for(r"cannot join: the name 'Alice' is already taken")
    tmux.wait_for(r"taken in this group\n^Your name:")
    tmux.keys("bob", "Enter")
    alice.wait_for(r"^bob has joined the chat$")
    tmux.keys("hello at last", "Enter")
    alice.wait_for(r"^bob: hello at last$")


def test_a_burst_of_history_is_cut_to_a_screenful(g):
    from harness import BINARY
    alice = g.create("alice")
    for i in range(40):
        alice.send("line %02d" % i)
    carol = g.join("carol", [alice])
    carol.wait_for(r"^alice: line 39$")
    # 30 rows: 22 lines of history fit, between two markers.
    tmux = Tmux(g, "%s --name bob 0 %s" % (BINARY, alice.address))
    screen = tmux.wait_for(r"^-- now --$")
    assert "-- 18 earlier lines: /history shows them --" in screen, screen
    assert "Joined the group chat" in screen, screen
    assert "line 17" not in screen and "line 18" in screen, screen
    assert "line 39" in screen, screen
    tmux.keys("/history 3", "Enter")
    tmux.wait_for(r"\(earlier\) alice: line 37\n.*line 38\n.*line 39\n")


def test_each_failed_join_is_one_line_of_its_own(g):
    from harness import BINARY, free_port
    alice = g.create("alice")
    protected = g.create("carol", env=dict(os.environ, GROUPCHAT_SECRET="abc"))
    for command, why in [
            ("--name alice 0 %s" % alice.address,
             "the name 'alice' is already taken in this group"),
            ("--name bob 0 %s" % protected.address,
             "authentication failed: this group needs a passphrase"),
            ("--join-only --name bob 0 127.0.0.1:%d" % free_port(),
             "none of the given addresses answered"),
    ]:
        tmux = Tmux(g, "%s %s" % (BINARY, command))
        screen = tmux.wait_for(r"^exit-status=1$")
        # Nothing but the banner, the join under way and the reason.
        lines = [l for l in screen.splitlines() if l.strip()
                 and not l.startswith(("exit-status", "terminal-mode"))]
        assert len(lines) == 3, screen
        assert lines[-1].startswith("groupchat: cannot join: " + why), screen
        tmux.close()


def test_own_lines_look_like_everyone_elses(g):
    tmux, address, (bob,) = start_alice(g, "bob")
    tmux.keys("my own line", "Enter")
    bob.wait_for(r"^alice: my own line$")
    tmux.keys("/me waves", "Enter")
    bob.wait_for(r"^\* alice waves$")
    screen = tmux.wait_for(r"\* alice waves")
    lines = [l for l in screen.splitlines() if l.strip()]
    assert re.search(r"^\[\d\d:\d\d:\d\d\] alice: my own line$",
                     lines[-3]), lines
    assert re.search(r"^\[\d\d:\d\d:\d\d\] \* alice waves$",
                     lines[-2]), lines
    assert lines[-1] == ">", lines
    assert not any(l.startswith("> my own") for l in lines), lines


def test_warnings_are_printed_above_the_line_being_typed(g):
    import socket
    tmux, address, _ = start_alice(g)
    tmux.keys("half typed")
    tmux.wait_for(r"^> half typed$")
    # A stranger sends garbage: the warning must not scribble across
    # the prompt.
    host, port = address.split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        # The warning is written first and the prompt redrawn after it:
        # wait for both, so that a capture between the two is no failure.
        screen = tmux.wait_for(r"warning: .*dropped[\s\S]*^> half typed\s*\Z")
    lines = [l for l in screen.splitlines() if l.strip()]
    assert lines[-1] == "> half typed", lines
    assert any(re.search(r"^\[\d\d:\d\d:\d\d\] warning: ", l) for l in lines), lines
    assert sum(l.startswith(">") for l in lines) == 1, lines
    tmux.keys(" still", "Enter")
    tmux.wait_for(r"alice: half typed still$")


def test_a_wrapped_line_is_redrawn_once(g):
    tmux, address, (bob,) = start_alice(g, "bob")
    long_line = "".join("%03d-" % i for i in range(50))  # 200 columns
    tmux.keys("-l", long_line)
    tmux.wait_for(r"049-$")
    for i in range(5):
        bob.send("interruption %d" % i)
        tmux.wait_for(r"bob: interruption %d$" % i)
    screen = tmux.screen()
    # The first row of the input appears once, right below the last
    # message, whatever arrived meanwhile.
    assert screen.count("> 000-001-") == 1, screen
    lines = [l for l in screen.splitlines() if l.strip()]
    assert lines[-3].endswith("bob: interruption 4"), lines
    assert lines[-2].startswith("> 000-001-"), lines
    tmux.keys("Enter")
    bob.wait_for(r"^alice: 000-001-.*049-$")


def test_an_empty_name_is_asked_for_again(g):
    from harness import BINARY
    tmux = Tmux(g, "%s 0" % BINARY)
    tmux.wait_for(r"Your name:\s*$")
    tmux.keys("Enter")
    tmux.wait_for(r"Your name:\s*\nYour name:\s*$")
    tmux.keys("bob\u200b", "Enter")
    tmux.wait_for(r"That name cannot be used")
    tmux.keys("zoe", "Enter")
    tmux.wait_for(r"Created a new group chat")


def test_joining_and_alone_are_shown(g):
    from harness import BINARY, free_port
    bob = g.create("bob", args=g.fast())
    cfg = " ".join(g.fast())
    tmux = Tmux(g, "%s --name alice %s %d %s" % (BINARY, cfg, free_port(),
                                                 bob.address))
    tmux.wait_for(r"joining\.\.\.")
    tmux.wait_for(r"Members: bob")
    bob.kill()
    tmux.wait_for(r"bob lost connection")
    tmux.wait_for(r"You are alone in the group \(trying to reach the "
                  r"others again\)")
    # Pipes keep their exact lines: no status there.
    assert bob.out.count("joining") == 0


def test_a_line_that_mentions_you_stands_out(g):
    tmux, address, (bob,) = start_alice(g, "bob")
    bob.send("just chatting")
    bob.send("hey Alice, look")
    tmux.wait_for(r"bob: hey Alice, look")
    screen = tmux.screen(escapes=True)
    mention = [l for l in screen.splitlines() if "hey Alice" in l][0]
    plain = [l for l in screen.splitlines() if "just chatting" in l][0]
    # Bold from before the name to the end of the text: nothing turns it
    # off in between (tmux writes what changes, as SGR sequences).
    assert re.search(r"\x1b\[(0;)?1m.*bob", mention), repr(mention)
    after = mention[mention.index("bob"):mention.index("hey Alice")]
    assert not re.search(r"\x1b\[(0|22|0;[\d;]*)m", after), repr(mention)
    assert not re.search(r"\x1b\[(0;)?1m", plain), repr(plain)


def test_tab_completes_commands_and_member_names(g):
    tmux, address, (bob, carol) = start_alice(g, "bob", "carol")
    tmux.keys("/ms", "Tab")
    tmux.wait_for(r"^> /msg\s*$")
    tmux.keys("Ca", "Tab")
    tmux.wait_for(r"^> /msg carol\s*$")
    tmux.keys("psst", "Enter")
    carol.wait_for(r"^alice \(private\): psst$")
    # No file names: nothing in the directory is offered.
    tmux.keys("zz", "Tab", "!")
    tmux.wait_for(r"^> zz!$")


def test_names_get_distinct_colours_and_private_lines_stand_out(g):
    tmux, address, others = start_alice(g, "bob", "carol", "dave", "erin")
    for peer in others:
        peer.send("hello from " + peer.name)
        tmux.wait_for(r"%s: hello from %s" % (peer.name, peer.name))
    others[0].send("/msg alice a secret")
    tmux.wait_for(r"bob \(private\): a secret")
    screen = tmux.screen(escapes=True)
    colours = {}
    for peer in others:
        line = [l for l in screen.splitlines()
                if "hello from " + peer.name in l][0]
        colours[peer.name] = re.search(r"\x1b\[38;5;(\d+)m", line).group(1)
    assert len(set(colours.values())) == len(others), colours
    secret = [l for l in screen.splitlines() if "a secret" in l][0]
    assert re.search(r"\x1b\[(0;)?1m", secret), repr(secret)


def test_sending_a_wrapped_line_erases_nothing_else(g):
    tmux, address, (bob,) = start_alice(g, "bob")
    bob.send("a line before")
    tmux.wait_for(r"bob: a line before")
    # 118 characters: with the prompt, exactly one full row of 120.
    for text in ("x" * 118, "".join("%03d-" % i for i in range(50))):
        tmux.keys("-l", text)
        tmux.keys("Enter")
        bob.wait_for(r"^alice: %s$" % text)
        bob.send("answer to " + text[:4])
        screen = tmux.wait_for(r"bob: answer to %s" % text[:4])
        assert "bob: a line before" in screen, screen
        assert "bob has joined the chat" in screen, screen
        assert "> " + text[:20] not in screen, screen


if __name__ == "__main__":
    main(globals())
