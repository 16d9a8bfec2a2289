# SPDX-License-Identifier: MIT
"""A small harness for end-to-end tests: real groupchat processes on
127.0.0.1, driven through stdin and read through stdout/stderr.

Every wait has a deadline; nothing sleeps in place of synchronisation.
Each test file calls `main(globals())`, which runs its `test_*` functions and
prints the closing line "N passed, M failed".
"""

import os
import re
import signal
import socket
import struct
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

from sealed import SealedSocket, frame, read_raw_frame  # noqa: F401

BINARY = None
DEADLINE = 10.0  # seconds a single expected line may take


class Stream:
    """Collects the lines of a pipe on a thread; waits on them with a deadline."""

    def __init__(self, pipe):
        self.lines = []
        # When each line was read (CLOCK_MONOTONIC ns): the benchmark's
        # end-to-end stamps.
        self.stamps = []
        self.closed = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._pump, args=(pipe,), daemon=True)
        self._thread.start()

    def _pump(self, pipe):
        for raw in iter(pipe.readline, b""):
            stamp = time.monotonic_ns()
            with self._cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.stamps.append(stamp)
                self._cond.notify_all()
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def mark(self):
        """The index of the next line: pass it as `since` to wait only for
        lines that arrive after this point (a line seen before, perhaps
        caused by something else, does not count)."""
        with self._cond:
            return len(self.lines)

    def wait_for(self, pattern, timeout=DEADLINE, since=0):
        """Returns the first line at index >= since matching the regex."""
        regex = re.compile(pattern)
        return self.wait_until(lambda line: regex.search(line), timeout, since,
                               "matching %r" % pattern)

    def wait_until(self, accept, timeout=DEADLINE, since=0, what="accepted"):
        """Returns the first line at index >= since that `accept` is true
        for."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[since:]:
                    if accept(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise AssertionError(
                        "no line %s within %.1fs; got:\n  %s"
                        % (what, timeout, "\n  ".join(self.lines)))
                self._cond.wait(left)

    def count(self, pattern, since=0):
        """How many lines at index >= since match the regex."""
        regex = re.compile(pattern)
        with self._cond:
            return sum(1 for line in self.lines[since:] if regex.search(line))

    def wait_closed(self, timeout=DEADLINE):
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True


class Peer:
    """One groupchat process."""

    def __init__(self, name, peers=(), port=0, args=(), env=None, cwd=None,
                 prefix=()):
        self.name = name
        cmd = list(prefix) + [BINARY, "--name", name] + list(args) + \
            [str(port)] + list(peers)
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env, cwd=cwd)
        self.out = Stream(self.proc.stdout)
        self.err = Stream(self.proc.stderr)
        self.port = self._listen_port()
        self.address = "127.0.0.1:%d" % self.port

    def _listen_port(self):
        banner = self.out.wait_for(r"^Listening on ")
        return int(re.search(r"127\.0\.0\.\d+:(\d+)", banner).group(1))

    def mark(self):
        """A mark in stdout: see Stream.mark."""
        return self.out.mark()

    def wait_for(self, pattern, timeout=DEADLINE, since=0):
        return self.out.wait_for(pattern, timeout, since)

    def joined(self):
        self.wait_for(r"^(Joined the group chat|Created a new group chat)$")
        return self

    def send(self, line):
        data = line if isinstance(line, bytes) else line.encode("utf-8")
        self.proc.stdin.write(data + b"\n")
        self.proc.stdin.flush()

    def close_stdin(self):
        self.proc.stdin.close()

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait_exit(self, timeout=DEADLINE):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("%s did not exit within %.1fs" % (self.name, timeout))

    def rss_kib(self):
        """Resident memory of the process, in KiB."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class JsonPeer(Peer):
    """A groupchat process in --format json: stdout is JSON Lines, stdin
    takes command objects."""

    def __init__(self, name, peers=(), port=0, args=(), **kwargs):
        super().__init__(name, peers, port, ["--format", "json"] + list(args),
                         **kwargs)

    def _listen_port(self):
        ready = self.event("ready")
        port = [a for a in ready["addresses"] if a.startswith("127.0.0.1:")]
        return int(port[0].split(":")[1])

    def events(self):
        """Every line of stdout so far, parsed."""
        import json
        return [json.loads(line) for line in list(self.out.lines)]

    def event(self, kind, timeout=DEADLINE, since=0, **fields):
        """The first event of `kind` at index >= since whose `fields` have
        the values given."""
        import json

        def accept(line):
            ev = json.loads(line)
            return ev.get("event") == kind and all(
                ev.get(k) == v for k, v in fields.items())
        return json.loads(self.out.wait_until(
            accept, timeout, since, "with event %s %r" % (kind, fields)))

    def command(self, **obj):
        import json
        self.send(json.dumps(obj))

    def joined(self):
        return self


