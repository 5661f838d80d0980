#!/usr/bin/python3
"""The post-quantum hybrid key exchanges of `hostsd serve`:
sntrup761x25519-sha512 (and its @openssh.com name) with Debian 12's own
OpenSSH 9.2 client, and mlkem768x25519-sha256, which no client on Debian 12
offers, with the engine's test client on a socket (build/pq_client).

Covered: OpenSSH's default client configuration negotiates sntrup761
(ssh -v says so); ssh with only sntrup761x25519-sha512@openssh.com moves
BULK_BYTES through the echo subsystem unchanged, with rekeys on the way;
pq_client agrees mlkem768x25519-sha256 and sntrup761x25519-sha512, logs in,
rekeys and round-trips data; a client offering only the hybrids is refused
by a server whose profile has none (angelos).

The program is HS_BUILD_DIR/hostsd (HS_HOSTSD overrides the path).
"""
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from hostsd_server import HOSTSD, HOST, Hostsd  # noqa: E402

PQ_CLIENT = os.path.join(h.BUILD_DIR, "pq_client")
SNTRUP_OPENSSH = "sntrup761x25519-sha512@openssh.com"


def serve(ctx, *config):
    srv = Hostsd(ctx, config=["subsystem echo=cat"] + list(config))
    srv.add(HOST, ctx.key, subsystems="*")
    return srv.start()


def openssh_default(ctx):
    """OpenSSH 9.2 with its own defaults picks sntrup761 (it offers it first)."""
    srv = serve(ctx)
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"pq\n", flags=("-v",))
    h.check(r.rc == 0 and r.out == b"pq\n", "the default ssh failed: " + r.describe())
    m = re.search(rb"kex: algorithm: (\S+)", r.err)
    h.check(m and m.group(1) in (b"sntrup761x25519-sha512", SNTRUP_OPENSSH.encode()),
            "ssh negotiated %r" % (m.group(1) if m else None))


def openssh_sntrup_bulk(ctx):
    """Only sntrup761: BULK_BYTES round-trip, rekeying every 8 MiB."""
    srv = serve(ctx)
    opts = ["KexAlgorithms=" + SNTRUP_OPENSSH, "RekeyLimit=8M"]
    src, dst = ctx.path("bulk.in"), ctx.path("bulk.out")
    want = h.random_file(src, h.BULK_BYTES)
    r = ctx.ssh(srv, ["-s", "echo"], stdin=src, stdout=dst, opts=opts, flags=("-v",))
    h.check(r.rc == 0, "sntrup761 bulk transfer failed: " + r.describe())
    h.check(h.sha256_file(dst) == want, "the echo came back changed")
    rekeys = r.err.count(b"kex: algorithm: " + SNTRUP_OPENSSH.encode())
    h.check(rekeys >= 2, "%d key exchanges in %d MiB (RekeyLimit 8M)" % (rekeys, h.BULK_BYTES // h.MIB))
    ctx.log("sntrup761: %d key exchanges, %d MiB in %.2fs" % (rekeys, h.BULK_BYTES // h.MIB, r.elapsed))


def pq_client(ctx, srv, kex, data):
    h.check(os.access(PQ_CLIENT, os.X_OK), "no test client at %s (build first)" % PQ_CLIENT)
    r = subprocess.run([PQ_CLIENT, "127.0.0.1", str(srv.port), kex, HOST, ctx.key, "echo"], input=data,
                       capture_output=True, timeout=h.SSH_TIMEOUT)
    return r


def test_client_hybrids(ctx):
    """pq_client: each hybrid, a login, a rekey and an echo."""
    srv = serve(ctx)
    data = os.urandom(300 * 1024)
    for kex in ("mlkem768x25519-sha256", "sntrup761x25519-sha512", SNTRUP_OPENSSH):
        r = pq_client(ctx, srv, kex, data)
        err = r.stderr.decode(errors="replace")
        h.check(r.returncode == 0 and ("kex: %s\n" % kex) in err and "rekeyed" in err,
                "pq_client %s: rc %d: %s" % (kex, r.returncode, err[-1000:]))
        h.check(r.stdout == data, "pq_client %s: the echo came back changed (%d bytes)" % (kex, len(r.stdout)))
    srv.wait_log(r"auth accepted peer=127\.0\.0\.1:\d+ host=%s " % HOST)


def profile_without_hybrids(ctx):
    """The angelos profile offers no hybrid: a client with only them is refused."""
    srv = serve(ctx, "profile angelos")
    r = pq_client(ctx, srv, "mlkem768x25519-sha256", b"x")
    h.check(r.returncode != 0, "a hybrid was agreed under profile angelos")
    srv.wait_log(r'reason="no common key exchange algorithm"')


if __name__ == "__main__":
    if not os.access(HOSTSD, os.X_OK):
        h.log("no hostsd program at %s (build first, or set HS_BUILD_DIR / HS_HOSTSD)" % HOSTSD)
        sys.exit(1)
    h.run([
        ("openssh_default", openssh_default),
        ("openssh_sntrup_bulk", openssh_sntrup_bulk),
        ("test_client_hybrids", test_client_hybrids),
        ("profile_without_hybrids", profile_without_hybrids),
    ], under_test="hostsd serve")
