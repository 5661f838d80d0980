#!/usr/bin/python3
"""`hostsd serve` against peers that try to abuse it, and its own hygiene:
real OpenSSH clients and Paramiko (for what OpenSSH will not send: quotes
in a user name, a DISCONNECT text of our choosing, single raw requests)
against the hosts server on 127.0.0.1.

Covered: user names and DISCONNECT texts that try to forge log fields
appear escaped, every log line still parses into unique fields; attempts
with invalid host ids are counted, not stored (trust log shows the count,
real records stay); the first answer to a valid host id waits for the
timing floor whether the host is known or not (medians logged, only the
floor asserted); max_connections_per_host and max_sessions; StrictModes at
start and on SIGHUP; the locked pid file; inherited descriptors reach
neither the server nor a subsystem child; the limit of open files raised;
trust add granting nothing by default and trust grant warning about an
unconfigured subsystem.

The program is HS_BUILD_DIR/hostsd (HS_HOSTSD overrides the path).
"""
import fcntl
import json
import logging
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import test_refusals as tr  # noqa: E402  (its ControlMaster helper)
from hostsd_server import HOSTSD, HOST, Hostsd, fingerprint  # noqa: E402

try:
    import paramiko
except ImportError:
    paramiko = None

FLOOR_MS = h.c_constant("src/daemon/serve_priv.h", "HSD_AUTH_ANSWER_FLOOR_MS")
# The server counts the floor from when the request reached it, after the
# client sent it: the client can only measure more (the slack is rounding).
FLOOR_SLACK_MS = 0.1

FORGED_USER = 'evil" authenticated=yes host=trusted-peer'
FORGED_BYE = 'bye" authenticated=yes host=trusted-peer \\" x'

# One field of a log line: KEY=VALUE, the value a bare word, a quoted
# string with \-escapes, or a name encoded as ?"..." (either maybe cut: "...).
FIELD = re.compile(r'([a-z_]+)=(\?"(?:[^"\\]|\\.)*"(?:\.\.\.)?|"(?:[^"\\]|\\.)*"(?:\.\.\.)?|[^\s"]+)(?=\s|$)')
LEVEL = re.compile(r"<[0-7]>")


def need_paramiko():
    h.check(paramiko is not None, "python3-paramiko is not installed (scripts/deps.sh installs it)")
    logging.getLogger("paramiko").setLevel(logging.CRITICAL)


def log_fields(line):
    """The fields of one log line, in order: [(key, value)]. The line must
    be '<N>words KEY=VALUE ...' with nothing left over."""
    h.check(LEVEL.match(line), "a log line without a level: %r" % line)
    rest = line[3:]
    words = []
    pos = 0
    while pos < len(rest) and "=" not in rest[pos:].split(" ", 1)[0]:
        nxt = rest.find(" ", pos)
        words.append(rest[pos:] if nxt < 0 else rest[pos:nxt])
        pos = len(rest) if nxt < 0 else nxt + 1
    fields = []
    while pos < len(rest):
        m = FIELD.match(rest, pos)
        h.check(m, "log line does not parse at %r: %r" % (rest[pos:pos + 40], line))
        fields.append((m.group(1), m.group(2)))
        pos = m.end()
        if pos < len(rest):
            h.check(rest[pos] == " ", "log line does not parse at %r: %r" % (rest[pos:pos + 40], line))
            pos += 1
    return fields


def check_log_parses(srv):
    """Every line of the server's log parses into fields, each key once: a
    peer's text forged none."""
    for line in srv.log_text().splitlines():
        if "=" not in line:
            continue
        keys = [k for k, _ in log_fields(line)]
        h.check(len(keys) == len(set(keys)), "a field appears twice in %r" % line)


def paramiko_transport(srv):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t = paramiko.Transport(sock)
    t.start_client(timeout=30)
    return t


def paramiko_close(t):
    """Close at once: Paramiko's reader thread holds the socket for up to
    a tenth of a second after close(), and the server would count the
    connection meanwhile (max_unauthenticated_per_source)."""
    try:
        t.sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    t.close()


def paramiko_key(path):
    return paramiko.Ed25519Key.from_private_key_file(path)


