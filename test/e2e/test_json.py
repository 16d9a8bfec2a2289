#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""JSON Lines mode (--format json): a script follows a whole session from
stdout alone, every event as the README documents it; text arrives byte for
byte; the README's example bot answers in the group; the documentation
lists every event and code the code can emit."""

import json
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import DEADLINE, Skip, main, run  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
# Fields that only some events of a kind carry.
OPTIONAL = {"chat": {"to"}, "error": {"line", "to"}}


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def documented():
    """The README's example of each event, by kind."""
    block = re.search(r"```json\n(.*?)```", read("README.md"), re.S).group(1)
    examples = [json.loads(line) for line in block.splitlines() if line]
    return {ev["event"]: ev for ev in examples}


def check_documented(events):
    """Every event has the fields its documented example has, of the same
    types, and no others but the optional ones."""
    docs = documented()
    for ev in events:
        example = docs[ev["event"]]
        optional = OPTIONAL.get(ev["event"], set())
        required = set(example) - optional
        assert required <= set(ev) <= set(example) | optional, (ev, example)
        for key, value in ev.items():
            if key in example:
                assert type(value) is type(example[key]), (key, ev, example)
        if "id" in ev:
            assert re.fullmatch(r"[0-9a-f]{64}", ev["id"]), ev
        if "time" in ev:
            assert re.fullmatch(
                r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", ev["time"]), ev


def test_a_whole_session_from_the_json_alone(g):
    cfg = g.fast()
    alice = g.start_json("alice", args=cfg)
    ready = alice.event("ready")
    assert ready["created"] is True and ready["name"] == "alice", ready
    assert ready["schema"] == 1
    bob = g.join("bob: x", [alice], args=cfg)
    bob_id = alice.event("joined", name="bob: x")["id"]
    bob.send("first words")
    alice.event("chat", **{"from": "bob: x", "text": "first words"})

    carol = g.start_json("carol", [alice], args=cfg)
    assert carol.event("ready")["created"] is False
    members = carol.event("members")["members"]
    assert sorted(m["name"] for m in members) == ["alice", "bob: x"], members
    assert {m["name"]: m["id"] for m in members}["bob: x"] == bob_id
    said = carol.event("chat", text="first words")
    assert said["history"] is True and said["from"] == "bob: x", said
    carol_id = alice.event("joined", name="carol")["id"]
    bob.wait_for(r"^carol has joined the chat$")

    bob.send("/me waves")
    assert carol.event("chat", text="waves")["action"] is True
    bob.send("/msg alice psst")
    psst = alice.event("chat", text="psst")
    assert psst["private"] is True and psst["from"] == "bob: x", psst
    alice.command(cmd="msg", to="carol", text="for you")
    mine = alice.event("chat", text="for you")
    assert mine["to"] == "carol" and mine["from"] == "alice", mine
    assert carol.event("chat", text="for you")["private"] is True

    carol.command(cmd="nick", name="caroline")
    assert carol.event("nick", new="caroline")["you"] is True
    renamed = alice.event("nick", name="carol", new="caroline")
    assert renamed["id"] == carol_id and renamed["you"] is False
    bob.wait_for(r"^carol is now known as caroline$")

    # A blip: bob stops for longer than peer-timeout, then goes on.
    bob.signal(signal.SIGSTOP)
    alice.event("lost", name="bob: x", timeout=DEADLINE)
    bob.signal(signal.SIGCONT)
    assert alice.event("back", name="bob: x", timeout=3 * DEADLINE)["id"] \
        == bob_id
    bob.send("after the blip")
    alice.event("chat", text="after the blip", timeout=2 * DEADLINE)

    carol.kill()
    alice.event("lost", name="caroline", timeout=DEADLINE)
    since = alice.mark()
    alice.command(cmd="who")
    now = alice.event("members", since=since)["members"]
    assert [m["name"] for m in now] == ["bob: x"], now
    alice.send("not json")
    assert alice.event("error", code="bad_input")["line"] == 3
    alice.command(cmd="quit", text="bye")
    assert alice.wait_exit() == 0
    bob.wait_for(r"^alice: bye$")
    bob.wait_for(r"^alice has left the chat$")

    check_documented(alice.events() + carol.events())
    assert not any(ev.get("text") == "psst" for ev in carol.events())
    kinds = {ev["event"] for ev in alice.events() + carol.events()}
    assert {"ready", "members", "joined", "back", "lost", "nick", "chat",
            "error"} <= kinds, kinds


def test_ready_comes_first_when_stdin_ends_at_once(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    alice.send("said before carol came")
    alice.send("and this too")
    bob.wait_for(r"^alice: and this too$")
    # carol's stdin is empty: her leave is asked for before her join ends,
    # and alice's history arrives before bob's welcome ends it.
    status, out, err = run(["--format", "json", "--name", "carol", "0",
                            alice.address],
                           env=dict(os.environ, XDG_DATA_HOME=g.data_dir()))
    assert status == 0, (status, err)
    kinds = [json.loads(line)["event"] for line in out.splitlines()]
    assert "chat" in kinds, kinds
    assert kinds.index("ready") < kinds.index("chat"), kinds


def test_text_arrives_byte_for_byte(g):
    alice = g.start_json("alice")
    bob = g.start_json("bob", [alice])
    carol = g.join("carol", [alice])
    bob.event("joined", name="carol")
    text = "a\nb\tc\x1b[31md\u202ee\u2028f"
    alice.command(cmd="say", text=text)
    assert bob.event("chat", **{"from": "alice"})["text"] == text
    # People, in text mode, see one harmless line.
    assert carol.wait_for(r"^alice: ") == "alice: a?b\tc?[31md?e?f"
    check_documented(bob.events())


def test_the_readme_bot_answers(g):
    if subprocess.run(["sh", "-c", "command -v jq"],
                      capture_output=True).returncode != 0:
        if os.environ.get("CI"):
            raise AssertionError("jq is missing (test/run.sh installs it)")
        raise Skip("jq is not installed")
    alice = g.create("alice")
    bot = re.search(r"```sh\n(mkfifo answers\n.*?)```", read("README.md"),
                    re.S).group(1)
    assert "127.0.0.1:5000" in bot
    bot = bot.replace("127.0.0.1:5000", alice.address)
    bin_dir = os.path.join(g.tmp, "bin")
    os.mkdir(bin_dir)
    import harness
    os.symlink(harness.BINARY, os.path.join(bin_dir, "groupchat"))
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])
    proc = subprocess.Popen(["sh", "-c", bot], cwd=g.tmp, env=env,
                            start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    g.at_close(lambda: os.killpg(proc.pid, signal.SIGKILL))
    alice.wait_for(r"^timebot has joined the chat$")
    alice.send("!time")
    alice.wait_for(r"^timebot: It is \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_every_event_and_code_is_documented(g):
    kinds = re.findall(r"event::kind::(\w+)", re.search(
        r"all_kinds\[\] = \{(.*?)\};", read("protocol/events/event.hpp"),
        re.S).group(1))
    assert len(kinds) == 11, kinds
    codes = set()
    for folder in ("protocol", "actors", "main"):
        for base, _, files in os.walk(os.path.join(ROOT, folder)):
            for name in files:
                if name.endswith((".cpp", ".hpp")):
                    with open(os.path.join(base, name)) as f:
                        codes |= set(re.findall(
                            r'event::(?:failure|note)\(\s*"(\w+)"', f.read()))
    assert "bad_input" in codes and "join_failed" in codes, codes
    readme, man = read("README.md"), read("main/groupchat.1")
    assert set(documented()) == set(kinds), sorted(documented())
    for kind in kinds:
        assert '{"event":"%s"' % kind in man, kind
    for code in codes:
        assert "`%s`" % code in readme, code
        assert code.replace("_", "\\_") in man or code in man, code


main(globals())
