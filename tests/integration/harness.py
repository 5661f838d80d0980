"""Integration-test harness: real OpenSSH clients against the server under
test on 127.0.0.1.

The server under test is chosen by the environment:
  HS_TEST_SERVER  hosts_server (default) or sshd (OpenSSH's own, used to
                  prove the harness itself and as the reference)
  HS_BUILD_DIR    build directory holding hosts_server (ctest sets it)
  HS_TEST_QUICK   1: smaller transfers (the sanitizer run)
  HS_TEST_KEEP    1: keep each test's temp dir
  HS_TEST_ONLY    run only the cases whose name contains this text

Python 3 standard library only. Every wait is bounded, every process the
harness starts is stopped by its pid when its test ends.
"""
import hashlib
import os
import pwd
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_DIR = os.environ.get("HS_BUILD_DIR") or os.path.join(REPO, "build")
SERVER_KIND = os.environ.get("HS_TEST_SERVER", "hosts_server")
QUICK = os.environ.get("HS_TEST_QUICK", "") not in ("", "0")
KEEP = os.environ.get("HS_TEST_KEEP", "") not in ("", "0")
ONLY = os.environ.get("HS_TEST_ONLY", "")

SSH = shutil.which("ssh") or "/usr/bin/ssh"
SSH_KEYGEN = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"
SSHD = "/usr/sbin/sshd"

CIPHERS = ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com"]
MIB = 1024 * 1024
BULK_BYTES = (8 if QUICK else 64) * MIB

# How long anything may take before the harness gives up on it.
START_TIMEOUT = 20.0   # server up and listening
STOP_TIMEOUT = 10.0    # server gone after SIGTERM, before SIGKILL
SSH_TIMEOUT = 120.0    # one ssh client run
CASE_TIMEOUT = 480.0   # one test case, whole (ctest's own limit is 600)

# Markers in a server log that fail a test even when everything else passed.
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "SUMMARY: UndefinedBehaviorSanitizer", "SUMMARY: AddressSanitizer")


class TestFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def c_constant(header, name):
    """The value of `#define NAME VALUE` in a header of the source tree
    (header relative to it), VALUE an integer expression of literals such
    as 64u or (1024ull * 1024ull): a test reads a limit or default instead
    of restating it."""
    with open(os.path.join(REPO, header)) as f:
        m = re.search(r"^#define\s+%s\s+(.+?)\s*(?:/\*.*)?$" % re.escape(name), f.read(), re.M)
    if m is None:
        raise TestFailure("%s defines no %s" % (header, name))
    expr = re.sub(r"\b(\d+)[uUlL]*\b", r"\1", m.group(1))
    if not re.fullmatch(r"[\d\s()*+]+", expr):
        raise TestFailure("%s: %s is not a plain number: %r" % (header, name, m.group(1)))
    return int(eval(expr, {"__builtins__": {}}))


def log(msg):
    print(msg, flush=True)


# --- small helpers ----------------------------------------------------------

def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(MIB)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def random_file(path, size):
    """Random bytes to a file, a MiB at a time; returns the sha256."""
    h = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left > 0:
            b = os.urandom(min(MIB, left))
            h.update(b)
            f.write(b)
            left -= len(b)
    return h.hexdigest()


def free_port():
    """A port that was free a moment ago (for servers that cannot take 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            return v
        time.sleep(interval)


def children_of(pid):
    """Every descendant of pid (by /proc ppid links), deepest last."""
    parents = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: split after the last ')'
        rest = st[st.rfind(")") + 2:].split()
        parents.setdefault(int(rest[1]), []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop(0)
        for c in parents.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except OSError:
        return False
    return st[st.rfind(")") + 2] != "Z"


def stop_pid(pid, timeout=STOP_TIMEOUT):
    """SIGTERM, a bounded wait, then SIGKILL. Returns True if TERM sufficed."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    if wait_for(lambda: not pid_alive(pid), timeout):
        return True
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return False


def keygen(path, comment="hs-test"):
    """A fresh ed25519 key pair at path / path.pub; returns path."""
    subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path],
                   check=True, timeout=30, stdin=subprocess.DEVNULL)
    return path


def pubkey_of(private_path):
    """'type base64' of a private key file's public half."""
    r = subprocess.run([SSH_KEYGEN, "-y", "-f", private_path], capture_output=True,
                       timeout=30, stdin=subprocess.DEVNULL)
    check(r.returncode == 0, "ssh-keygen -y %s failed: %s" % (private_path, r.stderr.decode(errors="replace")))
    parts = r.stdout.decode().split()
    return parts[0] + " " + parts[1]