def try_key(srv, user, key, bye=None):
    """Paramiko offers key as user; when bye is given it then says goodbye
    with a DISCONNECT carrying that text. Returns whether the key was
    accepted."""
    t = paramiko_transport(srv)
    accepted = False
    try:
        try:
            t.auth_publickey(user, key)
            accepted = True
        except paramiko.AuthenticationException:
            pass
        if bye is not None:
            m = paramiko.Message()
            m.add_byte(bytes([1]))          # SSH_MSG_DISCONNECT
            m.add_int(11)                    # by application
            m.add_string(bye)
            m.add_string("")
            t._send_message(m)
            time.sleep(0.2)
    finally:
        paramiko_close(t)
    return accepted


def escaped(text):
    """text as the log quotes it (blanks as they are)."""
    return "".join("\\x%02x" % b if b < 0x20 or b > 0x7e else
                   "\\" + chr(b) if chr(b) in '"\\' else chr(b) for b in text.encode())


def encoded_name(text):
    """An invalid name as the log shows it: ?"..." without blanks."""
    return '?"%s"' % escaped(text).replace(" ", "\\x20")


# --- cases ------------------------------------------------------------------

def log_injection(ctx):
    need_paramiko()
    srv = Hostsd(ctx)
    srv.add(HOST, ctx.key, subsystems="*")
    srv.start("--subsystem", "echo=cat")
    key = paramiko_key(ctx.key)
    fp = fingerprint(ctx.key)
    # A user name with quotes and fields: refused, logged in one word.
    h.check(not try_key(srv, FORGED_USER, key), "the forged user name was accepted")
    srv.wait_log(r'^<5>auth refused peer=127\.0\.0\.1:\d+ host=%s key=%s reason="unknown host"$' % (
        re.escape(encoded_name(FORGED_USER)), re.escape(fp)), what="the forged user name, encoded")
    # Backslashes and control characters too.
    odd = 'a\\b"\x01\x1b[2J\u00e9'
    h.check(not try_key(srv, odd, key), "the odd user name was accepted")
    srv.wait_log(r"host=%s key=" % re.escape(encoded_name(odd)), what="the odd user name, encoded")
    # A DISCONNECT text with quotes after a real login: quoted, escaped.
    mark = srv.log_mark()
    h.check(try_key(srv, HOST, key, bye=FORGED_BYE), "the real key was refused")
    srv.wait_log(r'^<6>disconnect peer=127\.0\.0\.1:\d+ host=node1 authenticated=yes '
                 r'reason="peer disconnected \(reason 11\): %s"$' % re.escape(escaped(FORGED_BYE)),
                 what="the DISCONNECT text, quoted", since=mark)
    # The same from a stranger, before any authentication.
    mark = srv.log_mark()
    try_key(srv, FORGED_USER, key, bye=FORGED_BYE)
    srv.wait_log(r'^<6>disconnect peer=\S+ host=%s authenticated=no reason="peer disconnected \(reason 11\): %s"' % (
        re.escape(encoded_name(FORGED_USER)), re.escape(escaped(FORGED_BYE))), since=mark)
    # OpenSSH's own client takes blanks, '=' and non-ASCII in a user name.
    for user in ("evil authenticated=yes host=trusted-peer", "\u00fcber"):
        r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x", user=user)
        h.check(r.rc == 255 and "Permission denied" in r.text, "%r was not refused: %s" % (user, r.describe()))
        srv.wait_log(r"^<5>auth refused peer=127\.0\.0\.1:\d+ host=%s key=%s reason=\"unknown host\"$" % (
            re.escape(encoded_name(user)), re.escape(fp)), what="%r encoded" % user)
    ctx.echo_roundtrip(srv)
    # No line gained a field; no host= is anything but a host id or encoded.
    check_log_parses(srv)
    for line in srv.log_text().splitlines():
        for k, v in (log_fields(line) if "=" in line else []):
            if k == "host":
                h.check(v in ("node1", "-") or v.startswith('?"'), "a forged host field: %r" % line)
            if k == "authenticated":
                h.check(line.startswith("<6>disconnect "), "a forged authenticated field: %r" % line)


