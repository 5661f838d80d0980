"""`hostsd serve` for the integration tests: a state directory made by
`hostsd init`, peers trusted with `hostsd trust add`, extra hostsd.conf
lines, and the server on 127.0.0.1 with a kernel-chosen port (read from its
"listening on" log line). Hostsd is shaped like harness.Server (port, user,
host_pubkey(), log_text(), stop()), so that a harness.Context stops it and
shows its log, and the harness's ssh helpers reach it.

Shared lends one server to several consecutive cases.

The program is HS_BUILD_DIR/hostsd (HS_HOSTSD overrides the path).
"""
import os
import re
import subprocess

import harness as h

HOSTSD = os.environ.get("HS_HOSTSD") or os.path.join(h.BUILD_DIR, "hostsd")
HOST = "node1"   # the peer host id a Hostsd's clients log in as, unless told otherwise


def _sanitized(path):
    """Is the program built with AddressSanitizer? (Its quarantine keeps
    freed memory, so memory bounds need room.)"""
    try:
        with open(path, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


ASAN = _sanitized(HOSTSD)


IS_ROOT = os.geteuid() == 0
# The account hostsd serve runs its network workers under as root (its
# `user` setting's default); a package creates it, the tests make it.
WORKER_USER = "hostsd"


def ensure_account(name):
    """A system account named name, made if missing (root only)."""
    import pwd
    try:
        pwd.getpwnam(name)
        return
    except KeyError:
        pass
    r = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                       capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    h.check(r.returncode == 0 or b"already exists" in r.stderr,
            "useradd %s failed: %s" % (name, r.stderr.decode(errors="replace")))


def cmdline(pid):
    """The argv of pid, or [] when it is gone."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def proc_status(pid):
    """/proc/PID/status as a dict of its fields ({} when it is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    except OSError:
        return {}


def fingerprint(key_path):
    """SHA256:... of a key pair's public half, as ssh-keygen -l shows it."""
    r = subprocess.run([h.SSH_KEYGEN, "-l", "-E", "sha256", "-f", key_path + ".pub"],
                       capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    h.check(r.returncode == 0, "ssh-keygen -l failed: %s" % r.stderr.decode(errors="replace"))
    return r.stdout.decode().split()[1]


class Hostsd(h.ServerProcess):
    """A state directory (hostsd init) and `hostsd serve` on it, shaped like
    harness.Server so that Context cleans it up and prints its log.

    config: lines appended to DIR/hostsd.conf (more with config())."""

    kind = "hostsd"

    def __init__(self, ctx, name="hostsd", user=HOST, config=()):
        self.ctx = ctx
        self.dir = ctx.path(name + "-state")
        self.log_path = ctx.path(name + ".log")
        self.config_path = os.path.join(self.dir, "hostsd.conf")
        self.host_key = os.path.join(self.dir, "host_ed25519")
        self.user = user
        self.proc = None
        self.port = None
        self.ports = []
        self.stdout_lines = []
        self.exit_problem = None
        self.log_file = None
        self.expect_rc = (0,)
        self._pubkey = None
        r = self.cli("init")
        h.check(r.returncode == 0, "hostsd init failed: %s" % r.stderr.decode(errors="replace"))
        ctx.servers.append(self)
        if config:
            self.config(*config)

    # -- the command line

    def cli(self, *args, timeout=60):
        argv = [HOSTSD] + list(args) + ["--dir", self.dir]
        r = subprocess.run(argv, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                           env=h.clean_env())
        self.ctx.log("%s -> %d %s" % (" ".join(argv[1:3]), r.returncode, r.stderr.decode(errors="replace")[-300:]))
        return r

    def trust(self, *args):
        r = self.cli("trust", *args)
        h.check(r.returncode == 0, "hostsd trust %s failed: %s" % (" ".join(args), r.stderr.decode(errors="replace")))
        return r

    def add(self, host, key, subsystems=None, expires=None):
        """Trust the public half (key + ".pub") of the key pair key for host."""
        args = ["add", host, key + ".pub"]
        if subsystems is not None:
            args += ["--subsystems", subsystems]
        if expires is not None:
            args += ["--expires", expires]
        return self.trust(*args)

    def add_bare(self, host, key_text, key_type="angelos-tongues", subsystems=None):
        """Trust a bare 32-byte Ed25519 key (64 hex digits or base64) for
        host, as an Angelos host shows its verify key."""
        args = ["add", host, "--type", key_type, key_text]
        if subsystems is not None:
            args += ["--subsystems", subsystems]
        return self.trust(*args)

    def config(self, *lines):
        with open(self.config_path, "a") as f:
            for line in lines:
                f.write(line + "\n")

    def host_pubkey(self):
        """'ssh-ed25519 BASE64', as `hostsd hostkey` prints it for a peer's known_hosts."""
        if self._pubkey is None:
            r = self.cli("hostkey")
            h.check(r.returncode == 0, "hostsd hostkey failed: %s" % r.stderr.decode(errors="replace"))
            parts = r.stdout.decode().split()
            h.check(len(parts) >= 2 and parts[0] == "ssh-ed25519", "hostsd hostkey printed %r" % r.stdout)
            self._pubkey = parts[0] + " " + parts[1]
        return self._pubkey

    def host_fingerprint(self):
        """SHA256:..., as `hostsd hostkey --fingerprint` prints it."""
        r = self.cli("hostkey", "--fingerprint")
        h.check(r.returncode == 0, "hostsd hostkey --fingerprint failed: %s" % r.stderr.decode(errors="replace"))
        return r.stdout.decode().strip()

    # -- the server

    def start(self, *args, listen=("127.0.0.1:0",), env=None, pass_fds=(), preexec_fn=None, program=HOSTSD):
        """`hostsd serve` on the state directory; pass_fds and preexec_fn as
        subprocess.Popen takes them (descriptors it inherits, limits);
        program: another copy of hostsd."""
        if IS_ROOT:
            ensure_account(WORKER_USER)
        argv = [program, "serve", "--dir", self.dir]
        for a in listen:
            argv += ["--listen", a]
        argv += list(args)
        self.log_start = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        self.log_file = open(self.log_path, "ab")
        e = h.clean_env()
        if ASAN:
            e["ASAN_OPTIONS"] = (e.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=8").lstrip(":")
        e.update(env or {})
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log_file,
                                     stderr=self.log_file, env=e, pass_fds=pass_fds, preexec_fn=preexec_fn)
        want = len(listen)

        def up():
            found = re.findall(r"listening on (\S+):(\d+)\n", self.log_since_start())
            if len(found) >= want:
                return found
            if self.proc.poll() is not None:
                return "exited"
            return None
        found = h.wait_for(up, h.START_TIMEOUT)
        h.check(found and found != "exited", "hostsd serve did not come up (rc %s):\n%s" % (
            self.proc.poll(), self.log_since_start()[-3000:]))
        self.ports = [int(p) for _, p in found]
        self.port = self.ports[0]
        self.ctx.log("hostsd serve pid %d on port %s" % (self.proc.pid, self.ports))
        return self

    def workers(self):
        """The pids of the server's network workers (hostsd worker ...), oldest first."""
        if self.proc is None:
            return []
        pids = [p for p in h.children_of(self.proc.pid) if cmdline(p)[1:2] == ["worker"] and h.pid_alive(p)]
        return sorted(pids, key=lambda p: int(cmdline(p)[2]) if len(cmdline(p)) > 2 else 0)

    def worker(self, timeout=10.0):
        """The pid of the newest worker, once there is one."""
        found = h.wait_for(lambda: self.workers(), timeout)
        h.check(found, "hostsd serve has no worker:\n" + self.log_since_start()[-2000:])
        return found[-1]

    def log_since_start(self):
        return self.log_text()[getattr(self, "log_start", 0):]

    def log_mark(self):
        """Where the log ends now: wait_log(since=mark) looks only after it."""
        return len(self.log_text())

    def wait_log(self, pattern, timeout=10.0, what=None, since=None):
        """Wait for a log line matching pattern (a regex), written since this
        start of the server or since a log_mark(); returns the match."""
        def text():
            return self.log_text()[since:] if since is not None else self.log_since_start()
        m = h.wait_for(lambda: re.search(pattern, text(), re.M), timeout)
        h.check(m, "no log line matching %r within %ss" % (what or pattern, timeout))
        return m

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def rss_kb(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def wait_exit(self, timeout):
        """The server's exit code once it exits by itself (None if it did not)."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self._closed()
        return rc

    def _closed(self):
        if self.log_file:
            self.log_file.close()
            self.log_file = None
        self.proc = None

    def stop(self):
        """SIGTERM, bounded wait, SIGKILL (harness.Server's contract)."""
        problem = None
        if self.proc is not None:
            if self.proc.poll() is not None:
                problem = "hostsd serve had already exited with %s" % self.proc.returncode
            else:
                kids = h.children_of(self.proc.pid)
                if not h.stop_pid(self.proc.pid):
                    problem = "hostsd serve did not stop within %ds of SIGTERM (killed)" % h.STOP_TIMEOUT
                for k in kids:
                    h.stop_pid(k, 2.0)
                rc = self.proc.wait(timeout=5)
                if problem is None and rc not in self.expect_rc:
                    problem = "hostsd serve exited with %s on SIGTERM" % rc
            self._closed()
        text = self.log_text()
        for m in h.SANITIZER_MARKERS:
            if m in text:
                problem = (problem + "; " if problem else "") + "sanitizer report in the server log"
                break
        self.exit_problem = problem
        return problem


class Shared:
    """One server for several consecutive cases. make(ctx) builds and starts
    it, in a context of its own, when the first case asks; each case borrows
    it (its log is shown when that case fails). Set uses to the number of
    cases that will ask: when the last of them ends, the server is stopped
    and any problem at that stop (its exit code, a sanitizer report) fails
    that case."""

    def __init__(self, name, make):
        self.name = name
        self.make = make
        self.uses = 0
        self.ctx = None
        self.srv = None

    def lend(self, ctx):
        try:
            if self.ctx is None:
                self.ctx = h.Context("shared-" + self.name)
                self.srv = self.make(self.ctx)
        finally:
            ctx.borrow(self.srv, self._release)   # a use, even when make failed
        h.check(self.srv is not None and self.srv.running(),
                "the shared server %s is not running (see the log of an earlier case)" % self.name)
        return self.srv

    def _release(self, failed):
        self.uses -= 1
        if self.uses > 0 or self.ctx is None:
            return []
        ctx, self.ctx, self.srv = self.ctx, None, None
        return ["shared server %s: %s" % (self.name, p) for p in ctx.close(False)]
