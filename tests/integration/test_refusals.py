#!/usr/bin/python3
"""Refusals on one multiplexed connection: everything but the echo
subsystem (pty, shell, exec, other subsystems, -L and -R forwarding) is
refused, and after each refusal the same connection still runs an echo
session; several echo channels at once on that connection all work.

Against sshd (HS_TEST_SERVER=sshd) the refusal cases are expected to fail:
sshd grants those requests."""
import os
import re
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


class Master:
    """An OpenSSH ControlMaster connection to the server; clients given
    its control path ride on it as extra channels."""

    def __init__(self, ctx, srv):
        self.ctx, self.srv = ctx, srv
        self.path = ctx.path("cm")
        self.proc = ctx.ssh_bg(srv, flags=["-N"], stderr_path=ctx.path("master.err"),
                               opts=["ControlMaster=yes", "ControlPath=" + self.path,
                                     "ControlPersist=30"])
        # With ControlPersist the process we started exits 0 once it has
        # forked the master away; only a non-zero exit means it failed.
        r = h.wait_for(lambda: self.check() or self.proc.poll() not in (None, 0) and "failed", 20, 0.1)
        with open(ctx.path("master.err"), "rb") as f:
            err = f.read().decode(errors="replace")
        h.check(r and r != "failed", "the control master did not come up (rc %s): %s" % (
            self.proc.poll(), err))

    def ctl(self, *args, timeout=20):
        return self.ctx.ssh(self.srv, flags=["-O"] + list(args),
                            opts=["ControlPath=" + self.path], timeout=timeout)

    def check(self):
        """The master's pid if it is up (ControlPersist forks it away from
        the process we started, so learn it to stop it later)."""
        r = self.ctl("check", timeout=10)
        m = re.search(r"Master running \(pid=(\d+)\)", r.text)
        if r.rc != 0 or not m:
            return None
        pid = int(m.group(1))
        if pid not in self.ctx.extra_pids:
            self.ctx.extra_pids.append(pid)
        return pid

    def mux_opts(self):
        # When the master refuses it, ssh quietly makes a connection of its
        # own; /bin/false as the proxy makes sure every client rides the master.
        return ["ControlPath=" + self.path, "ControlMaster=no", "ProxyCommand=/bin/false"]

    def ssh(self, args=(), **kw):
        opts = self.mux_opts() + list(kw.pop("opts", []))
        return self.ctx.ssh(self.srv, args, opts=opts, **kw)

    def bg(self, args=(), **kw):
        opts = self.mux_opts() + list(kw.pop("opts", []))
        return self.ctx.ssh_bg(self.srv, args, opts=opts, **kw)

    def echo_ok(self, what):
        """An echo round trip on this master, after `what`."""
        data = os.urandom(100 * 1024)
        r = self.ssh(["-s", "echo"], stdin=data)
        h.check(r.rc == 0 and r.out == data,
                "after %s: echo on the same connection failed: %s" % (what, r.describe()))
        h.check(self.check() is not None, "after %s: the master connection is gone" % what)

    def close(self):
        self.ctl("exit", timeout=10)


def with_master(fn):
    def case(ctx):
        srv = ctx.server()
        m = Master(ctx, srv)
        m.echo_ok("connecting")
        fn(ctx, m)
        m.close()
    return case


def refused_both_ways(ctx, m, args, what, stdin=b""):
    """A request refused on the multiplexed connection (the mux client only
    exits 255) and on a connection of its own, where ssh names the request
    that failed, as users see it."""
    r = m.ssh(args, stdin=stdin)
    h.check(r.rc == 255 and r.out == b"", "%s through the master was not refused (rc %s, output %r): %s" % (
        what, r.rc, r.out[:80], r.describe()))
    r = ctx.ssh(m.srv, args, stdin=stdin)
    h.check(r.rc == 255 and re.search(r"%s request failed on channel \d+" % what, r.text),
            "%s was not refused: %s" % (what, r.describe()))
    h.check(r.out == b"", "%s produced output %r" % (what, r.out[:80]))


def pty_refused(ctx, m):
    # -tt asks for a pty even without a terminal. Through the master the
    # client warns and the echo subsystem still runs, untouched by any line
    # discipline; on a connection of its own, ssh treats a refused forced
    # pty as fatal.
    data = b"line one\nline two\n"
    r = m.ssh(["-s", "echo"], stdin=data, flags=["-tt"], timeout=20)
    h.check("PTY allocation request failed" in r.text, "pty was not refused: " + r.describe())
    h.check(r.rc == 0 and r.out == data, "echo with a refused pty failed: %r %s" % (r.out[:80], r.describe()))
    m.echo_ok("a pty request")
    r = ctx.ssh(m.srv, ["-s", "echo"], stdin=data, flags=["-tt"], timeout=20)
    h.check(r.rc == 255 and "PTY allocation request failed on channel" in r.text,
            "pty on its own connection was not refused: " + r.describe())
    m.echo_ok("a pty request on another connection")


