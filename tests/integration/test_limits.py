#!/usr/bin/python3
"""Limits a user can see: a connection that never authenticates is closed
after --login-grace-time, --max-auth-tries ends a client that offers too
many wrong keys (even when the right one comes later), --max-channels caps
the sessions on one connection, --banner is shown before authentication,
and with --max-dh-computations 1 a burst of diffie-hellman-group18 logins
all get through, beside a curve25519 one."""
import os
import re
import socket
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import test_refusals as tr  # noqa: E402  (its ControlMaster helper)

GRACE = 2
GRACE_MARGIN = 5   # scheduling slack (sanitizer builds are slow)


def login_grace(ctx):
    srv = ctx.server(login_grace_time=GRACE)
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    t0 = time.monotonic()
    try:
        s.sendall(b"SSH-2.0-OpenSSH_9.2 hs-test-idler\r\n")
        s.settimeout(0.5)
        got = b""
        closed_after = None
        deadline = t0 + GRACE + GRACE_MARGIN + 5
        while time.monotonic() < deadline:   # bounded: read until the server hangs up
            try:
                b = s.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                b = b""
            if not b:
                closed_after = time.monotonic() - t0
                break
            got += b
    finally:
        s.close()
    h.check(got.startswith(b"SSH-2.0-"), "the server sent no identification line: %r" % got[:60])
    h.check(closed_after is not None, "the connection was still open after %ds" % (GRACE + GRACE_MARGIN + 5))
    h.check(closed_after <= GRACE + GRACE_MARGIN,
            "closed only after %.1fs (grace %ds)" % (closed_after, GRACE))
    h.check(closed_after >= GRACE - 0.5,
            "closed after %.1fs, before the grace time of %ds: not the grace timer" % (closed_after, GRACE))
    ctx.log("idle connection closed after %.2fs" % closed_after)
    ctx.echo_roundtrip(srv, 1024)


def max_auth_tries(ctx):
    srv = ctx.server(max_auth_tries=2)
    wrong = [ctx.new_key("wrong%d_ed25519" % i) for i in range(3)]
    # Three wrong keys, then the right one: the limit must end it first.
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x", keys=wrong + [ctx.key])
    h.check(r.rc == 255, "expected exit 255, got %s: %s" % (r.rc, r.describe()))
    h.check(re.search(r"too many authentication failures|Permission denied", r.text, re.I),
            "no refusal message: " + r.describe())
    h.check(r.out == b"", "a session ran: %r" % r.out[:80])
    # The client's own log shows how far it got: never to the 4th key.
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x", keys=wrong + [ctx.key], flags=["-v"])
    offered = r.text.count("Offering public key")
    h.check(r.rc == 255 and offered <= 3,
            "the client got to offer %d keys (the right one was 4th): %s" % (offered, r.describe()))
    ctx.echo_roundtrip(srv, 1024)   # one right key alone still logs in


def max_channels(ctx):
    srv = ctx.server(max_channels=2)
    m = tr.Master(ctx, srv)
    # Two long sessions hold both channels (stdin pipes kept open) ...
    holders = [m.bg(["-s", "echo"], stdin_pipe=True, stdout_path=ctx.path("hold%d.out" % i),
                    stderr_path=ctx.path("hold%d.err" % i)) for i in range(2)]
    for i, p in enumerate(holders):
        p.stdin.write(b"hold\n")
        p.stdin.flush()
        h.check(h.wait_for(lambda: os.path.exists(ctx.path("hold%d.out" % i)) and
                           os.path.getsize(ctx.path("hold%d.out" % i)) == 5, 20),
                "holder session %d did not start" % i)
    # ... so a third is refused,
    r = m.ssh(["-s", "echo"], stdin=b"third", timeout=30)
    h.check(r.rc != 0 and r.out == b"", "a third session ran with --max-channels 2: " + r.describe())
    h.check("refused" in r.text or "failed" in r.text, "no refusal reported: " + r.describe())
    # and once one ends, there is room again.
    holders[0].stdin.close()
    h.check(holders[0].wait(timeout=20) == 0, "holder session 0 did not end cleanly")
    r = m.ssh(["-s", "echo"], stdin=b"fourth", timeout=30)
    h.check(r.rc == 0 and r.out == b"fourth", "no session after one ended: " + r.describe())
    holders[1].stdin.close()
    holders[1].wait(timeout=20)
    m.close()


BANNER = "hs-test banner: authorized use only 7d41"


def banner(ctx):
    srv = ctx.server(banner=BANNER)
    r = ctx.echo_roundtrip(srv, 1024)
    h.check(BANNER in r.text, "banner not shown on login: " + r.describe())
    # Shown before authentication: a client that fails to log in sees it too.
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x", key=ctx.new_key("other_ed25519"))
    h.check(r.rc == 255, "the wrong key logged in: " + r.describe())
    h.check(BANNER in r.text, "banner not shown before a refused login: " + r.describe())
    h.check(r.text.index(BANNER) < r.text.index("Permission denied"),
            "the banner came after the refusal")


DH_CLIENTS = 3 if h.QUICK else 6


def dh_burst(ctx):
    """Parallel group18 logins queue for the one DH slot; each still
    round-trips its bytes, and a curve25519 login meanwhile is not held."""
    srv = ctx.server(max_dh_computations=1)
    procs = []
    for i in range(DH_CLIENTS):
        src, dst = ctx.path("dh%d.in" % i), ctx.path("dh%d.out" % i)
        want = h.random_file(src, 64 * 1024)
        p = ctx.ssh_bg(srv, ["-s", "echo"], stdin_path=src, stdout_path=dst,
                       opts=["KexAlgorithms=diffie-hellman-group18-sha512"])
        procs.append((p, dst, want))
    ctx.echo_roundtrip(srv, 64 * 1024, opts=["KexAlgorithms=curve25519-sha256"], name="curve")
    for p, dst, want in procs:
        try:
            rc = p.wait(timeout=h.SSH_TIMEOUT)
        except Exception:
            raise h.TestFailure("a group18 login did not finish within %ds" % h.SSH_TIMEOUT)
        with open(p.stderr_path, errors="replace") as f:
            err = f.read()
        h.check(rc == 0, "group18 login failed (rc %s): %s" % (rc, err[-2000:]))
        h.check(h.sha256_file(dst) == want, "group18 echo returned different bytes")


if __name__ == "__main__":
    h.run([("login_grace", login_grace),
           ("max_auth_tries", max_auth_tries),
           ("max_channels", max_channels),
           ("banner", banner),
           ("dh_burst", dh_burst)])
