#!/usr/bin/python3
"""Hostile peers against the example server, with raw sockets only (no SSH
client): the listener's caps on unauthenticated connections (per source
address, 127.0.0.1 against 127.0.0.2..., in total, and the slots given back
on close), a slow or overlong identification line, and what a peer can do
in plaintext before the first key exchange completes: oversized packets and
name-lists, a second KEXINIT, strict-kex ordering, unknown messages, too
many packets, a DISCONNECT storm. Each case checks the DISCONNECT reason a
peer sees and that the server still serves a real ssh client afterwards."""
import os
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

# The engine's defaults and limits; the example has no options for them.
MAX_UNAUTH = h.c_constant("include/hostsd/limits.h", "HS_MAX_UNAUTH_DEFAULT")
MAX_UNAUTH_PER_SOURCE = h.c_constant("include/hostsd/limits.h", "HS_MAX_UNAUTH_PER_SOURCE_DEFAULT")
MAX_PREAUTH_PACKETS = h.c_constant("src/common/limits.h", "HS_MAX_PREAUTH_PACKETS")

MSG_DISCONNECT, MSG_IGNORE, MSG_UNIMPLEMENTED = 1, 2, 3
MSG_SERVICE_REQUEST, MSG_KEXINIT = 5, 20
MSG_USERAUTH_REQUEST, MSG_CHANNEL_OPEN = 50, 90
PROTOCOL_ERROR, KEY_EXCHANGE_FAILED = 2, 3

CLIENT_ID = b"SSH-2.0-OpenSSH_9.2 hs-hostile\r\n"


