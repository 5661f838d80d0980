#!/usr/bin/python3
"""Bulk data: 64 MiB (8 MiB with HS_TEST_QUICK=1) of random bytes through an
echo session come back identical, for each cipher, with the client
rekeying every MiB, and with the server rekeying every MiB."""
import os
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

# Enough time for the slowest configuration (sanitizers) on 2 cores.
BULK_TIMEOUT = 300


def transfer(ctx, srv, opts, flags=()):
    src, dst = ctx.path("bulk.in"), ctx.path("bulk.out")
    want = h.random_file(src, h.BULK_BYTES)
    r = ctx.ssh(srv, ["-s", "echo"], stdin=src, stdout=dst, opts=opts, flags=flags,
                timeout=BULK_TIMEOUT)
    h.check(r.rc == 0, "bulk echo failed: " + r.describe())
    got_size = os.path.getsize(dst)
    h.check(got_size == h.BULK_BYTES, "sent %d bytes, got %d back" % (h.BULK_BYTES, got_size))
    h.check(h.sha256_file(dst) == want, "bytes came back changed (sha256 differs)")
    ctx.log("%d MiB in %.2fs" % (h.BULK_BYTES // h.MIB, r.elapsed))
    return r


def plain(cipher):
    def case(ctx):
        transfer(ctx, ctx.server(), ["Ciphers=" + cipher])
    return case


def rekeys(r):
    """Key exchanges after the first, as the client's debug log shows them."""
    return r.text.count("SSH2_MSG_NEWKEYS received") - 1


# A MiB limit over the whole transfer: each direction alone passes it
# BULK_BYTES / MiB times; ask for a quarter of that to allow for slack.
MIN_REKEYS = h.BULK_BYTES // h.MIB // 4


def client_rekey(cipher):
    def case(ctx):
        r = transfer(ctx, ctx.server(), ["Ciphers=" + cipher, "RekeyLimit=1M"], flags=["-v"])
        h.check(rekeys(r) >= MIN_REKEYS, "only %d rekeys seen" % rekeys(r))
    return case


def server_rekey(cipher):
    def case(ctx):
        srv = ctx.server(rekey_bytes=1048576)
        # The client keeps its default limits (GiBs): every rekey here was
        # started by the server.
        r = transfer(ctx, srv, ["Ciphers=" + cipher], flags=["-v"])
        h.check(rekeys(r) >= MIN_REKEYS, "only %d server-initiated rekeys seen" % rekeys(r))
        h.check(srv.running(), "server died during server-initiated rekeys")
    return case


def compressed(ctx):
    """-C: zlib@openssh.com, started after authentication, restarted at each
    rekey in both directions."""
    r = transfer(ctx, ctx.server(rekey_bytes=4 * 1048576), ["Compression=yes", "RekeyLimit=1M"], flags=["-v"])
    h.check("compression: zlib@openssh.com" in r.text or "zlib@openssh.com" in r.text,
            "compression was not negotiated:\n" + r.describe())
    h.check(rekeys(r) >= MIN_REKEYS, "only %d rekeys seen" % rekeys(r))


def dh_rekeys(ctx):
    """Rekeys from both sides with a finite-field exchange, whose
    computation runs off the server's loop while data is in flight."""
    srv = ctx.server(rekey_bytes=1048576)
    r = transfer(ctx, srv, ["KexAlgorithms=diffie-hellman-group14-sha256", "RekeyLimit=1M"], flags=["-v"])
    h.check("kex: algorithm: diffie-hellman-group14-sha256" in r.text,
            "group14 was not negotiated:\n" + r.describe())
    h.check(rekeys(r) >= MIN_REKEYS, "only %d rekeys seen" % rekeys(r))


if __name__ == "__main__":
    cases = [("bulk_compressed_with_rekeys", compressed), ("bulk_dh_rekeys", dh_rekeys)]
    for c in h.CIPHERS:
        short = c.split("@")[0]
        cases += [("bulk_" + short, plain(c)),
                  ("bulk_client_rekey_" + short, client_rekey(c)),
                  ("bulk_server_rekey_" + short, server_rekey(c))]
    h.run(cases)