class Skip(Exception):
    """Raised by a test that cannot run here; it counts as skipped."""


# Timings for tests of failure detection: fast, but with the same ratios as
# the defaults (peer-timeout = 5 heartbeats).
FAST = {
    "heartbeat-interval": "200ms",
    "peer-timeout": "1s",
    "connect-timeout": "1s",
    "join-timeout": "2s",
}


class Group:
    """Peers started by one test, all killed at its end."""

    def __init__(self):
        self.peers = []
        self.cleanups = []
        self.tmp = tempfile.mkdtemp(prefix="groupchat-e2e-")

    def at_close(self, fn):
        """Calls `fn` at the end of the test, however it ends, before the
        peers are killed (the last registered first)."""
        self.cleanups.append(fn)

    def config(self, **keys):
        """Writes a config file with `keys` (underscores become dashes) in
        the [groupchat] section; returns the --config arguments."""
        path = os.path.join(self.tmp, "config-%d.ini" % len(os.listdir(self.tmp)))
        with open(path, "w") as f:
            f.write("[groupchat]\n")
            for key, value in keys.items():
                f.write("%s=%s\n" % (key.replace("_", "-"), value))
        return ["--config", path]

    def fast(self):
        return self.config(**{k.replace("-", "_"): v for k, v in FAST.items()})

    def data_dir(self):
        """A fresh data folder (XDG_DATA_HOME: key files, known keys)."""
        self.folders = getattr(self, "folders", 0) + 1
        return os.path.join(self.tmp, "data-%d" % self.folders)

    def _own_data(self, kwargs):
        # Peers of one test are different people: each gets its own data
        # folder unless the test hands one over (data=...: a restart).
        data = kwargs.pop("data", None) or self.data_dir()
        kwargs["env"] = dict(kwargs.get("env") or os.environ,
                             XDG_DATA_HOME=data)
        return kwargs

    def start(self, name, peers=(), **kwargs):
        peer = Peer(name, peers, **self._own_data(kwargs))
        self.peers.append(peer)
        return peer

    def start_json(self, name, peers=(), **kwargs):
        """A peer in --format json (JsonPeer): returns once it is ready."""
        addresses = [p.address if isinstance(p, Peer) else p for p in peers]
        peer = JsonPeer(name, addresses, **self._own_data(kwargs))
        self.peers.append(peer)
        return peer

    def create(self, name, **kwargs):
        return self.start(name, **kwargs).joined()

    def join(self, name, via, **kwargs):
        addresses = [p.address if isinstance(p, Peer) else p for p in via]
        return self.start(name, addresses, **kwargs).joined()

    def close(self):
        while self.cleanups:
            try:
                self.cleanups.pop()()
            except Exception:
                traceback.print_exc()
        for peer in self.peers:
            if peer.proc.poll() is None:
                try:
                    peer.proc.send_signal(signal.SIGCONT)
                except ProcessLookupError:
                    pass
            peer.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


