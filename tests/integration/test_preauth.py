#!/usr/bin/python3
"""Before authentication, against `hostsd serve` with the real OpenSSH
client, and what the operator reads in the log:

- the dual-stack flood: 16 idle connections from 127.0.0.2 to a [::]
  listener (IPv4 peers arrive as ::ffff:127.0.0.2) fill only 127.0.0.2's
  share; a login from 127.0.0.1 succeeds, and a 17th from 127.0.0.2 is
  refused and summed up in the log;
- penalties with the default settings: repeated failed logins from
  127.0.0.3 get it refused before any byte and logged ("source penalised",
  "refused connections"), while 127.0.0.1 logs in; an exempt address is
  never refused;
- random early drop (max_startups START:RATE:FULL);
- liveness: TCP keepalive on accepted sockets by default, and
  idle_timeout closing an authenticated connection without channel data.

The program is HS_BUILD_DIR/hostsd (HS_HOSTSD overrides the path)."""
import os
import re
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from hostsd_server import HOST, Hostsd  # noqa: E402

PER_SOURCE = h.c_constant("include/hostsd/limits.h", "HS_MAX_UNAUTH_PER_SOURCE_DEFAULT")
AUTHFAIL = h.c_constant("include/hostsd/limits.h", "HS_PENALTY_AUTHFAIL_DEFAULT")
PENALTY_MIN = h.c_constant("include/hostsd/limits.h", "HS_PENALTY_MIN_DEFAULT")
TCP_KEEPALIVE = h.c_constant("include/hostsd/limits.h", "HS_TCP_KEEPALIVE_DEFAULT")
SUMMARY_WAIT = 15.0   # the summary interval (10 s) and slack


def serve(ctx, *config, listen=("127.0.0.1:0",)):
    srv = Hostsd(ctx, config=list(config))
    srv.add(HOST, ctx.key, subsystems="*")
    return srv.start("--subsystem", "echo=cat", listen=listen)


def idle_connection(port, src):
    """A TCP connection from src that sends its identification and then
    nothing; None if the server closed it at once (refused)."""
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    try:
        s.sendall(b"SSH-2.0-OpenSSH_9.2 hs-idler\r\n")
        got = s.recv(64)
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        got = b""
    if not got.startswith(b"SSH-2.0-"):
        s.close()
        return None
    return s


def dual_stack_flood(ctx):
    srv = serve(ctx, listen=("[::]:0",))
    idle = []
    try:
        for i in range(PER_SOURCE):
            s = idle_connection(srv.port, "127.0.0.2")
            h.check(s is not None, "idle connection %d from 127.0.0.2 refused (its share is %d)" % (i + 1, PER_SOURCE))
            idle.append(s)
        mark = srv.log_mark()
        extra = idle_connection(srv.port, "127.0.0.2")
        h.check(extra is None, "a %dth connection from 127.0.0.2 was accepted" % (PER_SOURCE + 1))
        # 127.0.0.2 has used its share, and only its own
        ctx.echo_roundtrip(srv, 4096)
        srv.wait_log(r"^<6>auth accepted peer=127\.0\.0\.1:\d+ host=%s " % HOST, what="auth accepted from 127.0.0.1")
        srv.wait_log(r"^<5>refused connections: 1 \(max_unauthenticated_per_source 1\) from 1 source; "
                     r"top 127\.0\.0\.2 \(1\)$", timeout=SUMMARY_WAIT, since=mark, what="refusal summary")
    finally:
        for s in idle:
            s.close()
    # IPv4 peers of the [::] listener are logged as IPv4
    text = srv.log_since_start()
    h.check(re.search(r"^<6>connection from 127\.0\.0\.2:\d+$", text, re.M), "no 'connection from 127.0.0.2' line")
    h.check("::ffff:" not in text, "an IPv4 peer was logged as an IPv4-mapped IPv6 address")


def failed_login(ctx, srv, src, key):
    """One login with a key the server does not trust, from src: 'denied'
    or 'refused' (closed before any byte: no identification line)."""
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x", key=key, flags=["-b", src], timeout=60)
    h.check(r.rc == 255 and r.out == b"", "a login with an untrusted key from %s: %s" % (src, r.describe()))
    if "Permission denied" in r.text:
        return "denied"
    h.check(re.search(r"Connection (closed|reset) by|kex_exchange_identification", r.text),
            "neither denied nor refused: " + r.describe())
    return "refused"


