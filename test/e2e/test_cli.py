# SPDX-License-Identifier: MIT
"""The command line and the configuration file: clear errors, exit statuses."""

import os
import tempfile

from harness import main, run


def check_usage_error(args, pattern, cwd=None):
    """Exit status 2 and one line on stderr, containing `pattern` (never
    empty: every error says what is wrong), and nothing on stdout."""
    assert pattern, "an empty pattern checks nothing of the message"
    status, out, err = run(args, cwd=cwd)
    assert status == 2, (args, status, err)
    assert out == "", "a usage error printed on stdout: %r" % out
    lines = err.strip().splitlines()
    assert len(lines) == 1, "expected one line on stderr, got %r" % err
    assert pattern in lines[0], (pattern, lines[0])
    assert "Traceback" not in err and "terminate" not in err


def test_bad_arguments_exit_2(g):
    check_usage_error(["--name", "a"], "PORT is required")
    check_usage_error(["--name", "a", "http"], "is not a port")
    check_usage_error(["--name", "a", "70000"], "is not a port")
    # A negative number is a port that is not one, not an unknown option.
    check_usage_error(["--name", "a", "-5"],
                      "PORT: '-5' is not a port (0 to 65535)")
    check_usage_error(["--name", "a", "5000", "somehost"], "HOST:PORT")
    check_usage_error(["--name", "a", "5000", "somehost:0"], "port from 1")
    check_usage_error(["--name", "a", "5000", "::1:5000"], "[ADDRESS]:PORT")
    check_usage_error(["--bogus", "5000"], "--bogus")
    check_usage_error(["--name", "a", "--log-level", "loud", "5000"], "log-level")
    # Joining only, with nobody to join, would be a group of one.
    check_usage_error(["--name", "a", "--join-only", "0"],
                      "join-only needs a PEER to join through")


def test_names_are_checked(g):
    check_usage_error(["--name", "", "0"], "name")
    check_usage_error(["--name", "x" * 33, "0"], "32 bytes")
    check_usage_error(["--name", "a\x1b[31mb", "0"], "control")
    check_usage_error(["0"], "--name is required")


def test_config_errors_exit_2(g):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bad.ini")
        for text, pattern in [
            ("[groupchat]\nconnect-timeout=3\n", "connect-timeout"),
            ("[groupchat]\nlog-level=debug\n", "line 2"),
            ("[groupchat]\nmax-frame-size=\"big\"\n", "max-frame-size"),
            ("[groupchat]\nspeed=1\n", "unknown key groupchat.speed"),
            # Mistakes that used to start the chat on its defaults.
            ("[groupchatt]\nmention-bell=true\n",
             "line 1: unknown section [groupchatt]"),
            ("; my settings\nmention-bell=true\n[groupchat]\n",
             "line 2: mention-bell is outside any section"),
            ("[groupchat]\nmention-bell=yes\n",
             "line 2: groupchat.mention-bell must be true or false"),
            ("\n[groupchat]\njoin-timeout=5 s\n",
             "line 3: groupchat.join-timeout must be a duration"),
        ]:
            with open(path, "w") as f:
                f.write(text)
            check_usage_error(["--name", "a", "--config", path, "0"], pattern)
        check_usage_error(["--name", "a", "--config",
                           os.path.join(tmp, "missing.ini"), "0"], "cannot read")
        # ./groupchat.ini is read when no --config is given.
        with open(os.path.join(tmp, "groupchat.ini"), "w") as f:
            f.write("[groupchat]\njoin-timeout=nope\n")
        check_usage_error(["--name", "a", "0"], "groupchat.ini", cwd=tmp)


def test_good_config_and_log_level_override(g):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ok.ini")
        with open(path, "w") as f:
            f.write('[groupchat]\nlog-level="error"\nleave-timeout=200ms\n')
        alice = g.start("alice", args=["--config", path, "--log-level", "debug"])
        alice.joined()
        alice.err.wait_for(r"debug")