def sshstr(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


def packet(payload, padlen=None):
    """A plaintext binary packet (RFC 4253 §6) with zero padding."""
    if padlen is None:
        padlen = 8 - (4 + 1 + len(payload)) % 8
        if padlen < 4:
            padlen += 8
    return struct.pack(">IB", 1 + len(payload) + padlen, padlen) + payload + bytes(padlen)


def kexinit(kex="curve25519-sha256", strict=False, lists=None):
    names = lists or [kex + (",kex-strict-c-v00@openssh.com" if strict else ""), "ssh-ed25519",
                      "chacha20-poly1305@openssh.com", "chacha20-poly1305@openssh.com",
                      "hmac-sha2-256-etm@openssh.com", "hmac-sha2-256-etm@openssh.com",
                      "none", "none", "", ""]
    return bytes([MSG_KEXINIT]) + os.urandom(16) + b"".join(sshstr(n) for n in names) + b"\0" + bytes(4)


class Raw:
    """One TCP connection from src, read with bounded waits."""

    def __init__(self, port, src="127.0.0.1", rcvbuf=None):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.bind((src, 0))
        self.s.settimeout(10)
        self.s.connect(("127.0.0.1", port))
        self.buf = b""
        self.eof = False

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0 or self.eof:
            return False
        self.s.settimeout(left)
        try:
            b = self.s.recv(65536)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            b = b""
        if not b:
            self.eof = True
            return False
        self.buf += b
        return True

    def ident(self, timeout=5.0):
        """The server's identification line, or None if it closed first."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            if not self._fill(deadline):
                return None
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def packet(self, timeout=5.0):
        """The next plaintext packet as (msg, body), or None."""
        deadline = time.monotonic() + timeout
        while len(self.buf) < 4:
            if not self._fill(deadline):
                return None
        n = struct.unpack(">I", self.buf[:4])[0]
        h.check(n <= 65536, "server packet length %d (expected plaintext)" % n)
        while len(self.buf) < 4 + n:
            if not self._fill(deadline):
                return None
        pkt, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
        pad = pkt[0]
        payload = pkt[1:len(pkt) - pad]
        return payload[0], payload[1:]

    def until(self, msg, timeout=5.0):
        """Skip packets until one of type msg; its body, or None."""
        deadline = time.monotonic() + timeout
        while True:
            p = self.packet(max(0.0, deadline - time.monotonic()))
            if p is None:
                return None
            if p[0] == msg:
                return p[1]

    def closed_within(self, timeout):
        """Seconds until the server closed (reading everything), or None."""
        t0 = time.monotonic()
        deadline = t0 + timeout
        while not self.eof:
            if not self._fill(deadline) and not self.eof:
                return None
            self.buf = self.buf[-65536:]
        return time.monotonic() - t0

    def send(self, data):
        self.s.sendall(data)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def disconnect_reason(body):
    return struct.unpack(">I", body[:4])[0] if body and len(body) >= 4 else None


def handshake(srv, strict=False):
    """Identification both ways and the server's KEXINIT; our KEXINIT is not
    sent yet."""
    c = Raw(srv.port)
    h.check((c.ident() or b"").startswith(b"SSH-2.0-"), "no identification from the server")
    c.send(CLIENT_ID)
    h.check(c.until(MSG_KEXINIT) is not None, "no KEXINIT from the server")
    return c


def expect_disconnect(c, reason, what, timeout=5.0):
    body = c.until(MSG_DISCONNECT, timeout)
    h.check(body is not None, "%s: no DISCONNECT (closed: %s)" % (what, c.eof))
    got = disconnect_reason(body)
    h.check(got == reason, "%s: DISCONNECT reason %s, expected %d (%r)" % (what, got, reason, body[4:80]))
    h.check(c.closed_within(5) is not None, "%s: the server kept the connection open after DISCONNECT" % what)
    c.close()


def accepted(c):
    """True if the server sent its identification, False if it closed at
    once without a byte."""
    line = c.ident(5)
    if line is None:
        h.check(c.buf == b"", "closed after sending %r" % c.buf[:40])
        return False
    h.check(line.startswith(b"SSH-2.0-"), "odd greeting %r" % line[:40])
    return True


def wait_accepted(port, src, timeout=5.0):
    """Connect from src until the server takes the connection (it handles a
    close asynchronously); the accepted connection, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        c = Raw(port, src)
        if accepted(c):
            return c
        c.close()
        time.sleep(0.1)
    return None


# --- cases ------------------------------------------------------------------

def per_source_caps(ctx):
    srv = ctx.server()
    conns = []
    try:
        for i in range(MAX_UNAUTH_PER_SOURCE):
            c = Raw(srv.port, "127.0.0.1")
            conns.append(c)
            h.check(accepted(c), "connection %d from 127.0.0.1 refused (cap is %d)" % (i + 1, MAX_UNAUTH_PER_SOURCE))
        extra = Raw(srv.port, "127.0.0.1")
        h.check(not accepted(extra), "connection %d from 127.0.0.1 accepted" % (MAX_UNAUTH_PER_SOURCE + 1))
        extra.close()
        # another source address is not locked out by the first one
        other = Raw(srv.port, "127.0.0.2")
        conns.append(other)
        h.check(accepted(other), "127.0.0.2 refused while only 127.0.0.1 was at its cap")
        # a closed connection gives its slot back
        conns.pop(0).close()
        again = wait_accepted(srv.port, "127.0.0.1")
        h.check(again is not None, "127.0.0.1 still refused after one of its connections closed")
        conns.append(again)
    finally:
        for c in conns:
            c.close()
    # every slot comes back: a real client logs in
    c = wait_accepted(srv.port, "127.0.0.1")
    h.check(c is not None, "127.0.0.1 refused after all its connections closed")
    c.close()
    ctx.echo_roundtrip(srv, 64 * 1024)


def total_cap(ctx):
    """MAX_UNAUTH / MAX_UNAUTH_PER_SOURCE source addresses, each with its
    share of idle connections, fill the listener: any other address is then
    refused until the login grace ends them. Documents how few addresses a
    lockout takes."""
    srv = ctx.server(login_grace_time=30)
    conns = []
    nsrc = MAX_UNAUTH // MAX_UNAUTH_PER_SOURCE
    try:
        for s in range(nsrc):
            for i in range(MAX_UNAUTH_PER_SOURCE):
                c = Raw(srv.port, "127.0.0.%d" % (s + 1))
                conns.append(c)
                h.check(accepted(c), "connection %d from 127.0.0.%d refused" % (i + 1, s + 1))
        late = Raw(srv.port, "127.0.0.%d" % (nsrc + 5))
        h.check(not accepted(late), "a %dth unauthenticated connection was accepted" % (MAX_UNAUTH + 1))
        late.close()
        ctx.log("%d idle connections from %d addresses lock out every other address" % (MAX_UNAUTH, nsrc))
    finally:
        for c in conns:
            c.close()
    c = wait_accepted(srv.port, "127.0.0.%d" % (nsrc + 5))
    h.check(c is not None, "still refused after every idle connection closed")
    c.close()
    ctx.echo_roundtrip(srv, 64 * 1024)


def slow_identification(ctx):
    """A byte of identification every half second: the login grace ends it."""
    grace = 3
    srv = ctx.server(login_grace_time=grace)
    c = Raw(srv.port)
    h.check(accepted(c), "not accepted")
    t0 = time.monotonic()
    for b in CLIENT_ID[:-2]:
        if time.monotonic() - t0 > grace + 5:
            break
        try:
            c.send(bytes([b]))
        except OSError:
            break
        if c._fill(time.monotonic() + 0.5) or c.eof:
            break
    took = c.closed_within(grace + 6 - (time.monotonic() - t0))
    h.check(took is not None, "a slow identification line kept the connection for over %ds" % (grace + 6))
    total = time.monotonic() - t0
    h.check(total <= grace + 5, "closed only after %.1fs (grace %ds)" % (total, grace))
    c.close()
    ctx.echo_roundtrip(srv, 1024)


def bad_identification(ctx):
    srv = ctx.server()
    cases = [
        ("overlong line", b"SSH-2.0-" + b"x" * 300 + b"\r\n"),
        ("no newline within 255 bytes", b"SSH-2.0-" + b"y" * 400),
        ("HTTP request", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("SSH-1.5", b"SSH-1.5-old\r\n"),
        ("NUL in line", b"SSH-2.0-a\0b\r\n"),
        ("control characters", b"SSH-2.0-\x1b[2J\r\n"),
    ]
    for what, data in cases:
        c = Raw(srv.port)
        h.check(accepted(c), "%s: not accepted" % what)
        c.send(data)
        took = c.closed_within(5)
        h.check(took is not None, "%s: the server kept the connection" % what)
        c.close()
    ctx.echo_roundtrip(srv, 1024)


def oversized_packets(ctx):
    srv = ctx.server()
    # packet_length far above the maximum: refused before any wait
    c = handshake(srv)
    c.send(struct.pack(">IB", 0x7FFFFFF8, 4) + bytes(11))
    expect_disconnect(c, PROTOCOL_ERROR, "packet_length 2^31")
    # just above the default maximum (262144)
    c = handshake(srv)
    c.send(struct.pack(">IB", 262144 + 8, 4))
    expect_disconnect(c, PROTOCOL_ERROR, "packet_length above the maximum")
    # misaligned and short padding
    c = handshake(srv)
    c.send(struct.pack(">IB", 13, 4) + bytes([MSG_IGNORE]) + bytes(11))
    expect_disconnect(c, PROTOCOL_ERROR, "length not a multiple of 8")
    c = handshake(srv)
    c.send(packet(bytes([MSG_IGNORE]) + bytes(8), padlen=2))
    expect_disconnect(c, PROTOCOL_ERROR, "padding below 4 bytes")
    # a name-list above 4096 bytes
    c = handshake(srv)
    big = ",".join("x%04d" % i for i in range(1000)) + ",curve25519-sha256"
    c.send(packet(kexinit(big)))
    expect_disconnect(c, PROTOCOL_ERROR, "kex name-list of %d bytes" % len(big))
    # exactly at the limit, no common algorithm: key exchange failed
    c = handshake(srv)
    names = ",".join("y" * 63 for _ in range(64))[:4096]
    c.send(packet(kexinit(names)))
    expect_disconnect(c, KEY_EXCHANGE_FAILED, "4096-byte name-list without a common method")
    # at the limit with the common method last: accepted (no DISCONNECT)
    c = handshake(srv)
    tail = ",curve25519-sha256"
    names = (",".join("z" * 63 for _ in range(70)))[:4096 - len(tail)].rstrip(",") + tail
    c.send(packet(kexinit(names)))
    h.check(c.packet(1.0) is None and not c.eof, "a 4096-byte name-list with a common method was refused")
    c.close()
    ctx.echo_roundtrip(srv, 1024)


def kex_order(ctx):
    srv = ctx.server()
    # a second KEXINIT while the first exchange waits for ECDH_INIT
    c = handshake(srv)
    c.send(packet(kexinit()) + packet(kexinit()))
    expect_disconnect(c, PROTOCOL_ERROR, "second KEXINIT")
    # strict kex: KEXINIT must be the first packet (an IGNORE came first)
    c = handshake(srv)
    c.send(packet(bytes([MSG_IGNORE]) + sshstr("x")) + packet(kexinit(strict=True)))
    expect_disconnect(c, PROTOCOL_ERROR, "strict KEXINIT after IGNORE")
    # strict kex: nothing but kex messages until NEWKEYS
    c = handshake(srv)
    c.send(packet(kexinit(strict=True)) + packet(bytes([MSG_IGNORE]) + sshstr("x")))
    expect_disconnect(c, PROTOCOL_ERROR, "IGNORE during strict first kex")
    # without strict kex the same IGNORE is fine
    c = handshake(srv)
    c.send(packet(kexinit()) + packet(bytes([MSG_IGNORE]) + sshstr("x")))
    h.check(c.packet(1.0) is None and not c.eof, "IGNORE refused during a non-strict first kex")
    c.close()
    # later-layer messages before any keys
    for what, payload in (("SERVICE_REQUEST", bytes([MSG_SERVICE_REQUEST]) + sshstr("ssh-userauth")),
                          ("USERAUTH_REQUEST", bytes([MSG_USERAUTH_REQUEST]) + sshstr("peer1") +
                           sshstr("ssh-connection") + sshstr("none")),
                          ("CHANNEL_OPEN", bytes([MSG_CHANNEL_OPEN]) + sshstr("session") + bytes(12))):
        c = handshake(srv)
        c.send(packet(payload))
        expect_disconnect(c, PROTOCOL_ERROR, what + " before key exchange")
    # an unknown message number: UNIMPLEMENTED with its sequence number
    c = handshake(srv)
    c.send(packet(bytes([MSG_IGNORE])) + packet(bytes([200, 1, 2, 3])))
    body = c.until(MSG_UNIMPLEMENTED, 5)
    h.check(body is not None, "no UNIMPLEMENTED for message 200")
    h.check(struct.unpack(">I", body[:4])[0] == 1, "UNIMPLEMENTED names sequence number %r, expected 1" % body[:4])
    c.close()
    ctx.echo_roundtrip(srv, 1024)


def packet_floods(ctx):
    srv = ctx.server()
    # more packets than allowed before authentication
    c = handshake(srv)
    ign = packet(bytes([MSG_IGNORE]) + sshstr(""))
    c.send(ign * (MAX_PREAUTH_PACKETS + 10))
    expect_disconnect(c, PROTOCOL_ERROR, "%d IGNOREs before authentication" % (MAX_PREAUTH_PACKETS + 10))
    # a DISCONNECT storm: the first one ends it, quietly
    c = handshake(srv)
    bye = packet(bytes([MSG_DISCONNECT]) + struct.pack(">I", 11) + sshstr("\xff bye \x00\x1b") + sshstr(""))
    try:
        c.send(bye * 5000)
    except OSError:
        pass
    took = c.closed_within(5)
    h.check(took is not None, "the server kept the connection after a DISCONNECT storm")
    rest = []
    while True:   # what the server sent after its KEXINIT, already read
        p = c.packet(0.1)
        if p is None:
            break
        rest.append(p[0])
    h.check(MSG_DISCONNECT not in rest, "answered a DISCONNECT with one")
    c.close()
    # unknown messages from a peer that never reads: every one is answered
    # with UNIMPLEMENTED into a closed window until the packet cap ends it
    c = Raw(srv.port, rcvbuf=4096)
    c.send(CLIENT_ID)
    junk = packet(bytes([200]))
    try:
        c.send(junk * (MAX_PREAUTH_PACKETS + 10))
    except OSError:
        pass
    took = c.closed_within(10)
    h.check(took is not None, "a peer that does not read held the connection for over 10s")
    c.close()
    ctx.echo_roundtrip(srv, 1024)


if __name__ == "__main__":
    h.run([("per_source_caps", per_source_caps),
           ("total_cap", total_cap),
           ("slow_identification", slow_identification),
           ("bad_identification", bad_identification),
           ("oversized_packets", oversized_packets),
           ("kex_order", kex_order),
           ("packet_floods", packet_floods)])