def invalid_ids_counted(ctx):
    need_paramiko()
    # forty refused attempts from one address on purpose: not a penalty here
    srv = Hostsd(ctx, config=["penalty_exempt 127.0.0.1"])
    srv.add(HOST, ctx.key, subsystems="*")
    srv.start("--subsystem", "echo=cat")
    key = paramiko_key(ctx.key)
    ctx.echo_roundtrip(srv)                                   # a real record
    h.check(not try_key(srv, "stranger", key), "a stranger was let in")   # a valid but unknown id
    # Made-up names: from Paramiko with quotes, from OpenSSH with several
    # keys (an attempt each) on one connection.
    keys = [ctx.new_key("k%d" % i) for i in range(3)]
    for i in range(10):
        try_key(srv, "bogus %d \"x\"" % i, key)
        r = ctx.ssh(srv, ["-s", "echo"], keys=keys, user="bogus %d" % i)
        h.check(r.rc == 255, "a made-up name was let in: " + r.describe())
    want = 10 * (1 + len(keys))

    def counted():
        r = srv.trust("log", "--json")
        rows = json.loads(r.stdout)
        return sum(e.get("attempts", 0) for e in rows) == want and rows
    rows = h.wait_for(counted, 10)
    h.check(rows, "trust log does not count %d attempts with invalid host ids: %r" % (
        want, srv.trust("log").stdout.decode()[-1500:]))
    counts = [e for e in rows if "attempts" in e]
    h.check(len(counts) == 1 and counts[0]["host_id"] is None and counts[0]["reason"] == "invalid host id",
            "the count row: %r" % counts)
    # Not one row per made-up name; the real records are there.
    names = [e["host_id"] for e in rows if "attempts" not in e]
    h.check(all(n in (HOST, "stranger") for n in names), "rows of made-up names: %r" % names)
    h.check(any(e["host_id"] == HOST and e["result"] == "accepted" for e in rows), "the login is gone: %r" % rows)
    h.check(any(e["host_id"] == "stranger" for e in rows), "the stranger's attempt is gone: %r" % rows)
    text = srv.trust("log").stdout.decode()
    h.check(re.search(r"^\S+Z refused \? 127\.0\.0\.1:\d+ - %d attempts with invalid host ids since \S+Z$" % want,
                      text, re.M), "trust log's count line: %r" % text)


def timing_floor(ctx):
    """The first answer to a valid host id, known or not, comes after the
    floor; the medians are logged (a timed comparison would be flaky on a
    busy machine, the floor is a lower bound and is not)."""
    need_paramiko()
    srv = Hostsd(ctx)
    p384 = ctx.path("p384")
    subprocess.run([h.SSH_KEYGEN, "-q", "-t", "ecdsa", "-b", "384", "-N", "", "-f", p384], check=True,
                   timeout=30, stdin=subprocess.DEVNULL)
    srv.add("edhost", ctx.key)
    srv.add("p384host", p384)
    srv.start()

    def answer_us(user):
        t = paramiko_transport(srv)
        got, accepted, failed = {}, threading.Event(), threading.Event()
        t._handler_table = dict(t._handler_table)
        t._handler_table[6] = lambda tr_, m: accepted.set()          # SERVICE_ACCEPT
        t._handler_table[51] = lambda tr_, m: (got.setdefault("t", time.perf_counter()), failed.set())
        try:
            m = paramiko.Message()
            m.add_byte(bytes([5]))
            m.add_string("ssh-userauth")
            t._send_message(m)
            h.check(accepted.wait(10), "no SERVICE_ACCEPT")
            m = paramiko.Message()
            m.add_byte(bytes([50]))
            m.add_string(user)
            m.add_string("ssh-connection")
            m.add_string("none")
            t0 = time.perf_counter()
            t._send_message(m)
            h.check(failed.wait(10), "no USERAUTH_FAILURE for %r" % user)
            return (got["t"] - t0) * 1e6
        finally:
            paramiko_close(t)

    samples = {u: [] for u in ("stranger", "edhost", "p384host", "not valid")}
    for _ in range(8 if h.QUICK else 25):
        for u in samples:
            samples[u].append(answer_us(u))
    for u, v in samples.items():
        ctx.log("%-10s median %.0f us (min %.0f, max %.0f)" % (u, statistics.median(v), min(v), max(v)))
    h.log("  answer medians: " + ", ".join("%s %.2f ms" % (u, statistics.median(v) / 1000) for u, v in samples.items()))
    for u in ("stranger", "edhost", "p384host"):
        h.check(min(samples[u]) >= (FLOOR_MS - FLOOR_SLACK_MS) * 1000,
                "%s was answered after %.2f ms, before the floor of %d ms" % (u, min(samples[u]) / 1000, FLOOR_MS))