def penalties(ctx):
    srv = serve(ctx, "penalty_exempt 127.0.0.4")
    wrong = ctx.new_key("wrong_ed25519")
    mark = srv.log_mark()
    # 4 s a failure, refused above 30 s outstanding (the defaults): not
    # before the 8th failure, soon after (the penalty runs out meanwhile)
    free = PENALTY_MIN // AUTHFAIL
    outcome = []
    for _ in range(40):
        outcome.append(failed_login(ctx, srv, "127.0.0.3", wrong))
        if outcome[-1] == "refused":
            break
    ctx.log("127.0.0.3: %s" % outcome)
    h.check(outcome[-1] == "refused", "127.0.0.3 was never refused after %d failed logins" % len(outcome))
    denied = outcome.count("denied")
    h.check(denied > free, "127.0.0.3 was refused after only %d failed logins" % denied)
    m = srv.wait_log(r'^<5>source penalised source=127\.0\.0\.3 seconds=(\d+) reason="failed authentication"$',
                     since=mark, what="source penalised")
    h.check(PENALTY_MIN < int(m.group(1)) <= PENALTY_MIN + 2 * AUTHFAIL, "penalised for %s s" % m.group(1))
    srv.wait_log(r"^<5>refused connections: \d+ \(penalty \d+\) from 1 source; top 127\.0\.0\.3 \(\d+\)$",
                 timeout=SUMMARY_WAIT, since=mark, what="refusal summary")
    # still refused, and refused without a word from the server
    s = idle_connection(srv.port, "127.0.0.3")
    h.check(s is None, "127.0.0.3 got an identification line while penalised")
    # others log in meanwhile
    ctx.echo_roundtrip(srv, 4096)
    # an exempt address may fail as often as it likes
    for i in range(denied + 3):
        h.check(failed_login(ctx, srv, "127.0.0.4", wrong) == "denied",
                "the exempt 127.0.0.4 was refused after %d failed logins" % i)
    h.check("source=127.0.0.4" not in srv.log_since_start(), "the exempt 127.0.0.4 was penalised")


def early_drop(ctx):
    """max_startups 2:100:10: from 2 unauthenticated connections on every
    new one is dropped (rate 100%), and that is logged; once they are gone
    everyone gets in again."""
    srv = serve(ctx, "max_startups 2:100:10", "max_unauthenticated_per_source 4")
    mark = srv.log_mark()
    idle = [idle_connection(srv.port, "127.0.0.5"), idle_connection(srv.port, "127.0.0.6")]
    try:
        h.check(all(s is not None for s in idle), "the first two connections were refused")
        h.check(idle_connection(srv.port, "127.0.0.7") is None, "a third connection was not dropped")
        srv.wait_log(r"^<5>refused connections: 1 \(early drop 1\) from 1 source; top 127\.0\.0\.7 \(1\)$",
                     timeout=SUMMARY_WAIT, since=mark, what="early drop summary")
    finally:
        for s in idle:
            if s is not None:
                s.close()
    for src in ("5", "6"):
        srv.wait_log(r"disconnect peer=127\.0\.0\.%s:\d+ " % src,
                     what="the end of the idle connection from 127.0.0." + src)
    ctx.echo_roundtrip(srv, 4096)


def keepalive_timer_on(port):
    """Does the server's end of an established connection on port run the
    keepalive timer (/proc/net/tcp: local port, state 01, timer 2)?"""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].split(":")[1], 16)
            state, timer = fields[3], fields[5].split(":")[0]
            if local_port == port and state == "01" and timer == "02":
                return True
    return False


def liveness(ctx):
    """TCP keepalive is on by default; idle_timeout closes a session with
    no data either way, and says why."""
    srv = serve(ctx, "idle_timeout 2")
    s = idle_connection(srv.port, "127.0.0.1")
    h.check(s is not None, "refused")
    ok = h.wait_for(lambda: keepalive_timer_on(srv.port), 5)
    s.close()
    h.check(ok, "no keepalive timer on the server's end of a connection (tcp_keepalive %d)" % TCP_KEEPALIVE)
    # a session that says nothing is closed at the idle timeout
    p = ctx.ssh_bg(srv, ["-s", "echo"], stdin_pipe=True, stdout_path=ctx.path("idle.out"),
                   stderr_path=ctx.path("idle.err"))
    t0 = time.monotonic()
    p.stdin.write(b"hello\n")
    p.stdin.flush()
    h.check(h.wait_for(lambda: os.path.getsize(ctx.path("idle.out")) == 6, 20), "the session did not start")
    try:
        rc = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        raise h.TestFailure("the idle session was still open after 20 s (idle_timeout 2)")
    took = time.monotonic() - t0
    h.check(rc == 255 and took >= 1.5, "the idle session ended with %s after %.1f s" % (rc, took))
    srv.wait_log(r'^<6>disconnect peer=127\.0\.0\.1:\d+ host=%s authenticated=yes reason="idle timeout"$' % HOST,
                 what="disconnect for the idle timeout")
    # one with data flowing stays past it
    p = ctx.ssh_bg(srv, ["-s", "echo"], stdin_pipe=True, stdout_path=ctx.path("busy.out"),
                   stderr_path=ctx.path("busy.err"))
    for _ in range(8):
        p.stdin.write(b"ping\n")
        p.stdin.flush()
        time.sleep(0.5)
        h.check(p.poll() is None, "a session with data flowing was closed")
    p.stdin.close()
    h.check(p.wait(timeout=20) == 0, "the busy session failed")
    with open(ctx.path("busy.out"), "rb") as f:
        h.check(f.read() == b"ping\n" * 8, "the busy session lost data")


if __name__ == "__main__":
    h.run([("dual_stack_flood", dual_stack_flood),
           ("penalties", penalties),
           ("early_drop", early_drop),
           ("liveness", liveness)], under_test="hostsd serve")
