# SPDX-License-Identifier: MIT
"""A name means the same person tomorrow: a restarted member proves the
key of its key file and is the member it was; a known name with another
key is announced; key files are guarded."""

import os
import shutil
import signal
import stat

from harness import free_port, main, run


def test_a_restarted_member_replaces_its_frozen_run(g):
    alice = g.create("alice")
    key = os.path.join(g.tmp, "bob.key")
    bob = g.join("bob", [alice], args=["--identity", key])
    bob.send("before the freeze")
    alice.wait_for(r"^bob: before the freeze$")
    # Bob's machine freezes, its sockets open (alice notices nothing for
    # seconds), and bob starts again elsewhere with a copy of his key file
    # (a copy: the frozen run still holds the lock on the original).
    bob.signal(signal.SIGSTOP)
    g.at_close(lambda: bob.signal(signal.SIGCONT))
    copy = os.path.join(g.tmp, "bob-copy.key")
    shutil.copy(key, copy)
    os.chmod(copy, 0o600)
    mark = alice.mark()
    again = g.join("bob", [alice], args=["--identity", copy])
    assert again.out.count(r"taken") == 0, again.out.lines
    # The new run numbers its lines from 1 again: they are not taken for
    # lines already shown.
    again.send("after the restart")
    alice.wait_for(r"^bob: after the restart$", since=mark)
    alice.send("welcome back")
    again.wait_for(r"^alice: welcome back$")
    assert alice.out.count(r"different key", since=mark) == 0, alice.out.lines
    assert alice.out.count(r"^bob (has joined|lost)", since=mark) == 0, \
        alice.out.lines


def test_a_member_restarted_after_it_was_lost_comes_back(g):
    fast = g.fast()
    alice = g.create("alice", args=fast)
    data = g.data_dir()
    bob = g.join("bob", [alice], args=fast, data=data)
    bob.send("one")
    bob.send("two")
    alice.wait_for(r"^bob: two$")
    bob.kill()
    alice.wait_for(r"^bob lost connection$")
    mark = alice.mark()
    again = g.join("bob", [alice], args=fast, data=data)
    alice.wait_for(r"^bob has joined the chat$", since=mark)
    again.send("three")
    alice.wait_for(r"^bob: three$", since=mark)
    # Lines the old run said are not missing from the new one.
    assert alice.out.count(r"did not reach you", since=mark) == 0, \
        alice.out.lines


def test_a_restarted_creator_finds_her_group(g):
    fast = g.fast()
    data = g.data_dir()
    port = free_port()
    alice = g.create("alice", args=fast, port=port, data=data)
    bob = g.join("bob", [alice], args=fast)
    carol = g.join("carol", [alice], args=fast)
    bob.wait_for(r"^carol has joined the chat$")
    alice.kill()
    bob.wait_for(r"^alice lost connection$")
    # Her original command again: no peer address, the same port.
    mark_bob, mark_carol = bob.mark(), carol.mark()
    again = g.create("alice", args=fast, port=port, data=data)
    # The members' retries reach the same key: the group is one again.
    bob.wait_for(r"^alice has joined the chat$", since=mark_bob)
    carol.wait_for(r"^alice has joined the chat$", since=mark_carol)
    again.send("I am back")
    bob.wait_for(r"^alice: I am back$")
    carol.wait_for(r"^alice: I am back$")
    bob.send("welcome back")
    again.wait_for(r"^bob: welcome back$")


def test_a_creator_restarted_with_another_key_is_told_how_to_rejoin(g):
    fast = g.fast()
    port = free_port()
    alice = g.create("alice", args=fast, port=port)
    bob = g.join("bob", [alice], args=fast)
    alice.kill()
    bob.wait_for(r"^alice lost connection$")
    # Her key file is gone (another data folder): a new key at her address.
    again = g.create("alice", args=fast, port=port)
    bob.wait_for(r"^alice at 127\.0\.0\.1:%d has another key now" % port)
    hint = again.wait_for(r"^someone at 127\.0\.0\.1:%d calling itself bob "
                          r"looked for the peer that had this address before"
                          % bob.port)
    assert hint.endswith("groupchat --name alice %d 127.0.0.1:%d"
                         % (port, bob.port)), hint
    # Said once, however often bob's retries came before he gave up.
    assert again.out.count(r"looked for the peer") == 1, again.out.lines


def test_a_new_key_under_a_known_name_is_announced(g):
    alice = g.create("alice")
    bob = g.join("bob", [alice])
    bob.send("/quit")
    alice.wait_for(r"^bob has left the chat$")
    assert alice.out.count(r"different key") == 0, alice.out.lines
    # Another bob: a new data folder, so a new key.
    g.join("bob", [alice])
    alice.wait_for(r"^bob has joined the chat$")
    alice.wait_for(r"^warning: bob is using a different key than before")
    # Said once: the new key is the known one now.
    carol = g.join("carol", [alice])
    carol.wait_for(r"^Members: ")
    assert alice.out.count(r"different key") == 1, alice.out.lines


def test_a_key_file_others_can_read_is_refused(g):
    path = os.path.join(g.tmp, "alice.key")
    alice = g.create("alice", args=["--identity", path])
    alice.send("/quit")
    assert alice.wait_exit() == 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    os.chmod(path, 0o644)
    status, _, err = run(["--name", "alice", "--identity", path, "0"])
    assert status == 2, (status, err)
    assert "can be read by others (mode 0644)" in err, err
    assert "chmod 600 " + path in err, err


def test_no_place_for_a_key_file_costs_a_warning_not_the_chat(g):
    # A data folder that cannot be made (a read-only home).
    alice = g.create("alice", data="/proc/groupchat-nowhere")
    alice.err.wait_for(r"cannot create /proc/groupchat-nowhere.*: this run "
                       r"has a key of its own")
    bob = g.join("bob", [alice])
    bob.send("hi")
    alice.wait_for(r"^bob: hi$")


def test_a_key_file_in_use_gets_a_key_for_this_run(g):
    data = g.data_dir()
    g.create("alice", data=data)
    # Another alice, in a group of her own, with the same data folder.
    other = g.create("alice", data=data)
    other.err.wait_for(r"in use by another groupchat: this run has a key "
                       r"of its own")


if __name__ == "__main__":
    main(globals())