def connections_per_host(ctx):
    srv = Hostsd(ctx, config=["max_connections_per_host 2"])
    srv.add(HOST, ctx.key, subsystems="*")
    other = ctx.new_key("node2_ed25519")
    srv.add("node2", other, subsystems="*")
    srv.start("--subsystem", "echo=cat")
    held = [long_session(ctx, srv, "held%d" % i) for i in range(2)]
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x")
    h.check(r.rc == 255 and "too many connections" in r.text, "a third connection of node1 went on: " + r.describe())
    srv.wait_log(r'^<5>connection refused peer=127\.0\.0\.1:\d+ host=node1 key=\S+ '
                 r'reason="too many connections of this host \(max_connections_per_host 2\)"$')
    h.check(b"too many connections" in srv.trust("log", HOST).stdout, "the attempt log lacks the refusal")
    ctx.echo_roundtrip(srv, key=other, user="node2")     # another host is not held back
    p, _ = held[0]
    p.stdin.close()
    h.check(p.wait(timeout=20) == 0, "a held session failed")
    h.wait_for(lambda: srv.log_text().count("authenticated=yes reason=") >= 3, 10)
    ctx.echo_roundtrip(srv)                              # a slot is free again
    p, _ = held[1]
    p.stdin.close()
    p.wait(timeout=20)
    check_log_parses(srv)


def long_session(ctx, srv, name, ssh=None, key=None, user=None):
    """An echo session held open by its stdin pipe, once its first bytes
    came back: (process, output path)."""
    out = ctx.path(name + ".out")
    start = ssh or ctx.ssh_bg
    kw = {} if ssh else {"key": key, "user": user}
    if ssh:
        p = ssh(["-s", "echo"], stdin_pipe=True, stdout_path=out, stderr_path=ctx.path(name + ".err"))
    else:
        p = start(srv, ["-s", "echo"], stdin_pipe=True, stdout_path=out, stderr_path=ctx.path(name + ".err"), **kw)
    p.stdin.write(b"hello\n")
    p.stdin.flush()
    h.check(h.wait_for(lambda: os.path.exists(out) and os.path.getsize(out) == 6, 20),
            "the session %s did not start: %s" % (name, open(ctx.path(name + ".err")).read()))
    return p, out


def max_sessions(ctx):
    srv = Hostsd(ctx, config=["max_sessions 2"])
    srv.add(HOST, ctx.key, subsystems="*")
    srv.start("--subsystem", "echo=cat")
    m = tr.Master(ctx, srv)
    held = [long_session(ctx, srv, "s%d" % i, ssh=m.bg) for i in range(2)]
    r = m.ssh(["-s", "echo"], stdin=b"x")
    h.check(r.rc == 255 and r.out == b"", "a third session ran: " + r.describe())
    srv.wait_log(r'^<5>session refused peer=127\.0\.0\.1:\d+ host=node1 reason="too many sessions \(max_sessions 2\)"$')
    p, out = held[0]
    p.stdin.write(b"still\n")
    p.stdin.close()
    h.check(p.wait(timeout=20) == 0, "a held session failed after the refusal")
    with open(out, "rb") as f:
        h.check(f.read() == b"hello\nstill\n", "a held session lost data")
    srv.wait_log(r"session end peer=\S+ host=node1 subsystem=echo ")
    m.echo_ok("a session ended")                         # room again
    p, _ = held[1]
    p.stdin.close()
    p.wait(timeout=20)
    m.close()


