#!/usr/bin/python3
"""`hostsd serve` end to end: real OpenSSH clients against the hosts server
on 127.0.0.1, with a real state directory made by `hostsd init` and a real
trust registry changed by `hostsd trust` (while the server runs, too).

Covered: a bulk round trip through a granted subsystem (sha256 equal) and
the child's environment; refused logins (unknown host, wrong key, revoked
host, revoked key, expired key) with their logged reasons; registry changes
honoured at the next login without a restart, and a revoked host's (key's)
open connection closed within seconds; every other kind of session request
refused; the child's exit status, exit signal and stderr reaching the
client; bounded server memory with a slow reader on either side; SIGHUP
(new subsystem, new limits, a broken file kept out); SIGTERM (open sessions
finish, new connections refused; shutdown_timeout); a pre-auth flood from
127.0.0.2 that never keeps 127.0.0.1 out; start-up errors (port in use, bad
options, host key mode, missing state directory), IPv6 and --pidfile.

The program is HS_BUILD_DIR/hostsd (HS_HOSTSD overrides the path).
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import test_refusals as tr  # noqa: E402  (its ControlMaster helper and refusal cases)
from hostsd_server import ASAN, HOSTSD, HOST, Hostsd, fingerprint  # noqa: E402

REVOKE_DEADLINE = 5.0      # seconds from `trust revoke` to the connection's end
MIB = h.MIB
# Growth of the server's resident memory allowed while a slow reader holds
# a transfer back: far below the bytes moved, well above what the design
# buffers (one channel window, one stdin queue, one output chunk).
RSS_GROWTH_LIMIT_KB = (28 if ASAN else 16) * 1024
# Always well above the limit, also in quick runs, or the check proves nothing.
MEM_BYTES = 64 * MIB


def serve(ctx, *args, hosts=((HOST, "*"),), **kw):
    """A state directory whose hosts (host, subsystems; trust add grants
    nothing unless told) trust the context's key (one host per key: the
    first gets ctx.key), and the server on it."""
    srv = Hostsd(ctx)
    for i, (host, subs) in enumerate(hosts):
        key = ctx.key if i == 0 else ctx.new_key("%s_ed25519" % host)
        srv.add(host, key, subsystems=subs)
    return srv.start(*args, **kw)


def logged_name(user):
    """A user name as the log shows it: as it is when it is a valid host id,
    else encoded as ?"..." (blanks, quotes and backslashes escaped)."""
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}", user):
        return user
    return '?"%s"' % "".join("\\x%02x" % ord(c) if c == " " or not " " <= c <= "~" else
                             "\\" + c if c in '"\\' else c for c in user)


def refused_login(ctx, srv, user, key, reason):
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x", key=key, user=user)
    h.check(r.rc == 255 and "Permission denied" in r.text and r.out == b"",
            "%s with %s was not refused: %s" % (user, os.path.basename(key), r.describe()))
    srv.wait_log(r'^<\d>auth refused peer=127\.0\.0\.1:\d+ host=%s key=%s reason="%s"$' % (
        re.escape(logged_name(user)), re.escape(fingerprint(key)), re.escape(reason)),
        what="auth refused ... " + reason)


def echo_ok(ctx, srv, size=4096, **kw):
    return ctx.echo_roundtrip(srv, size, **kw)


def long_session(ctx, srv, name, key=None, user=None):
    """An echo session held open by its stdin pipe; returns (proc, out path)
    once the first bytes came back."""
    out = ctx.path(name + ".out")
    p = ctx.ssh_bg(srv, ["-s", "echo"], stdin_pipe=True, stdout_path=out,
                   stderr_path=ctx.path(name + ".err"), key=key, user=user)
    p.stdin.write(b"hello\n")
    p.stdin.flush()
    h.check(h.wait_for(lambda: os.path.exists(out) and os.path.getsize(out) == 6, 20),
            "the long session %s did not start: %s" % (name, open(ctx.path(name + ".err")).read()))
    return p, out


def stderr_of(p):
    with open(p.stderr_path, "rb") as f:
        return f.read().decode(errors="replace")


# --- cases ------------------------------------------------------------------

def bulk_roundtrip(ctx):
    srv = serve(ctx, "--subsystem", "echo=cat", "--subsystem", "env=env")
    t0 = time.monotonic()
    echo_ok(ctx, srv, h.BULK_BYTES)
    ctx.log("%d MiB round trip in %.2fs" % (h.BULK_BYTES // MIB, time.monotonic() - t0))
    fp = fingerprint(ctx.key)
    srv.wait_log(r"^<6>session end peer=127\.0\.0\.1:\d+ host=node1 subsystem=echo bytes_in=%d bytes_out=%d "
                 r"bytes_err=0 exit=0 " % (h.BULK_BYTES, h.BULK_BYTES), what="session end with byte counts")
    # the child learns who the peer is, and nothing of the server's secrets
    r = ctx.ssh(srv, ["-s", "env"])
    h.check(r.rc == 0, "env subsystem failed: " + r.describe())
    env = dict(line.split("=", 1) for line in r.out.decode().splitlines() if "=" in line)
    h.check(env.get("HOSTSD_PEER") == HOST, "HOSTSD_PEER is %r" % env.get("HOSTSD_PEER"))
    h.check(env.get("HOSTSD_PEER_KEY") == fp, "HOSTSD_PEER_KEY is %r, not %s" % (env.get("HOSTSD_PEER_KEY"), fp))
    h.check(re.fullmatch(r"127\.0\.0\.1:\d+", env.get("HOSTSD_PEER_ADDR", "")),
            "HOSTSD_PEER_ADDR is %r" % env.get("HOSTSD_PEER_ADDR"))
    h.check(env.get("PATH"), "no PATH for the child")
    # the log: one event per line, syslog levels, every step, no secret
    srv.wait_log(r"^<6>disconnect peer=127\.0\.0\.1:\d+ host=node1 authenticated=yes ")
    text = srv.log_text()
    for pat in (r"^<6>connection from 127\.0\.0\.1:\d+$",
                r"^<6>auth accepted peer=127\.0\.0\.1:\d+ host=node1 key=%s$" % re.escape(fp),
                r"^<6>session start peer=127\.0\.0\.1:\d+ host=node1 subsystem=echo pid=\d+$"):
        h.check(re.search(pat, text, re.M), "no log line like %r" % pat)
    for line in text.splitlines():
        h.check(re.match(r"<[0-7]>", line), "a log line without a level: %r" % line)
    with open(srv.host_key) as f:
        secret_lines = [x.strip() for x in f if x.strip() and not x.startswith("-----")]
    for s in secret_lines:
        h.check(s not in text, "the host key's private part is in the log")
    # the attempt log of the registry saw the logins
    r = srv.trust("log", HOST)
    h.check(b"accepted" in r.stdout and fp.encode() in r.stdout, "trust log shows no accepted login: %r" % r.stdout[-500:])


def login_refusals(ctx):
    second = ctx.new_key("second_ed25519")
    other = ctx.new_key("other_ed25519")
    old = ctx.new_key("old_ed25519")
    srv = Hostsd(ctx)
    srv.add(HOST, ctx.key, subsystems="*")
    srv.add(HOST, second)
    n2 = ctx.new_key("node2_ed25519")
    srv.add("node2", n2)
    srv.add("node3", old, expires="2000-01-01")
    srv.start("--subsystem", "echo=cat")
    echo_ok(ctx, srv, key=second)                                # both keys of node1 work
    refused_login(ctx, srv, "stranger", other, "unknown host")   # untrusted host
    refused_login(ctx, srv, HOST, other, "key not authorized")   # wrong key
    refused_login(ctx, srv, HOST, n2, "key not authorized")      # another host's key
    refused_login(ctx, srv, "node3", old, "key expired")         # expired key
    refused_login(ctx, srv, "bad name!", other, "unknown host")  # not even a host identity
    srv.trust("revoke", "node2")
    refused_login(ctx, srv, "node2", n2, "host revoked")         # revoked host
    srv.trust("revoke", HOST, fingerprint(second))
    refused_login(ctx, srv, HOST, second, "key revoked")         # revoked key ...
    echo_ok(ctx, srv)                                            # ... the other still works
    r = srv.trust("log")
    for reason in (b"unknown host", b"key not authorized", b"key expired", b"host revoked", b"key revoked"):
        h.check(reason in r.stdout, "trust log lacks a %r refusal: %r" % (reason, r.stdout[-800:]))


def live_registry_changes(ctx):
    srv = Hostsd(ctx).start("--subsystem", "echo=cat")
    refused_login(ctx, srv, HOST, ctx.key, "unknown host")
    srv.add(HOST, ctx.key, subsystems="")                        # trusted, granted nothing
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x")
    h.check(r.rc == 255 and "subsystem request failed" in r.text and r.out == b"",
            "an ungranted subsystem ran: " + r.describe())
    srv.wait_log(r'subsystem refused peer=\S+ host=node1 subsystem=echo reason="not granted to this host"')
    srv.trust("grant", HOST, "echo")
    echo_ok(ctx, srv)
    srv.trust("deny", HOST, "echo")
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x")
    h.check(r.rc == 255 and r.out == b"", "a denied subsystem ran: " + r.describe())
    srv.trust("grant", HOST, "*")
    echo_ok(ctx, srv)

    # A revoked host's open connection ends within seconds.
    p, _ = long_session(ctx, srv, "held")
    t0 = time.monotonic()
    srv.trust("revoke", HOST)
    try:
        p.wait(timeout=REVOKE_DEADLINE + 5)
    except subprocess.TimeoutExpired:
        raise h.TestFailure("the revoked host's connection was still open after %.0fs" % (REVOKE_DEADLINE + 5))
    took = time.monotonic() - t0
    ctx.log("revoked host's connection closed after %.2fs" % took)
    h.check(took <= REVOKE_DEADLINE, "the revoked host's connection took %.1fs to close" % took)
    h.check("host revoked" in stderr_of(p), "the client was not told why: " + stderr_of(p)[-500:])
    srv.wait_log(r'closing connection peer=\S+ host=node1 reason="host revoked"')
    refused_login(ctx, srv, HOST, ctx.key, "host revoked")

    # A revoked key's connection ends too; the host's other key goes on.
    ka, kb = ctx.new_key("ka_ed25519"), ctx.new_key("kb_ed25519")
    srv.add("node2", ka, subsystems="*")
    srv.add("node2", kb)
    pa, _ = long_session(ctx, srv, "held_a", key=ka, user="node2")
    pb, outb = long_session(ctx, srv, "held_b", key=kb, user="node2")
    t0 = time.monotonic()
    srv.trust("revoke", "node2", fingerprint(ka))
    try:
        pa.wait(timeout=REVOKE_DEADLINE + 5)
    except subprocess.TimeoutExpired:
        raise h.TestFailure("the revoked key's connection was still open")
    h.check(time.monotonic() - t0 <= REVOKE_DEADLINE, "the revoked key's connection took too long to close")
    h.check("key revoked" in stderr_of(pa), "the client was not told why: " + stderr_of(pa)[-500:])
    h.check(pb.poll() is None, "the connection of the host's other key was closed too")
    pb.stdin.write(b"still here\n")
    pb.stdin.close()
    h.check(pb.wait(timeout=20) == 0, "the other key's session failed: " + stderr_of(pb))
    with open(outb, "rb") as f:
        h.check(f.read() == b"hello\nstill here\n", "the other key's session lost data")


def session_refusals(ctx):
    """Everything but a granted, configured subsystem is refused, each on a
    multiplexed connection that goes on working (test_refusals' cases)."""
    srv = serve(ctx, "--subsystem", "echo=cat", "--subsystem", "other=cat",
                hosts=((HOST, "echo,nosuch"),))
    m = tr.Master(ctx, srv)
    m.echo_ok("connecting")
    # configured but not granted, and granted but not configured
    tr.refused_both_ways(ctx, m, ["-s", "other"], "subsystem", stdin=b"x")
    tr.refused_both_ways(ctx, m, ["-s", "nosuch"], "subsystem", stdin=b"x")
    srv.wait_log(r'subsystem refused peer=\S+ host=node1 subsystem=other reason="not granted to this host"')
    srv.wait_log(r'subsystem refused peer=\S+ host=node1 subsystem=nosuch reason="not configured"')
    for fn in (tr.pty_refused, tr.shell_refused, tr.exec_refused, tr.subsystem_refused,
               tr.local_forward_refused, tr.remote_forward_refused, tr.agent_and_x11_refused):
        ctx.log("-- " + fn.__name__)
        fn(ctx, m)
    m.close()
    srv.wait_log(r'request refused peer=\S+ host=node1 request=exec reason=')
    srv.wait_log(r'request refused peer=\S+ host=node1 request=shell reason=')


def exit_status_and_stderr(ctx):
    srv = serve(ctx, "--subsystem", "fail=exit 3",
                "--subsystem", "err=echo to-stderr >&2; echo to-stdout; exit 0",
                "--subsystem", "sig=kill -TERM $$",
                "--subsystem", "both=head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2; exit 7")
    r = ctx.ssh(srv, ["-s", "fail"])
    h.check(r.rc == 3, "exit 3 of the child gave ssh exit %s: %s" % (r.rc, r.describe()))
    r = ctx.ssh(srv, ["-s", "err"])
    h.check(r.rc == 0 and r.out == b"to-stdout\n", "stdout of the child: %r %s" % (r.out, r.describe()))
    h.check("to-stderr" in r.text, "stderr of the child did not reach the client: " + r.describe())
    r = ctx.ssh(srv, ["-s", "sig"])
    h.check(r.rc != 0, "a child killed by SIGTERM gave ssh exit 0")
    srv.wait_log(r"session end peer=\S+ host=node1 subsystem=sig .* signal=TERM ")
    # every byte of both streams arrives before the exit status
    r = ctx.ssh(srv, ["-s", "both"])
    h.check(r.rc == 7 and r.out == b"\0" * 300000, "stdout lost or exit status wrong: rc %s, %d bytes" % (
        r.rc, len(r.out)))
    h.check(r.err.count(b"\0") == 200000, "stderr lost: %d bytes" % r.err.count(b"\0"))


def child_ended_with_channel(ctx):
    """A client that goes away ends its child: SIGTERM, then SIGKILL after
    the grace period for a child that ignores SIGTERM; none is left over."""
    srv = serve(ctx, "--subsystem", "sleeper=echo armed; sleep 60",
                "--subsystem", "stubborn=trap '' TERM; echo armed; sleep 60; echo late")
    for name, sig, limit in (("sleeper", "TERM", 4), ("stubborn", "KILL", 12)):
        out = ctx.path(name + ".out")
        p = ctx.ssh_bg(srv, ["-s", name], stdin_pipe=True, stdout_path=out, stderr_path=ctx.path(name + ".err"))
        srv.wait_log(r"session start peer=\S+ host=node1 subsystem=%s pid=(\d+)" % name)
        # the child has set its trap (a SIGTERM before that would end it)
        h.check(h.wait_for(lambda: os.path.exists(out) and open(out, "rb").read() == b"armed\n", 10),
                "%s did not start" % name)
        t0 = time.monotonic()
        p.kill()                                 # the connection drops
        p.wait(timeout=10)
        srv.wait_log(r"session end peer=\S+ host=node1 subsystem=%s .* signal=%s " % (name, sig), limit,
                     what="%s ended by SIG%s" % (name, sig))
        took = time.monotonic() - t0
        ctx.log("%s ended by SIG%s %.2fs after its client" % (name, sig, took))
        if sig == "KILL":
            h.check(took >= 3, "SIGKILL came %.1fs after SIGTERM: no grace period" % took)

    def left():   # the server's children but its network workers
        workers = set(srv.workers())
        return [k for k in h.children_of(srv.proc.pid) if k not in workers and h.pid_alive(k)]
    h.check(h.wait_for(lambda: not left(), 5), "child processes left behind: %s" % left())


class RssWatch:
    """Samples the server's VmRSS every 50 ms in a thread."""

    def __init__(self, srv):
        self.srv, self.peak, self.stop_flag = srv, 0, False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop_flag:
            self.peak = max(self.peak, self.srv.rss_kb())
            time.sleep(0.05)

    def stop(self):
        self.stop_flag = True
        self.t.join(5)
        return self.peak


def baseline_rss(ctx, srv):
    # warm up: one small session, so lazily made buffers exist
    echo_ok(ctx, srv, 256 * 1024)
    time.sleep(0.3)
    return srv.rss_kb()


def slow_client_reader(ctx):
    """The client reads slowly (stalls first): the server must stop reading
    the child, the child stops reading its stdin, the peer's window closes."""
    srv = serve(ctx, "--subsystem", "echo=cat")
    base = baseline_rss(ctx, srv)
    src = ctx.path("slow.in")
    want = h.random_file(src, MEM_BYTES)
    fin = open(src, "rb")
    ferr = open(ctx.path("slow.err"), "wb")
    p = subprocess.Popen(ctx.ssh_argv(srv, ["-s", "echo"]), stdin=fin, stdout=subprocess.PIPE,
                         stderr=ferr, env=h.clean_env())
    ctx.procs.append(p)
    fin.close()
    ferr.close()
    watch = RssWatch(srv)
    import hashlib
    got = hashlib.sha256()
    n = 0
    time.sleep(3)                      # a stalled reader first
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        b = p.stdout.read1(64 * 1024)
        if not b:
            break
        got.update(b)
        n += len(b)
        time.sleep(0.004)              # then a slow one (at most ~16 MiB/s)
    rc = p.wait(timeout=30)
    peak = watch.stop()
    ctx.log("slow reader: RSS %d kB before, peak %d kB (+%d kB) for %d MiB" % (base, peak, peak - base, n // MIB))
    h.check(rc == 0 and n == MEM_BYTES and got.hexdigest() == want,
            "slow-reader transfer failed: rc %s, %d of %d bytes" % (rc, n, MEM_BYTES))
    h.check(peak - base <= RSS_GROWTH_LIMIT_KB, "server memory grew by %d kB behind a slow reader (limit %d kB)" % (
        peak - base, RSS_GROWTH_LIMIT_KB))


def slow_child_reader(ctx):
    """The child does not read for 5 s, then reads: the peer must be held
    back rather than buffered."""
    srv = serve(ctx, "--subsystem", "echo=cat", "--subsystem", "slow=sleep 5; cat")
    base = baseline_rss(ctx, srv)
    src, dst = ctx.path("slowchild.in"), ctx.path("slowchild.out")
    want = h.random_file(src, MEM_BYTES)
    watch = RssWatch(srv)
    r = ctx.ssh(srv, ["-s", "slow"], stdin=src, stdout=dst, timeout=240)
    peak = watch.stop()
    ctx.log("slow child: RSS %d kB before, peak %d kB (+%d kB), %.1fs" % (base, peak, peak - base, r.elapsed))
    h.check(r.rc == 0 and h.sha256_file(dst) == want, "slow-child transfer failed: " + r.describe())
    h.check(r.elapsed >= 5, "the transfer ended before the child read anything")
    h.check(peak - base <= RSS_GROWTH_LIMIT_KB, "server memory grew by %d kB behind a slow child (limit %d kB)" % (
        peak - base, RSS_GROWTH_LIMIT_KB))


def sighup_reload(ctx):
    srv = Hostsd(ctx)
    srv.add(HOST, ctx.key, subsystems="*")
    srv.config("subsystem echo=false")          # the command line wins over this
    srv.start("--subsystem", "echo=cat")
    echo_ok(ctx, srv)
    r = ctx.ssh(srv, ["-s", "added"])
    h.check(r.rc == 255 and r.out == b"", "an unconfigured subsystem ran: " + r.describe())
    port = srv.port
    # a new subsystem and a new login grace time, by SIGHUP
    srv.config("subsystem added=echo added-ok", "login_grace_time 2")
    srv.signal(signal.SIGHUP)
    srv.wait_log(r"configuration reloaded: ")
    r = ctx.ssh(srv, ["-s", "added"])
    h.check(r.rc == 0 and r.out == b"added-ok\n", "the subsystem added by SIGHUP did not run: " + r.describe())
    echo_ok(ctx, srv)                            # still cat, not false
    listening = re.findall(r"listening on 127\.0\.0\.1:(\d+)", srv.log_text())
    h.check(listening == [str(port)], "the listener was not kept on reload (no gap): %r" % listening)
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    t0 = time.monotonic()
    s.settimeout(12)
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    took = time.monotonic() - t0
    s.close()
    h.check(took < 8, "a stalled connection lasted %.1fs after login_grace_time 2 was loaded" % took)
    # a broken file is refused and the running configuration kept
    srv.config("no_such_setting 1")
    srv.signal(signal.SIGHUP)
    srv.wait_log(r"^<3>reload failed, keeping the running configuration: .*no_such_setting")
    r = ctx.ssh(srv, ["-s", "added"])
    h.check(r.rc == 0 and r.out == b"added-ok\n", "a failed reload changed the running configuration")


def sigterm_graceful(ctx):
    srv = serve(ctx, "--subsystem", "echo=cat")
    p, out = long_session(ctx, srv, "held")
    srv.signal(signal.SIGTERM)
    srv.wait_log(r"stopping: no new connections")
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x", timeout=30)
    h.check(r.rc == 255 and r.out == b"", "a new connection was served after SIGTERM: " + r.describe())
    h.check(srv.proc.poll() is None, "the server exited with a session open")
    p.stdin.write(b"after SIGTERM\n")
    p.stdin.close()
    h.check(p.wait(timeout=20) == 0, "the open session did not finish cleanly: " + stderr_of(p))
    with open(out, "rb") as f:
        h.check(f.read() == b"hello\nafter SIGTERM\n", "the open session lost data")
    rc = srv.wait_exit(10)
    h.check(rc == 0, "the server exited with %s after its last session" % rc)
    h.check("<6>stopped" in srv.log_text(), "no 'stopped' line")


def shutdown_timeout(ctx):
    srv = Hostsd(ctx)
    srv.add(HOST, ctx.key, subsystems="*")
    srv.config("shutdown_timeout 2")
    srv.start("--subsystem", "echo=cat")
    p, _ = long_session(ctx, srv, "held")
    t0 = time.monotonic()
    srv.signal(signal.SIGTERM)
    rc = srv.wait_exit(15)
    took = time.monotonic() - t0
    h.check(rc == 0, "the server did not exit cleanly after shutdown_timeout (rc %s)" % rc)
    h.check(1.5 <= took <= 10, "the server exited %.1fs after SIGTERM (shutdown_timeout 2)" % took)
    h.check(p.wait(timeout=10) == 255, "the cut session did not end with an error")


def preauth_flood(ctx):
    """Stalled connections from 127.0.0.2 fill only their own source's
    share; 127.0.0.1 still logs in, and the stalled ones go at the grace."""
    srv = Hostsd(ctx)
    srv.add(HOST, ctx.key, subsystems="*")
    srv.config("max_unauthenticated 16", "max_unauthenticated_per_source 4")
    srv.start("--subsystem", "echo=cat", "--login-grace-time", "4")
    flood = []
    for _ in range(60):
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", srv.port))
            s.sendall(b"SSH-2.0-flood\r\n")
        except OSError:
            pass
        flood.append(s)
    t0 = time.monotonic()
    for i in range(3):
        echo_ok(ctx, srv, 1024, name="real%d" % i)
    ctx.log("3 logins during the flood took %.2fs" % (time.monotonic() - t0))

    def closed(s):
        s.setblocking(False)
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    return True
        except BlockingIOError:
            return False
        except OSError:
            return True
    still = [s for s in flood if not closed(s)]
    h.check(len(still) <= 4, "%d stalled connections from 127.0.0.2 kept (per-source cap 4)" % len(still))
    left = h.wait_for(lambda: all(closed(s) for s in still), 4 + 6, 0.2)
    h.check(left, "stalled connections outlived --login-grace-time 4")
    for s in flood:
        s.close()
    echo_ok(ctx, srv, 1024, name="after")


def threads_of(pid):
    return len(os.listdir("/proc/%d/task" % pid))


class Port:
    """Another listening port of a server, for ctx.ssh."""

    def __init__(self, srv, port):
        self.port, self.user = port, srv.user


def dh_thread_pool(ctx):
    """Group18 logins on two listen addresses at once all round-trip; the
    thread pool has 4 threads for registry lookups plus max_dh_computations
    per listen address, unless UV_THREADPOOL_SIZE says otherwise."""
    srv = Hostsd(ctx)
    srv.add(HOST, ctx.key, subsystems="*")
    srv.config("max_dh_computations 3")
    srv.start("--subsystem", "echo=cat", listen=("127.0.0.1:0", "127.0.0.1:0"))
    kex = ["KexAlgorithms=diffie-hellman-group18-sha512"]
    results = []

    def login(i, target):
        try:
            results.append(echo_ok(ctx, target, 16 * 1024, opts=kex, name="dh%d" % i))
        except h.TestFailure as e:
            results.append(e)
    threads = [threading.Thread(target=login, args=(i, Port(srv, srv.ports[i % 2]))) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(h.SSH_TIMEOUT + 10)
    h.check(len(results) == 4, "a group18 login did not finish")
    for r in results:
        if isinstance(r, Exception):
            raise r
    n = threads_of(srv.worker())   # the network worker runs the engine and its pool
    h.check(n >= 1 + 4 + 2 * 3, "the worker runs %d threads, not the loop and 4 + 2 x 3 pool threads" % n)
    # a reload starts a new worker, whose pool is sized for the new settings
    mark = srv.log_mark()
    with open(srv.config_path) as f:
        text = f.read()
    with open(srv.config_path, "w") as f:
        f.write(text.replace("\nmax_dh_computations 3\n", "\nmax_dh_computations 10\n"))
    srv.signal(signal.SIGHUP)
    srv.wait_log(r"configuration reloaded: ", since=mark)
    srv.wait_log(r"worker 2 started", since=mark)
    echo_ok(ctx, Port(srv, srv.ports[1]), 1024, opts=kex)
    n = threads_of(srv.worker())
    h.check(n >= 1 + 4 + 2 * 10, "after the reload the worker runs %d threads, not 1 + 4 + 2 x 10" % n)
    srv.stop()
    srv.start("--subsystem", "echo=cat", env={"UV_THREADPOOL_SIZE": "2"})
    echo_ok(ctx, srv, 1024, opts=kex)
    n = threads_of(srv.worker())
    h.check(n < 1 + 4 + 3, "with UV_THREADPOOL_SIZE=2 the worker runs %d threads" % n)


def startup_errors(ctx):
    srv = Hostsd(ctx)
    srv.add(HOST, ctx.key, subsystems="*")

    def serve_fails(args, rc, pattern, what):
        r = subprocess.run([HOSTSD, "serve"] + args, capture_output=True, timeout=30,
                           stdin=subprocess.DEVNULL, env=h.clean_env())
        err = r.stderr.decode(errors="replace")
        h.check(r.returncode == rc and re.search(pattern, err),
                "%s: expected exit %d and %r, got %d: %s" % (what, rc, pattern, r.returncode, err[-1000:]))

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    bport = busy.getsockname()[1]
    serve_fails(["--dir", srv.dir, "--listen", "127.0.0.1:%d" % bport], 1,
                r"127\.0\.0\.1:%d.*address already in use" % bport, "port in use")
    busy.close()
    serve_fails(["--dir", srv.dir, "--subsystem", "echo"], 2, r"NAME=COMMAND", "--subsystem without =")
    serve_fails(["--dir", srv.dir, "--subsystem", "=cat"], 2, r"NAME=COMMAND", "--subsystem without a name")
    serve_fails(["--dir", srv.dir, "--subsystem", "echo="], 2, r"empty", "--subsystem without a command")
    serve_fails(["--dir", srv.dir, "--listen", "127.0.0.1"], 2, r"ADDR:PORT", "--listen without a port")
    serve_fails(["--dir", srv.dir, "--login-grace-time", "soon"], 2, r"login-grace-time", "bad grace time")
    missing = ctx.path("no-such-state")
    serve_fails(["--dir", missing, "--listen", "127.0.0.1:0"], 1,
                re.escape("run hostsd init --dir " + missing), "missing state directory")
    os.chmod(srv.host_key, 0o640)
    serve_fails(["--dir", srv.dir, "--listen", "127.0.0.1:0"], 1,
                re.escape("chmod 600 " + srv.host_key), "host key readable by the group")
    os.chmod(srv.host_key, 0o600)

    # --pidfile, and IPv6 beside IPv4 when this machine has ::1
    pidfile = ctx.path("hostsd.pid")
    listen = ["127.0.0.1:0"]
    v6 = socket.has_ipv6
    if v6:
        try:
            t = socket.socket(socket.AF_INET6)
            t.bind(("::1", 0))
            t.close()
            listen.append("[::1]:0")
        except OSError:
            v6 = False
    srv.start("--subsystem", "echo=cat", "--pidfile", pidfile, listen=listen)
    with open(pidfile) as f:
        h.check(f.read().strip() == str(srv.proc.pid), "the pid file does not hold the server's pid")
    echo_ok(ctx, srv)
    if v6:
        m = re.search(r"listening on \[::1\]:(\d+)", srv.log_text())
        h.check(m, "no 'listening on [::1]:PORT' line")
        argv = ctx.ssh_argv(srv, ["-s", "echo"])
        argv[argv.index("-p") + 1] = m.group(1)
        argv[-3] = HOST + "@::1"
        r = subprocess.run(argv, input=b"over ipv6", capture_output=True, timeout=60, env=h.clean_env())
        h.check(r.returncode == 0 and r.stdout == b"over ipv6", "echo over IPv6 failed: %s" % r.stderr[-500:])
        srv.wait_log(r"connection from \[::1\]:\d+")
    else:
        ctx.log("no IPv6 loopback: IPv6 not tested")
    h.check(srv.stop() is None, "the server did not stop cleanly")
    h.check(not os.path.exists(pidfile), "the pid file was left behind")


if __name__ == "__main__":
    if not os.access(HOSTSD, os.X_OK):
        h.log("no hostsd program at %s (build first, or set HS_BUILD_DIR / HS_HOSTSD)" % HOSTSD)
        sys.exit(1)
    h.run([
        ("bulk_roundtrip", bulk_roundtrip),
        ("login_refusals", login_refusals),
        ("live_registry_changes", live_registry_changes),
        ("session_refusals", session_refusals),
        ("exit_status_and_stderr", exit_status_and_stderr),
        ("child_ended_with_channel", child_ended_with_channel),
        ("slow_client_reader", slow_client_reader),
        ("slow_child_reader", slow_child_reader),
        ("sighup_reload", sighup_reload),
        ("sigterm_graceful", sigterm_graceful),
        ("shutdown_timeout", shutdown_timeout),
        ("preauth_flood", preauth_flood),
        ("dh_thread_pool", dh_thread_pool),
        ("startup_errors", startup_errors),
    ], under_test="hostsd serve")