def clean_env():
    env = dict(os.environ)
    env.pop("SSH_AUTH_SOCK", None)   # no agent keys sneaking into auth
    env.pop("DISPLAY", None)
    return env


class Result:
    def __init__(self, argv, rc, out, err, elapsed):
        self.argv, self.rc, self.out, self.err, self.elapsed = argv, rc, out, err, elapsed

    @property
    def text(self):
        return self.err.decode(errors="replace")

    def describe(self):
        return "rc=%s argv=%s\nstderr:\n%s" % (self.rc, " ".join(self.argv), self.text[-3000:])


# --- the server under test --------------------------------------------------

def default_user(kind):
    """sshd can only log in users that exist on this machine; hosts_server
    takes any name that has a file of keys."""
    return pwd.getpwuid(os.getuid()).pw_name if kind == "sshd" else "peer1"


class ServerProcess:
    """What every server under test has: a process (proc) and a log file
    (log_path)."""

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""


class Server(ServerProcess):
    """The server under test, started on 127.0.0.1 with a kernel-chosen port
    (hosts_server) or a port found free just before (sshd, which cannot
    report a port 0 choice)."""

    def __init__(self, ctx, users=None, rekey_bytes=None, rekey_seconds=None,
                 login_grace_time=None, max_channels=None, max_auth_tries=None,
                 banner=None, max_dh_computations=None, kind=None, extra_sshd_config=(), wrapper=()):
        self.ctx = ctx
        self.kind = kind or SERVER_KIND
        self.user = default_user(self.kind)
        self.wrapper = list(wrapper)   # e.g. valgrind: runs hosts_server under it
        self.dir = tempfile.mkdtemp(prefix="server-", dir=ctx.dir)
        self.keys_dir = os.path.join(self.dir, "authorized_keys")
        os.mkdir(self.keys_dir)
        self.log_path = os.path.join(self.dir, "server.log")
        self.host_key = os.path.join(self.dir, "host_ed25519")
        self.opts = dict(rekey_bytes=rekey_bytes, rekey_seconds=rekey_seconds,
                         login_grace_time=login_grace_time, max_channels=max_channels,
                         max_auth_tries=max_auth_tries, banner=banner,
                         max_dh_computations=max_dh_computations)   # sshd has no such limit
        self.extra_sshd_config = list(extra_sshd_config)
        self.proc = None
        self.port = None
        self.stdout_lines = []
        self.exit_problem = None
        for user, keys in (users or {}).items():
            self.authorize(user, keys)

    def authorize(self, user, pubkey_paths):
        with open(os.path.join(self.keys_dir, user), "a") as f:
            for p in pubkey_paths:
                with open(p) as k:
                    f.write(k.read().strip() + "\n")

    # -- start

    def start(self):
        if self.kind == "hosts_server":
            self._start_hosts_server()
        elif self.kind == "sshd":
            self._start_sshd()
        else:
            raise TestFailure("unknown HS_TEST_SERVER %r (hosts_server or sshd)" % self.kind)
        self.ctx.log("server %s pid %d on 127.0.0.1:%d" % (self.kind, self.proc.pid, self.port))
        return self

    def _spawn(self, argv, stdout):
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout,
                                     stderr=self.log_file, env=clean_env())

    def _start_hosts_server(self):
        exe = os.path.join(BUILD_DIR, "hosts_server")
        check(os.access(exe, os.X_OK), "no server binary at %s (build first, or set HS_BUILD_DIR)" % exe)
        argv = self.wrapper + [exe, "--listen", "127.0.0.1:0", "--host-key", self.host_key,
                "--authorized-keys", self.keys_dir]
        for name, v in self.opts.items():
            if v is not None:
                argv += ["--" + name.replace("_", "-"), str(v)]
        self._spawn(argv, subprocess.PIPE)
        # Bounded wait for the one line that says where it listens.
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + START_TIMEOUT
        buf = b""
        while self.port is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestFailure("hosts_server printed no 'listening on' line within %ds" % START_TIMEOUT)
            if not sel.select(timeout=min(left, 0.5)):
                if self.proc.poll() is not None:
                    raise TestFailure("hosts_server exited with %s before listening" % self.proc.returncode)
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                raise TestFailure("hosts_server closed stdout before listening (rc %s)" % self.proc.wait(5))
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line = line.decode(errors="replace")
                self.stdout_lines.append(line)
                m = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)", line.strip())
                if m:
                    self.port = int(m.group(1))
                    break
        sel.close()
        check(0 < self.port < 65536, "bad port in %r" % self.stdout_lines[-1])
        # Keep draining stdout so the server can never block writing to it.
        self.stdout_lines.extend(x.decode(errors="replace") for x in buf.split(b"\n") if x)
        t = threading.Thread(target=self._drain, daemon=True)
        t.start()

    def _drain(self):
        for line in self.proc.stdout:
            self.stdout_lines.append(line.decode(errors="replace").rstrip("\n"))

    def _sshd_config(self, port):
        o = self.opts
        # Extra lines come first: sshd keeps the first value it reads for a
        # keyword, so they override the defaults below.
        lines = list(self.extra_sshd_config) + [
            "ListenAddress 127.0.0.1:%d" % port,
            "HostKey %s" % self.host_key,
            "AuthorizedKeysFile %s/%%u" % self.keys_dir,
            "Subsystem echo /bin/cat",
            "UsePAM no",
            "StrictModes no",
            "PidFile none",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            "PrintMotd no",
            "PrintLastLog no",
            # The modern profile hosts_server speaks, so that both servers
            # are compared (and audited) on the same algorithms.
            "KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org",
            "HostKeyAlgorithms ssh-ed25519",
            "PubkeyAcceptedAlgorithms ssh-ed25519",
            "Ciphers " + ",".join(CIPHERS),
            "MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com",
            # Debian's bash sources ~/.bashrc for commands run by sshd unless
            # SHLVL says it is not a top-level shell; a .bashrc that prints
            # would corrupt the echo stream (and slow every session).
            "SetEnv SHLVL=1",
            "MaxStartups 200:30:300",
            # hosts_server's policy, as far as sshd can say it: no pty, no
            # forwarding of any kind (sshd cannot refuse shell and exec alone).
            "PermitTTY no",
            "AllowTcpForwarding no",
            "AllowStreamLocalForwarding no",
            "AllowAgentForwarding no",
            "X11Forwarding no",
            "PermitTunnel no",
        ]
        if o["rekey_bytes"] is not None or o["rekey_seconds"] is not None:
            lines.append("RekeyLimit %s %s" % (o["rekey_bytes"] or "default",
                                               ("%ds" % o["rekey_seconds"]) if o["rekey_seconds"] else "none"))
        if o["login_grace_time"] is not None:
            lines.append("LoginGraceTime %d" % o["login_grace_time"])
        if o["max_channels"] is not None:
            lines.append("MaxSessions %d" % o["max_channels"])
        if o["max_auth_tries"] is not None:
            lines.append("MaxAuthTries %d" % o["max_auth_tries"])
        if o["banner"] is not None:
            bpath = os.path.join(self.dir, "banner.txt")
            with open(bpath, "w") as f:
                f.write(o["banner"] + "\n")
            lines.append("Banner %s" % bpath)
        return "\n".join(lines) + "\n"

    def _start_sshd(self):
        check(os.access(SSHD, os.X_OK), "no %s" % SSHD)
        if not os.path.exists(self.host_key):
            keygen(self.host_key, "sshd-under-test")
        if os.geteuid() == 0 and not os.path.isdir("/run/sshd"):
            # sshd's privilege-separation directory, as its service unit makes it.
            os.makedirs("/run/sshd", 0o755, exist_ok=True)
        cfg = os.path.join(self.dir, "sshd_config")
        for attempt in range(5):   # the free port may be taken in between
            port = free_port()
            with open(cfg, "w") as f:
                f.write(self._sshd_config(port))
            t = subprocess.run([SSHD, "-t", "-f", cfg], capture_output=True, timeout=30)
            check(t.returncode == 0, "sshd -t rejects the config: %s" % t.stderr.decode(errors="replace"))
            start_size = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
            self._spawn([SSHD, "-D", "-e", "-f", cfg], subprocess.DEVNULL)
            want = "Server listening on 127.0.0.1 port %d." % port

            def state():
                with open(self.log_path, "rb") as f:
                    f.seek(start_size)
                    text = f.read().decode(errors="replace")
                if want in text:
                    return "up"
                if self.proc.poll() is not None:
                    return "exited"
                return None
            s = wait_for(state, START_TIMEOUT)
            if s == "up":
                self.port = port
                return
            if s is None:
                raise TestFailure("sshd did not listen within %ds" % START_TIMEOUT)
            self.log_file.close()
        raise TestFailure("sshd could not start (see its log)")

    # -- facts

    def host_pubkey(self):
        return pubkey_of(self.host_key)

    def pids(self):
        """The server's processes: its own and, for sshd, every child."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        return [self.proc.pid] + children_of(self.proc.pid)

    # -- stop

    def stop(self):
        """SIGTERM by pid, bounded wait, SIGKILL. Returns a problem text or None."""
        if self.proc is None:
            return None
        problem = None
        if self.proc.poll() is not None:
            problem = "server had already exited with %s" % self.proc.returncode
        else:
            kids = children_of(self.proc.pid)
            if not stop_pid(self.proc.pid):
                problem = "server did not stop within %ds of SIGTERM (killed)" % STOP_TIMEOUT
            # sshd's per-connection children outlive the listener: end them too.
            for k in kids:
                stop_pid(k, 2.0)
            rc = self.proc.wait(timeout=5)
            if problem is None and self.kind == "hosts_server" and rc not in (0, -signal.SIGTERM):
                problem = "server exited with %s on SIGTERM" % rc
        self.log_file.close()
        if self.proc.stdout:
            try:
                self.proc.stdout.close()
            except OSError:
                pass
        text = self.log_text()
        for m in SANITIZER_MARKERS:
            if m in text:
                problem = (problem + "; " if problem else "") + "sanitizer report in the server log"
                break
        self.proc = None
        self.exit_problem = problem
        return problem


# --- per-test context -------------------------------------------------------

class Context:
    """A temp dir, a client key authorized for the default user, and every
    process started for one test case, all cleaned up at the end."""

    def __init__(self, name):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="hs-it-%s-" % re.sub(r"[^a-z0-9]+", "", name.lower())[:12])
        self.servers = []
        self.borrowed = []     # (server or None, release) of servers that outlive this case
        self.procs = []        # Popen objects of background clients
        self.extra_pids = []   # pids learned otherwise (ControlPersist masters)
        self.lines = []
        self.user = default_user(SERVER_KIND)
        self.key = keygen(os.path.join(self.dir, "client_ed25519"), "client@hs-test")
        self.known_hosts = os.path.join(self.dir, "known_hosts")

    def log(self, msg):
        self.lines.append(msg)

    def path(self, name):
        return os.path.join(self.dir, name)

    def new_key(self, name):
        return keygen(self.path(name), name)

    def server(self, users=None, **kw):
        """Start a server under test; by default its usual user may log in
        with the context's key."""
        if users is None:
            users = {default_user(kw.get("kind") or SERVER_KIND): [self.key + ".pub"]}
        s = Server(self, users=users, **kw)
        self.servers.append(s)
        return s.start()

    def borrow(self, server, release=None):
        """Use a server that another context owns (one shared by several
        cases): its log is shown if this case fails, and release(failed), if
        given, runs when this case ends and returns a list of problems."""
        self.borrowed.append((server, release))
        return server

    def ssh_argv(self, server, args=(), key=None, user=None, opts=(), keys=None, flags=()):
        """opts: 'Name=value' ssh options; flags: raw options such as '-tt'."""
        argv = [SSH, "-F", "/dev/null",
                "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                "-o", "UserKnownHostsFile=" + self.known_hosts,
                "-o", "StrictHostKeyChecking=accept-new",
                "-o", "ConnectTimeout=10",
                "-o", "ServerAliveInterval=15",
                "-p", str(server.port)]
        for k in (keys if keys is not None else [key or self.key]):
            argv += ["-i", k]
        for o in opts:
            argv += ["-o", o]
        argv += list(flags)
        argv.append("%s@127.0.0.1" % (user or server.user))
        argv += list(args)
        return argv

    def ssh(self, server, args=(), stdin=None, stdout=None, timeout=SSH_TIMEOUT, env=None, **kw):
        """Run ssh to the end. stdin: None (/dev/null), bytes, or a file path;
        stdout: None (captured) or a file path."""
        argv = self.ssh_argv(server, args, **kw)
        t0 = time.monotonic()
        fin = subprocess.DEVNULL
        fout = subprocess.PIPE
        inp = None
        opened = []
        try:
            if isinstance(stdin, (bytes, bytearray)):
                fin, inp = None, bytes(stdin)   # run() makes the pipe
            elif stdin is not None:
                fin = open(stdin, "rb")
                opened.append(fin)
            if stdout is not None:
                fout = open(stdout, "wb")
                opened.append(fout)
            try:
                io = {"input": inp} if inp is not None else {"stdin": fin}
                e = clean_env()
                e.update(env or {})
                r = subprocess.run(argv, stdout=fout, stderr=subprocess.PIPE,
                                   timeout=timeout, env=e, **io)
            except subprocess.TimeoutExpired as e:
                raise TestFailure("ssh did not finish within %ds: %s\nstderr:\n%s" % (
                    timeout, " ".join(argv), (e.stderr or b"").decode(errors="replace")[-3000:]))
        finally:
            for f in opened:
                f.close()
        res = Result(argv, r.returncode, r.stdout or b"", r.stderr or b"", time.monotonic() - t0)
        self.log("ssh rc=%d %.2fs: %s" % (res.rc, res.elapsed, " ".join(argv[-4:])))
        return res

    def ssh_bg(self, server, args=(), stdin_path=None, stdout_path=None, stderr_path=None,
               stdin_pipe=False, **kw):
        """Start ssh in the background (files for the output streams: no
        pipes to fill; stdin a file, or a pipe the caller feeds). The caller
        waits; cleanup kills it by pid if not."""
        argv = self.ssh_argv(server, args, **kw)
        if stdin_pipe:
            fin = subprocess.PIPE
        else:
            fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        fout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
        ferr = open(stderr_path or self.path("bg-%d.err" % len(self.procs)), "wb")
        try:
            p = subprocess.Popen(argv, stdin=fin, stdout=fout, stderr=ferr, env=clean_env())
        finally:
            for f in (fin, fout, ferr):
                if f not in (subprocess.DEVNULL, subprocess.PIPE):
                    f.close()
        p.stderr_path = ferr.name
        self.procs.append(p)
        return p

    def echo_roundtrip(self, server, size=64 * 1024, opts=(), name="echo", **kw):
        """Random bytes through '-s echo'; asserts they come back unchanged."""
        src, dst = self.path(name + ".in"), self.path(name + ".out")
        want = random_file(src, size)
        r = self.ssh(server, ["-s", "echo"], stdin=src, stdout=dst, opts=opts, **kw)
        check(r.rc == 0, "echo session failed: " + r.describe())
        got = sha256_file(dst)
        check(got == want, "echo returned different bytes (%d sent, %d back)" % (
            size, os.path.getsize(dst)))
        return r

    def spawn(self, argv, **kw):
        """A helper process (not ssh) that cleanup stops by pid."""
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, env=clean_env(), **kw)
        self.procs.append(p)
        return p

    def close(self, failed):
        for p in self.procs:
            if p.poll() is None:
                try:
                    p.kill()
                except ProcessLookupError:
                    pass
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        for pid in self.extra_pids:
            if pid_alive(pid):
                stop_pid(pid, 2.0)
        problems = []
        for s in self.servers:
            pr = s.stop()
            if pr:
                problems.append(pr)
        if failed or problems:
            for s in self.servers + [b[0] for b in self.borrowed if b[0] is not None]:
                print("---- server log (%s, %s) ----" % (s.kind, s.log_path))
                print(s.log_text()[-20000:])
                if s.stdout_lines:
                    print("---- server stdout ----")
                    print("\n".join(s.stdout_lines[-50:]))
            if self.lines:
                print("---- harness log ----")
                print("\n".join(self.lines[-60:]))
        for _, release in self.borrowed:
            if release is not None:
                problems += release(failed or bool(problems))
        if KEEP:
            print("kept temp dir " + self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return problems


# --- running a test file ----------------------------------------------------

class _CaseTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise _CaseTimeout("test case took longer than %ds" % CASE_TIMEOUT)


def run(cases, under_test=None):
    """cases: list of (name, function(ctx)). Prints one line per case and a
    closing 'N passed, N failed' line; exits non-zero on any failure.
    under_test: what the cases test, when not the HS_TEST_SERVER server."""
    passed = failed = 0
    log("server under test: %s (build dir %s)%s" % (under_test or SERVER_KIND, BUILD_DIR, ", quick" if QUICK else ""))
    signal.signal(signal.SIGALRM, _alarm)
    for name, fn in cases:
        if ONLY and ONLY not in name:
            continue
        t0 = time.monotonic()
        ctx = None
        err = None
        try:
            signal.alarm(int(CASE_TIMEOUT))
            ctx = Context(name)
            fn(ctx)
        except (TestFailure, _CaseTimeout) as e:
            err = str(e)
        except Exception:
            err = traceback.format_exc()
        finally:
            signal.alarm(0)
        if err is not None:
            log("FAIL %s (%.1fs): %s" % (name, time.monotonic() - t0, err))
        problems = []
        if ctx is not None:
            try:
                problems = ctx.close(err is not None)
            except Exception:
                problems = [traceback.format_exc()]
        if err is None and problems:
            err = "; ".join(problems)
            log("FAIL %s (%.1fs): %s" % (name, time.monotonic() - t0, err))
        if err is None:
            passed += 1
            log("PASS %s (%.1fs)" % (name, time.monotonic() - t0))
        else:
            failed += 1
    log("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or passed == 0 else 0)
