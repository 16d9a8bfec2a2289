# SPDX-License-Identifier: MIT
"""The sealed connection of protocol 3 in Python, for tests that speak the
wire protocol themselves (as strangers, forgers, relays): the handshake and
record layer of protocol/crypto/secure.hpp, written again from its comments
and protocol/README.md, with libsodium through ctypes for ristretto255 and
secretstream (the test needs no Python package). It is an independent second
implementation: a test that completes a handshake with a real peer checks
the C++ side against the document too."""

import ctypes
import hashlib
import hmac
import os
import socket
import struct

_sodium = ctypes.CDLL("libsodium.so.23")
assert _sodium.sodium_init() >= 0

#: The key of every group without a passphrase (public by design).
OPEN_KEY = hashlib.blake2b(b"groupchat open group v3", digest_size=32).digest()

_CHANNEL_ID = b"groupchat v3"
_DSI = b"CPaceRistretto255"
_DSI_ISK = b"CPaceRistretto255_ISK"
_STEP1, _STEP2, _STEP3, _STEP1_OPEN = 1, 2, 3, 0x11
_HEADER = 24  # secretstream header
_ABYTES = 17  # secretstream overhead
_STATE = _sodium.crypto_secretstream_xchacha20poly1305_statebytes()
DEADLINE = 10


class Refused(Exception):
    """The responder refused in plaintext before any key existed."""

    def __init__(self, body):
        import json
        super().__init__(body)
        self.message = json.loads(body)


def _leb128(n):
    out = bytearray()
    while True:
        low = n & 0x7F
        n >>= 7
        out.append(low | 0x80 if n else low)
        if not n:
            return bytes(out)


def lv_cat(*values):
    return b"".join(_leb128(len(v)) + v for v in values)


def _buf(size):
    return ctypes.create_string_buffer(size)


def _generator(key, sid):
    used = 1 + len(_leb128(len(key))) + len(key) + len(_leb128(len(_DSI))) \
        + len(_DSI)
    zpad = b"\0" * max(0, 128 - used)
    digest = hashlib.sha512(lv_cat(_DSI, key, zpad, _CHANNEL_ID, sid)).digest()
    g = _buf(32)
    _sodium.crypto_core_ristretto255_from_hash(g, digest)
    return g


def _point(scalar, point):
    out = _buf(32)
    if _sodium.crypto_scalarmult_ristretto255(out, scalar, point) != 0:
        raise ValueError("invalid handshake point")
    return out.raw


def frame(body):
    """A frame: 4-byte big-endian length, then the body."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return struct.pack(">I", len(body)) + body


def read_raw_frame(sock):
    """The next frame's body from the plain socket `sock`."""
    header = sock.recv(4, socket.MSG_WAITALL)
    assert len(header) == 4, "connection closed"
    (length,) = struct.unpack(">I", header)
    body = sock.recv(length, socket.MSG_WAITALL) if length else b""
    assert len(body) == length, "connection closed"
    return body