def shell_refused(ctx, m):
    refused_both_ways(ctx, m, [], "shell", stdin=b"echo hi\n")
    m.echo_ok("a shell request")


def exec_refused(ctx, m):
    refused_both_ways(ctx, m, ["true"], "exec")
    refused_both_ways(ctx, m, ["echo", "pwned"], "exec")
    m.echo_ok("exec requests")


def subsystem_refused(ctx, m):
    refused_both_ways(ctx, m, ["-s", "nosuch"], "subsystem", stdin=b"x")
    refused_both_ways(ctx, m, ["-s", "sftp"], "subsystem")
    m.echo_ok("unknown subsystems")


def local_forward_refused(ctx, m):
    # A target that would see the connection if the server forwarded it.
    target = socket.socket()
    target.bind(("127.0.0.1", 0))
    target.listen(4)
    target.settimeout(0.2)
    tport = target.getsockname()[1]
    lport = h.free_port()
    spec = "%d:127.0.0.1:%d" % (lport, tport)
    r = m.ctl("forward", "-L", spec)
    h.check(r.rc == 0, "the client could not set up its local listener: " + r.describe())
    try:
        c = socket.create_connection(("127.0.0.1", lport), timeout=10)
        c.settimeout(10)
        try:
            c.sendall(b"hello through the tunnel\n")
        except OSError:
            pass
        try:
            got = c.recv(100)
        except ConnectionResetError:
            got = b""
        except socket.timeout:
            got = None
        c.close()
        h.check(got is not None, "the forwarded connection stayed open: not refused")
        h.check(got == b"", "the forwarded connection gave data %r: not refused" % got[:50])
        try:
            conn, _ = target.accept()
            conn.close()
            raise h.TestFailure("-L forwarding reached the target: the server opened it")
        except socket.timeout:
            pass
    finally:
        target.close()
        m.ctl("cancel", "-L", spec)
    m.echo_ok("a refused -L forward")


def remote_forward_refused(ctx, m):
    rport = h.free_port()
    spec = "%d:127.0.0.1:9" % rport
    r = m.ctl("forward", "-R", spec)
    refused = r.rc != 0 or re.search(r"forwarding failed|request failed|Warning", r.text, re.I)
    listening = False
    try:
        socket.create_connection(("127.0.0.1", rport), timeout=2).close()
        listening = True
    except OSError:
        pass
    m.ctl("cancel", "-R", spec)
    h.check(refused and not listening, "-R was not refused (rc %s, server listening: %s): %s" % (
        r.rc, listening, r.describe()))
    m.echo_ok("a refused -R forward")


def agent_and_x11_refused(ctx, m):
    # The client only asks for these when it has an agent and a display:
    # give it both. They ride on an echo session, which must not suffer.
    sock = ctx.path("agent.sock")
    ctx.spawn(["ssh-agent", "-D", "-a", sock], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    h.check(h.wait_for(lambda: os.path.exists(sock), 10), "ssh-agent did not start")
    data = os.urandom(10 * 1024)
    r = ctx.ssh(m.srv, ["-s", "echo"], stdin=data, flags=["-A", "-X"],
                env={"SSH_AUTH_SOCK": sock, "DISPLAY": "127.0.0.1:99"})
    h.check("X11 forwarding request failed" in r.text, "X11 forwarding was not refused: " + r.describe())
    h.check(r.rc == 0 and r.out == data, "echo with agent/X11 requests failed: " + r.describe())
    m.echo_ok("agent and X11 requests")


def parallel_channels(ctx, m):
    n = 4
    size = (h.BULK_BYTES // 8) or h.MIB
    procs = []
    for i in range(n):
        src, dst = ctx.path("p%d.in" % i), ctx.path("p%d.out" % i)
        want = h.random_file(src, size)
        procs.append((m.bg(["-s", "echo"], stdin_path=src, stdout_path=dst), dst, want))
    deadline = time.monotonic() + 240
    for p, dst, want in procs:
        try:
            rc = p.wait(timeout=max(1, deadline - time.monotonic()))
        except Exception:
            raise h.TestFailure("a parallel echo session did not finish in time")
        with open(p.stderr_path, "rb") as f:
            err = f.read().decode(errors="replace")
        h.check(rc == 0, "parallel session exited %s: %s" % (rc, err[-2000:]))
        h.check(h.sha256_file(dst) == want, "parallel session %s came back changed" % dst)
    m.echo_ok("%d parallel sessions" % n)


if __name__ == "__main__":
    h.run([
        ("pty_refused", with_master(pty_refused)),
        ("shell_refused", with_master(shell_refused)),
        ("exec_refused", with_master(exec_refused)),
        ("subsystem_refused", with_master(subsystem_refused)),
        ("local_forward_refused", with_master(local_forward_refused)),
        ("remote_forward_refused", with_master(remote_forward_refused)),
        ("agent_and_x11_refused", with_master(agent_and_x11_refused)),
        ("parallel_channels", with_master(parallel_channels)),
    ])
