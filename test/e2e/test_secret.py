"""Passphrase-protected groups: members chat, outsiders are refused on both
sides, and nothing readable crosses the wire."""

import os
import socket
import threading

from harness import main


def secret_env(passphrase):
    env = dict(os.environ)
    if passphrase is None:
        env.pop("GROUPCHAT_SECRET", None)
    else:
        env["GROUPCHAT_SECRET"] = passphrase
    return env


class Relay:
    """A TCP relay on 127.0.0.1 that records every byte it forwards."""

    def __init__(self, target_port):
        self.target = target_port
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.recorded = bytearray()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src, dst):
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            with self.lock:
                self.recorded += data
            try:
                dst.sendall(data)
            except OSError:
                return

    def close(self):
        self.server.close()


def test_members_with_the_passphrase_chat(g):
    alice = g.create("alice", env=secret_env("open sesame"))
    bob = g.join("bob", [alice], env=secret_env("open sesame"))
    bob.wait_for(r"^Members: alice$")
    bob.send("secret plans")
    alice.wait_for(r"^bob: secret plans$")
    alice.send("understood")
    bob.wait_for(r"^alice: understood$")


def test_secret_file_and_config_work_too(g):
    path = os.path.join(g.tmp, "secret")
    with open(path, "w") as f:
        f.write("open sesame\n")
    alice = g.create("alice", args=["--secret-file", path],
                     env=secret_env(None))
    bob = g.join("bob", [alice], args=g.config(secret='"open sesame"'),
                 env=secret_env(None))
    bob.send("via the config")
    alice.wait_for(r"^bob: via the config$")


def check_refused(g, alice, env):
    mallory = g.start("mallory", [alice.address], env=env)
    status = mallory.wait_exit()
    assert status == 1, status
    mallory.err.wait_for(r"authentication failed")
    assert mallory.out.count(r"^Members") == 0
    assert mallory.out.count(r"alice") == 0
    alice.err.wait_for(r"authentication failed")
    assert alice.out.count(r"mallory") == 0


def test_joiner_without_the_passphrase_is_refused(g):
    alice = g.create("alice", env=secret_env("open sesame"))
    check_refused(g, alice, secret_env(None))


def test_joiner_with_another_passphrase_is_refused(g):
    alice = g.create("alice", env=secret_env("open sesame"))
    check_refused(g, alice, secret_env("open barley"))


def test_joiner_with_a_passphrase_never_falls_back_to_plaintext(g):
    alice = g.create("alice", env=secret_env(None))
    check_refused(g, alice, secret_env("open sesame"))


def test_the_wire_carries_no_chat_text(g):
    alice = g.create("alice", env=secret_env("open sesame"))
    relay = Relay(alice.port)
    try:
        bob = g.join("bob", ["127.0.0.1:%d" % relay.port],
                     env=secret_env("open sesame"))
        bob.send("the eagle lands at midnight")
        alice.wait_for(r"^bob: the eagle lands at midnight$")
        alice.send("bring the zebra")
        bob.wait_for(r"^alice: bring the zebra$")
        with relay.lock:
            wire = bytes(relay.recorded)
        assert len(wire) > 200, len(wire)
        for text in (b"eagle", b"zebra", b"bob", b"alice", b"greeting",
                     b"type"):
            assert text not in wire, "%r readable on the wire" % text
    finally:
        relay.close()


if __name__ == "__main__":
    main(globals())