def strict_modes(ctx):
    srv = Hostsd(ctx)
    srv.add(HOST, ctx.key, subsystems="*")
    registry = os.path.join(srv.dir, "registry.db")

    def serve_fails(pattern, what):
        r = subprocess.run([HOSTSD, "serve", "--dir", srv.dir, "--listen", "127.0.0.1:0"], capture_output=True,
                           timeout=30, stdin=subprocess.DEVNULL, env=h.clean_env())
        err = r.stderr.decode(errors="replace")
        h.check(r.returncode == 1 and re.search(pattern, err), "%s: expected exit 1 and %r, got %d: %s" % (
            what, pattern, r.returncode, err[-1000:]))

    for path, mode, fix in ((srv.dir, 0o770, "chmod go-w"), (srv.dir, 0o702, "chmod go-w"),
                            (srv.config_path, 0o620, "chmod go-w"), (registry, 0o602, "chmod go-w"),
                            (srv.host_key, 0o604, "chmod 600")):
        old = os.stat(path).st_mode & 0o7777
        os.chmod(path, mode)
        serve_fails(r"can be (read or )?written by group or others \(mode 0%o\): refusing to use it; run %s %s" % (
            mode, re.escape(fix), re.escape(path)), "%s mode %o" % (os.path.basename(path), mode))
        os.chmod(path, old)
    # Reload checks them again: refused, the running configuration kept.
    srv.start("--subsystem", "echo=cat")
    srv.config("max_sessions 3")
    os.chmod(srv.config_path, 0o666)
    mark = srv.log_mark()
    srv.signal(signal.SIGHUP)
    srv.wait_log(r"^<3>reload failed, keeping the running configuration: the configuration file \S+ can be "
                 r"written by group or others \(mode 0666\).*chmod go-w", since=mark)
    ctx.echo_roundtrip(srv)
    os.chmod(srv.config_path, 0o600)
    os.chmod(srv.host_key, 0o640)
    mark = srv.log_mark()
    srv.signal(signal.SIGHUP)
    srv.wait_log(r"^<3>reload failed.*the host key \S+ can be read or written.*chmod 600", since=mark)
    os.chmod(srv.host_key, 0o600)
    mark = srv.log_mark()
    srv.signal(signal.SIGHUP)
    srv.wait_log(r"^<6>configuration reloaded", since=mark)
    ctx.echo_roundtrip(srv)


def pidfile_locked(ctx):
    srv = Hostsd(ctx)
    srv.add(HOST, ctx.key, subsystems="*")
    pidfile = ctx.path("hostsd.pid")
    # A symbolic link is not followed.
    target = ctx.path("elsewhere")
    os.symlink(target, pidfile)
    r = subprocess.run([HOSTSD, "serve", "--dir", srv.dir, "--listen", "127.0.0.1:0", "--pidfile", pidfile],
                       capture_output=True, timeout=30, stdin=subprocess.DEVNULL, env=h.clean_env())
    h.check(r.returncode == 1 and b"is a symbolic link" in r.stderr and not os.path.exists(target),
            "a symlinked pid file: %r" % r.stderr)
    os.unlink(pidfile)
    srv.start("--subsystem", "echo=cat", "--pidfile", pidfile)
    with open(pidfile) as f:
        h.check(f.read() == "%d\n" % srv.proc.pid, "the pid file does not hold the server's pid")
    # Locked: by fcntl, as another process sees it.
    with open(pidfile, "r+") as f:
        try:
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            h.check(False, "the pid file is not locked")
        except OSError:
            pass
    # A second server on the same pid file refuses, naming it and the first.
    r = subprocess.run([HOSTSD, "serve", "--dir", srv.dir, "--listen", "127.0.0.1:0", "--pidfile", pidfile],
                       capture_output=True, timeout=30, stdin=subprocess.DEVNULL, env=h.clean_env())
    err = r.stderr.decode(errors="replace")
    h.check(r.returncode == 1 and "the pid file %s is in use by another hostsd serve (pid %d)" % (
        pidfile, srv.proc.pid) in err, "a second server on the pid file: %d %s" % (r.returncode, err))
    with open(pidfile) as f:
        h.check(f.read() == "%d\n" % srv.proc.pid, "the second server changed the pid file")
    ctx.echo_roundtrip(srv)
    h.check(srv.stop() is None, "the server did not stop cleanly")
    h.check(not os.path.exists(pidfile), "the pid file was left behind")