def run(args, timeout=DEADLINE, stdin=subprocess.DEVNULL, cwd=None, env=None):
    """Runs groupchat to completion; returns (status, stdout, stderr)."""
    proc = subprocess.run([BINARY] + list(args), stdin=stdin, cwd=cwd,
                          capture_output=True, timeout=timeout, env=env)
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"))


def raw_connect(peer):
    """A connection to `peer` after the handshake of protocol 3: what is
    sent with `sendall(frame(...))` goes sealed, `read_frame` opens."""
    return SealedSocket.connect(peer.port)


def plain_connect(peer):
    """A connection to `peer` that never starts the handshake: bytes as they
    are, for tests of what a stranger may send before it."""
    return socket.create_connection(("127.0.0.1", peer.port), timeout=DEADLINE)


def read_frame(sock):
    """The next frame's body from `sock`: opened, on a sealed connection."""
    if isinstance(sock, SealedSocket):
        return sock.recv_body()
    return read_raw_frame(sock)


class Identity:
    """A peer's Ed25519 key pair, through libsodium (ctypes: the test needs
    no Python package), and the identity proof of protocol/crypto/identity.hpp."""

    _sodium = None

    def __init__(self):
        import ctypes
        if Identity._sodium is None:
            Identity._sodium = ctypes.CDLL("libsodium.so.23")
            assert Identity._sodium.sodium_init() >= 0
        self.pk = ctypes.create_string_buffer(32)
        self.sk = ctypes.create_string_buffer(64)
        Identity._sodium.crypto_sign_keypair(self.pk, self.sk)
        self.id = self.pk.raw.hex()

    def prove(self, transcript):
        import ctypes
        sig = ctypes.create_string_buffer(64)
        Identity._sodium.crypto_sign_detached(
            sig, None, transcript, ctypes.c_ulonglong(len(transcript)), self.sk)
        return sig.raw.hex()


def _field(data):
    return bytes([len(data)]) + data


def proof_claims(name, port, seq):
    """What a greeting or welcome says of its sender, as signed."""
    return _field(name.encode()) + _field(("%d %d" % (port, seq)).encode())


def proof_transcript(role, challenge, nonce, signer, peer, binding=b"",
                     claims=b""):
    """What a greeting (role 1) or welcome (role 2) signs."""
    out = b"groupchat v3 identity proof" + bytes([role])
    for field in (challenge.encode(), nonce.encode(), signer.encode(),
                  peer.encode(), binding, claims):
        out += _field(field)
    return out


def greet(sock, name, peer_id, identity=None, claimed_id=None, seq=0):
    """Greets the member `peer_id` on the fresh connection `sock` as `name`:
    reads its challenge and signs it with `identity` (a new one by
    default). `claimed_id` claims another ID than the signer's (a forgery).
    Returns the identity."""
    import json
    identity = identity or Identity()
    challenge = json.loads(read_frame(sock))
    assert challenge["type"] == "challenge", challenge
    claimed = claimed_id or identity.id
    nonce = os.urandom(32).hex()
    proof = identity.prove(proof_transcript(1, challenge["nonce"], nonce,
                                            claimed, peer_id, sock.binding,
                                            proof_claims(name, 1, seq)))
    sock.sendall(frame(json.dumps({
        "type": "greeting", "version": 3, "name": name, "id": claimed,
        "port": 1, "nonce": nonce, "seq": seq, "proof": proof})))
    return identity


def welcomed(sock):
    """Reads what the member sends after our greeting up to its welcome,
    which it sends once it admitted us (lifted the small frames' limit for
    strangers), and returns it: what a joining member waits for before it
    sends anything larger. The member may say we joined before (its
    console runs as soon as the greeting is handled)."""
    import json
    while True:
        msg = json.loads(read_frame(sock))
        if msg["type"] == "welcome":
            return msg


def members_of(peer):
    """The member list `peer` gives a stranger who says hello, as a list of
    dicts (`peer` itself first)."""
    import json
    sock = raw_connect(peer)
    sock.sendall(frame('{"type":"hello","version":3}'))
    while True:
        msg = json.loads(read_frame(sock))
        if msg["type"] == "members":
            sock.close()
            return msg["members"]