class SealedSocket:
    """A connection after the handshake: `send` seals a body, `recv_body`
    opens the next one. Other socket methods (recv, close, settimeout...)
    act on the raw socket, e.g. to see it closed."""

    def __init__(self, sock, key, initiator):
        self.sock = sock
        self.key = key
        self.initiator = initiator
        self._push = _buf(_STATE)
        self._pull = _buf(_STATE)
        self.binding = b""
        self._scalar = _buf(32)
        _sodium.crypto_core_ristretto255_scalar_random(self._scalar)

    # -- the handshake (secure.hpp) --

    @classmethod
    def connect(cls, port, host="127.0.0.1", key=OPEN_KEY):
        """Dials and completes the handshake as the initiator. Raises
        Refused for a plaintext refusal."""
        sock = socket.create_connection((host, port), timeout=DEADLINE)
        return cls.handshake(sock, key)

    @classmethod
    def handshake(cls, sock, key=OPEN_KEY):
        """Completes the handshake on the connected socket `sock` as the
        initiator."""
        self = cls(sock, key, True)
        self.sid = os.urandom(16)
        self.own = _point(self._scalar, _generator(key, self.sid))
        tag = _STEP1_OPEN if key == OPEN_KEY else _STEP1
        sock.sendall(frame(bytes([tag]) + self.sid + self.own))
        body = read_raw_frame(sock)
        if body[:1] == b"{":
            raise Refused(body)
        assert len(body) == 1 + 32 + 64 + _HEADER and body[0] == _STEP2, body
        self.theirs = body[1:33]
        self._derive()
        assert hmac.compare_digest(self._tag(self.theirs), body[33:97]), \
            "wrong key"
        self._init_pull(body[97:])
        sock.sendall(frame(bytes([_STEP3]) + self._tag(self.own)
                           + self._init_push()))
        return self

    @classmethod
    def accept(cls, sock, key=OPEN_KEY):
        """Completes the handshake on the accepted socket `sock` as the
        responder."""
        self = cls(sock, key, False)
        body = read_raw_frame(sock)
        assert len(body) == 1 + 16 + 32 and body[0] in (_STEP1, _STEP1_OPEN)
        self.sid = body[1:17]
        self.theirs = body[17:]
        self.own = _point(self._scalar, _generator(key, self.sid))
        self._derive()
        sock.sendall(frame(bytes([_STEP2]) + self.own + self._tag(self.own)
                           + self._init_push()))
        body = read_raw_frame(sock)
        assert len(body) == 1 + 64 + _HEADER and body[0] == _STEP3, body
        assert hmac.compare_digest(self._tag(self.theirs), body[1:65]), \
            "wrong key"
        self._init_pull(body[65:])
        return self

    def _derive(self):
        k = _point(self._scalar, self.theirs)
        ya, yb = ((self.own, self.theirs) if self.initiator
                  else (self.theirs, self.own))
        isk = hashlib.sha512(lv_cat(_DSI_ISK, self.sid, k) + lv_cat(ya, b"")
                             + lv_cat(yb, b"")).digest()
        self._mac_key = hashlib.sha512(b"CPaceMac" + self.sid + isk).digest()

        def kdf(label):
            return hashlib.blake2b(label, digest_size=32, key=isk).digest()

        i2r = kdf(b"groupchat v3 initiator to responder")
        r2i = kdf(b"groupchat v3 responder to initiator")
        self._tx, self._rx = (i2r, r2i) if self.initiator else (r2i, i2r)
        self.binding = kdf(b"groupchat v3 channel binding")

    def _tag(self, point):
        return hmac.new(self._mac_key, lv_cat(point, b""),
                        hashlib.sha512).digest()

    def _init_push(self):
        header = _buf(_HEADER)
        _sodium.crypto_secretstream_xchacha20poly1305_init_push(
            self._push, header, self._tx)
        return header.raw

    def _init_pull(self, header):
        assert _sodium.crypto_secretstream_xchacha20poly1305_init_pull(
            self._pull, header, self._rx) == 0

    # -- the record layer --

    def seal(self, body):
        """`body` sealed as the next message of our stream (not framed)."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        out = _buf(len(body) + _ABYTES)
        _sodium.crypto_secretstream_xchacha20poly1305_push(
            self._push, out, None, body, ctypes.c_ulonglong(len(body)), None,
            ctypes.c_ulonglong(0), ctypes.c_ubyte(0))
        return out.raw

    def open(self, sealed):
        """The body of the sealed frame body `sealed`; raises ValueError if
        it fails authentication."""
        out = _buf(max(len(sealed) - _ABYTES, 1))
        size = ctypes.c_ulonglong(0)
        tag = ctypes.c_ubyte(0)
        if len(sealed) < _ABYTES or \
                _sodium.crypto_secretstream_xchacha20poly1305_pull(
                    self._pull, out, ctypes.byref(size), ctypes.byref(tag),
                    sealed, ctypes.c_ulonglong(len(sealed)), None,
                    ctypes.c_ulonglong(0)) != 0:
            raise ValueError("a frame failed authentication")
        return out.raw[:size.value]

    def send(self, body):
        """Sends one body, sealed and framed."""
        self.sock.sendall(frame(self.seal(body)))

    def sendall(self, data):
        """Sends framed plaintext (what `frame` makes, one frame or many),
        each frame sealed: tests written for plaintext frames keep their
        shape."""
        while data:
            assert len(data) >= 4, "a partial frame cannot be sealed"
            (length,) = struct.unpack(">I", data[:4])
            assert len(data) >= 4 + length, "a partial frame cannot be sealed"
            self.send(data[4:4 + length])
            data = data[4 + length:]

    def recv_body(self):
        """The next frame's body, opened."""
        return self.open(read_raw_frame(self.sock))

    def __getattr__(self, name):
        return getattr(self.sock, name)