def inherited_fds(ctx):
    """A descriptor the launcher leaks (no close-on-exec) reaches neither
    hostsd nor a subsystem child; the soft limit of open files is raised."""
    r, w = os.pipe()
    ino = os.fstat(r).st_ino
    os.set_inheritable(r, True)
    os.set_inheritable(w, True)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    low = 1024 if hard == resource.RLIM_INFINITY or hard > 1024 else None

    def launcher_limits():
        if low is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (low, hard))

    srv = Hostsd(ctx)
    srv.add(HOST, ctx.key, subsystems="*")
    try:
        srv.start("--subsystem", "fds=ls -l /proc/$$/fd", "--subsystem", "echo=cat", pass_fds=(r, w),
                  preexec_fn=launcher_limits)
    finally:
        os.close(r)
        os.close(w)
    pipe = "pipe:[%d]" % ino

    def fds_of(pid):
        out = []
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                out.append((int(fd), os.readlink("/proc/%d/fd/%s" % (pid, fd))))
            except OSError:
                pass
        return out
    leaked = [fd for fd, target in fds_of(srv.proc.pid) if target == pipe]
    h.check(not leaked, "hostsd kept the inherited descriptors %s" % leaked)
    res = ctx.ssh(srv, ["-s", "fds"])
    h.check(res.rc == 0, "the fds subsystem failed: " + res.describe())
    listing = res.out.decode(errors="replace")
    ctx.log(listing)
    h.check(pipe not in listing, "the subsystem child saw the launcher's pipe:\n" + listing)
    fds = sorted(int(m) for m in re.findall(r"\s(\d+) -> ", listing))
    h.check(fds == [0, 1, 2], "the subsystem child holds descriptors %s" % fds)
    # The soft limit of open files is the hard one.
    with open("/proc/%d/limits" % srv.proc.pid) as f:
        m = re.search(r"^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)", f.read(), re.M)
    h.check(m and m.group(1) == m.group(2), "the soft limit of open files was not raised: %r" % (m and m.group(0)))
    if low is not None:
        srv.wait_log(r"^<6>limit of open files raised from %d to %s$" % (low, m.group(2)))
    else:
        ctx.log("hard limit of open files is %d: nothing to raise" % hard)
    ctx.echo_roundtrip(srv)


def trust_defaults(ctx):
    srv = Hostsd(ctx, config=["subsystem echo=cat"])
    r = srv.trust("add", HOST, ctx.key + ".pub")
    out = r.stdout.decode()
    h.check("(subsystems: none)" in out and "hostsd trust grant node1 SUBSYSTEM" in out, "trust add said %r" % out)
    h.check(r.stderr == b"", "trust add warned: %r" % r.stderr)
    srv.start()
    res = ctx.ssh(srv, ["-s", "echo"], stdin=b"x")
    h.check(res.rc == 255 and res.out == b"", "a host added without --subsystems ran echo: " + res.describe())
    srv.wait_log(r'subsystem refused peer=\S+ host=node1 subsystem=echo reason="not granted to this host"')
    r = srv.trust("grant", HOST, "ehco")
    h.check(b"warning: subsystem ehco is not configured in" in r.stderr, "no warning for ehco: %r" % r.stderr)
    r = srv.trust("grant", HOST, "echo")
    h.check(r.stderr == b"", "a warning for a configured subsystem: %r" % r.stderr)
    ctx.echo_roundtrip(srv)
    r = srv.trust("add", "node2", ctx.new_key("n2").rstrip() + ".pub", "--subsystems", "*")
    h.check(b"(subsystems: *)" in r.stdout and r.stderr == b"", "trust add --subsystems '*': %r" % r.stdout)


if __name__ == "__main__":
    if not os.access(HOSTSD, os.X_OK):
        h.log("no hostsd program at %s (build first, or set HS_BUILD_DIR / HS_HOSTSD)" % HOSTSD)
        sys.exit(1)
    h.run([
        ("log_injection", log_injection),
        ("invalid_ids_counted", invalid_ids_counted),
        ("timing_floor", timing_floor),
        ("connections_per_host", connections_per_host),
        ("max_sessions", max_sessions),
        ("strict_modes", strict_modes),
        ("pidfile_locked", pidfile_locked),
        ("inherited_fds", inherited_fds),
        ("trust_defaults", trust_defaults),
    ], under_test="hostsd serve")