def listening_socket():
    """A socket listening on 127.0.0.1, at a port of the system's choice."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    return server


def check_wire_unreadable(g, relay_to_alice, **kwargs):
    """alice and bob, bob joined through `relay_to_alice` (a function of
    alice's port giving a Relay), exchange a line and a private line; the
    relay must have seen bytes and not one readable word."""
    alice = g.create("alice", **kwargs)
    relay = relay_to_alice(alice.port)
    try:
        bob = g.join("bob", ["127.0.0.1:%d" % relay.port], **kwargs)
        bob.send("the eagle lands at midnight")
        alice.wait_for(r"^bob: the eagle lands at midnight$")
        alice.send("/msg bob bring the zebra")
        bob.wait_for(r"^alice \(private\): bring the zebra$")
        with relay.lock:
            wire = bytes(relay.recorded)
        assert len(wire) > 200, len(wire)
        for text in (b"eagle", b"zebra", b"bob", b"alice", b"greeting",
                     b"type"):
            assert text not in wire, "%r readable on the wire" % text
    finally:
        relay.close()


class Relay:
    """A TCP relay on 127.0.0.1 that records every byte it forwards; as an
    attacker on the path, it can add bytes (`inject`)."""

    def __init__(self, target_port):
        self.target = target_port
        self.server = listening_socket()
        self.port = self.server.getsockname()[1]
        self.recorded = bytearray()
        self.upstreams = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                self.upstreams.append(upstream)
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

    def inject(self, data):
        """Writes `data` into every connection towards the target."""
        with self.lock:
            for sock in self.upstreams:
                sock.sendall(data)

    def close(self):
        self.server.close()


class StalledListener:
    """A port whose connects hang until their timeout: a listener that never
    accepts, with its backlog filled, so further SYNs are dropped. Use as
    `with StalledListener() as port: ...`."""

    def __enter__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        port = self.sock.getsockname()[1]
        self.fillers = []
        while len(self.fillers) <= 64:
            s = socket.socket()
            s.settimeout(0.3)
            try:
                s.connect(("127.0.0.1", port))
                self.fillers.append(s)
            except OSError:  # the backlog is full: connects hang now
                s.close()
                return port
        self.__exit__()
        raise AssertionError("backlog never filled")

    def __exit__(self, *exc):
        for s in self.fillers:
            s.close()
        self.sock.close()


def free_port():
    """A port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(namespace):
    global BINARY
    if len(sys.argv) != 2:
        print("usage: %s PATH-TO-GROUPCHAT" % sys.argv[0])
        sys.exit(2)
    BINARY = os.path.abspath(sys.argv[1])
    # Whatever a test starts without a data folder of its own (a tmux
    # session, a bot) keeps its keys here, not in the user's home.
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="groupchat-data-")
    # GROUPCHAT_TESTS=WORD runs only the tests whose names contain WORD.
    only = os.environ.get("GROUPCHAT_TESTS", "")
    tests = [(n, f) for n, f in namespace.items()
             if n.startswith("test_") and callable(f) and only in n]
    passed = failed = skipped = 0
    for name, fn in tests:
        group = Group()
        began = time.monotonic()
        try:
            fn(group)
            passed += 1
            print("PASS %s (%.2fs)" % (name, time.monotonic() - began), flush=True)
        except Skip as reason:
            skipped += 1
            print("SKIP %s: %s" % (name, reason), flush=True)
        except Exception:
            failed += 1
            print("FAIL %s" % name, flush=True)
            traceback.print_exc()
            for peer in group.peers:
                print("--- stderr of %s:\n%s" % (peer.name, "\n".join(peer.err.lines)))
        finally:
            group.close()
    if skipped:
        print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    else:
        print("%d passed, %d failed" % (passed, failed))
    shutil.rmtree(os.environ["XDG_DATA_HOME"], ignore_errors=True)
    sys.exit(1 if failed else 0)