def test_listen_on_one_address_only(g):
    import socket
    alice = g.create("alice", args=["--listen", "127.0.0.1"])
    banner = alice.out.lines[0]
    assert banner == "Listening on 127.0.0.1:%d" % alice.port, banner
    bob = g.join("bob", [alice])
    bob.send("through loopback")
    alice.wait_for(r"^bob: through loopback$")
    # Another address of this host (all of 127/8 is loopback) is refused.
    try:
        socket.create_connection(("127.0.0.2", alice.port), timeout=5).close()
        raise AssertionError("alice accepted on 127.0.0.2")
    except ConnectionRefusedError:
        pass
    check_usage_error(["--name", "a", "--listen", "example.org", "0"],
                      "--listen must be an IPv4 or IPv6 address")


def test_a_member_that_listens_on_one_address_is_reached_there(g):
    # carol listens everywhere; erin only on 127.0.0.2, and joins carol.
    carol = g.create("carol")
    erin = g.join("erin", [carol], args=["--listen", "127.0.0.2"])
    assert erin.out.lines[0].startswith("Listening on 127.0.0.2:"), \
        erin.out.lines[0]
    # Her connects go out from 127.0.0.2 too, so carol has her there (and
    # lists her there; on loopback, a list's addresses mean the sender's
    # host, so a third member here would not show it).
    carol.send("/who")
    carol.wait_for(r"^erin at 127\.0\.0\.2:%d, here for" % erin.port)
    erin.send("from my address")
    carol.wait_for(r"^erin: from my address$")


def test_port_in_use_exits_1(g):
    alice = g.create("alice")
    status, out, err = run(["--name", "bob", str(alice.port)])
    assert status == 1, status
    assert "already in use" in err, err


def test_help_and_version(g):
    status, out, err = run(["--help"])
    assert status == 0 and "Usage:" in out and "--config" in out, out
    # PORT is required (but by --new-secret): the usage line says so.
    assert "Usage: groupchat [OPTIONS] PORT [PEER...]" in out, out
    status, out, err = run(["--version"])
    # The version is set in one place: project(VERSION) in CMakeLists.txt.
    import re
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    with open(os.path.join(root, "CMakeLists.txt")) as f:
        version = re.search(r"project\(groupchat VERSION ([0-9.]+)",
                            f.read()).group(1)
    assert status == 0 and out.strip() == "groupchat " + version, out
    with open(os.path.join(root, "CHANGELOG.md")) as f:
        assert "## [" + version + "] - " in f.read(), version


def test_sample_config_is_valid(g):
    sample = os.path.join(os.path.dirname(__file__), "..", "..", "config",
                          "groupchat.ini")
    alice = g.start("alice", args=["--config", sample])
    alice.joined()


def test_man_page_and_completion_keep_up_with_help(g):
    """Every option --help lists is in groupchat(1) and in the bash
    completion, and neither lists one that --help does not."""
    import re
    status, out, err = run(["--help"])
    assert status == 0
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", out))
    assert "--join-only" in options and "--secret-file" in options, options
    here = os.path.join(os.path.dirname(__file__), "..", "..", "main")
    with open(os.path.join(here, "groupchat.1")) as f:
        man = f.read().replace("\\-", "-")
    with open(os.path.join(here, "groupchat.bash-completion")) as f:
        completion = f.read()
    in_man = set(re.findall(r"\\fB(--[a-z][a-z-]+)", man))
    in_completion = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", completion))
    assert in_man == options, (sorted(options ^ in_man))
    assert in_completion == options, (sorted(options ^ in_completion))
    # Every command, in --help, in the man page and in /help alike.
    listed = re.search(r"Commands: (.*?)\.\n", out, re.S).group(1)
    commands = set(re.findall(r"/[a-z]+", listed))
    assert {"/msg", "/me", "/who", "/nick", "/quit", "/help"} <= commands, \
        commands
    man_commands = set(re.findall(r"\\fB(/[a-z]+)\\fR", man))
    assert man_commands == commands, sorted(commands ^ man_commands)
    with open(os.path.join(here, "..", "protocol", "chat",
                           "commands.cpp")) as f:
        source = f.read()
    in_app = source[source.index("help_text()"):]
    in_app = set(re.findall(r'"(/[a-z]+)', in_app[:in_app.index("}")]))
    assert in_app == commands, sorted(commands ^ in_app)


if __name__ == "__main__":
    main(globals())
