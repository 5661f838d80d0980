#!/usr/bin/python3
"""Logging in: the right key gets an echo session with each cipher, the
client records the server's real host key, and a wrong key or an unknown
user is refused the way OpenSSH users know ("Permission denied (publickey)",
exit 255)."""
import os
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


def login_with(cipher):
    def case(ctx):
        srv = ctx.server()
        r = ctx.echo_roundtrip(srv, 256 * 1024, opts=["Ciphers=" + cipher])
        # ssh -v is not needed: a wrong cipher would have failed negotiation
        h.check(r.rc == 0, r.describe())
    return case


KEX = ["curve25519-sha256", "curve25519-sha256@libssh.org", "diffie-hellman-group18-sha512",
       "diffie-hellman-group16-sha512", "diffie-hellman-group14-sha256"]


def login_with_kex(kex):
    def case(ctx):
        srv = ctx.server()
        r = ctx.echo_roundtrip(srv, 64 * 1024, opts=["KexAlgorithms=" + kex])
        h.check(r.rc == 0, r.describe())
    return case


def known_host_is_server_key(ctx):
    srv = ctx.server()
    ctx.echo_roundtrip(srv, 1024)
    with open(ctx.known_hosts) as f:
        entries = [ln.split() for ln in f if ln.strip() and not ln.startswith("#")]
    h.check(len(entries) == 1, "expected one known_hosts entry, got %r" % entries)
    hostpat, ktype, blob = entries[0][:3]
    h.check(hostpat == "[127.0.0.1]:%d" % srv.port, "known_hosts names %r" % hostpat)
    h.check("%s %s" % (ktype, blob) == srv.host_pubkey(),
            "recorded host key %s %s... is not the server's %s" % (ktype, blob[:20], srv.host_pubkey()[:40]))
    # A second login checks the key against the record (strictly this time).
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"again", opts=["StrictHostKeyChecking=yes"])
    h.check(r.rc == 0 and r.out == b"again", "second login with a known host key failed: " + r.describe())


def refused(r, what):
    h.check(r.rc == 255, "%s: expected exit 255, got %s\n%s" % (what, r.rc, r.describe()))
    h.check("Permission denied (publickey)" in r.text,
            "%s: no 'Permission denied (publickey)'\n%s" % (what, r.describe()))
    h.check(r.out == b"", "%s: got session output %r" % (what, r.out[:100]))


def wrong_key_refused(ctx):
    srv = ctx.server()
    other = ctx.new_key("other_ed25519")
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x", key=other)
    refused(r, "wrong key")
    ctx.echo_roundtrip(srv, 1024)   # and the right key still works


def unknown_user_refused(ctx):
    srv = ctx.server()
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x", user="nosuchuser")
    refused(r, "unknown user")
    ctx.echo_roundtrip(srv, 1024)


if __name__ == "__main__":
    cases = [("login_echo_" + c.split("@")[0], login_with(c)) for c in h.CIPHERS]
    cases += [("login_kex_" + k.replace("@", "_at_"), login_with_kex(k)) for k in KEX]
    cases += [("known_host_is_server_key", known_host_is_server_key),
              ("wrong_key_refused", wrong_key_refused),
              ("unknown_user_refused", unknown_user_refused)]
    h.run(cases)
