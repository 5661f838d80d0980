#!/usr/bin/python3
"""The process model of `hostsd serve`: a monitor that keeps the host key
and the registry, a sandboxed network worker, subsystem children under
their own accounts. Real OpenSSH clients against the server on 127.0.0.1.

Covered: the process tree and each process's account; the worker's
NoNewPrivs, Seccomp and capabilities; the host key's seed in the
monitor's memory and not in the worker's; subsystems printing their
account, failing to read the host key and to write the registry or the
configuration; a root subsystem refused unless named, a missing `user`
account named; the sandbox refusing execve and open (a test hook makes
the worker try); a worker killed with SIGKILL replaced while a connection
on an older worker goes on; the same split started by an account that
is not root.

Run as root (CI) for the account checks; as another user, the checks that
need root are skipped with a line saying so. The program is
HS_BUILD_DIR/hostsd (HS_HOSTSD overrides the path).
"""
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import test_hardening as th  # noqa: E402  (its long_session helper)
from hostsd_server import (HOSTSD, HOST, IS_ROOT, WORKER_USER, Hostsd, cmdline,  # noqa: E402
                           ensure_account, proc_status)

SUB_USER = "hs-test-sub"   # an account of the tests' own for one subsystem


def ppid_of(pid):
    with open("/proc/%d/stat" % pid) as f:
        st = f.read()
    return int(st[st.rfind(")") + 2:].split()[1])


def uid_of(pid):
    return int(proc_status(pid).get("Uid", "-1").split()[0])


def seed_of(key_path):
    """The 32-byte Ed25519 seed of an OpenSSH private key file."""
    from cryptography.hazmat.primitives import serialization
    with open(key_path, "rb") as f:
        key = serialization.load_ssh_private_key(f.read(), None)
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


# Mappings larger than this are reservations (AddressSanitizer's shadow
# memory spans terabytes), not where a process keeps what it allocated.
BIG_MAPPING = 1 << 30
CHUNK = 8 << 20


def memory_has(pid, needle):
    """Does any readable mapping of pid hold needle? (needs root)"""
    with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            addr, perms = line.split()[:2]
            if not perms.startswith("r") or "[vvar]" in line or "[vsyscall]" in line:
                continue
            lo, hi = (int(x, 16) for x in addr.split("-"))
            if hi - lo > BIG_MAPPING:
                continue
            pos, tail = lo, b""
            while pos < hi:
                try:
                    mem.seek(pos)
                    chunk = tail + mem.read(min(CHUNK, hi - pos))
                except OSError:
                    break
                if needle in chunk:
                    return True
                tail = chunk[-(len(needle) - 1):]
                pos += CHUNK
    return False


def started(ctx, *extra_config, env=None, args=()):
    srv = Hostsd(ctx, config=["subsystem echo=cat"] + list(extra_config))
    srv.add(HOST, ctx.key, subsystems="*")
    return srv.start(*args, env=env)


def process_model(ctx):
    if IS_ROOT:
        ensure_account(SUB_USER)
    srv = Hostsd(ctx)
    key, reg, conf = srv.host_key, os.path.join(srv.dir, "registry.db"), srv.config_path
    lines = ["subsystem echo=cat",
             "subsystem id=id -u; id -g",
             "subsystem readkey=cat %s" % key,
             "subsystem writereg=echo x >> %s" % reg,
             "subsystem writeconf=echo x >> %s" % conf]
    if IS_ROOT:
        lines += ["subsystem id2=id -un", "subsystem_user id2=%s" % SUB_USER]
    srv.config(*lines)
    srv.add(HOST, ctx.key, subsystems="*")
    srv.start()
    monitor = srv.proc.pid
    worker = srv.worker()
    srv.wait_log(r"worker 1: sandbox: no_new_privs, capabilities dropped")   # in it by now
    st = proc_status(worker)
    ctx.log("worker %d: %s" % (worker, {k: st.get(k) for k in ("Uid", "NoNewPrivs", "Seccomp", "CapEff")}))
    h.check(cmdline(worker)[1:3] == ["worker", "1"], "the worker's command line: %r" % cmdline(worker))
    h.check(st.get("NoNewPrivs") == "1", "worker NoNewPrivs: %r" % st.get("NoNewPrivs"))
    h.check(st.get("Seccomp") == "2", "worker Seccomp: %r" % st.get("Seccomp"))
    for cap in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
        h.check(int(st.get(cap, "1"), 16) == 0, "worker %s: %r" % (cap, st.get(cap)))
    h.check(uid_of(monitor) == os.geteuid(), "the monitor runs as uid %d" % uid_of(monitor))
    if IS_ROOT:
        hostsd_uid = pwd.getpwnam(WORKER_USER).pw_uid
        h.check(uid_of(worker) == hostsd_uid, "the worker runs as uid %d, not %s's" % (uid_of(worker), WORKER_USER))
        h.check(int(st.get("CapBnd", "1"), 16) == 0, "worker CapBnd: %r" % st.get("CapBnd"))
    else:
        h.log("  (not root: the worker shares the monitor's uid; account checks skipped)")
        h.check(uid_of(worker) == os.geteuid(), "the worker runs as uid %d" % uid_of(worker))

    ctx.echo_roundtrip(srv)
    r = ctx.ssh(srv, ["-s", "id"])
    h.check(r.rc == 0, "subsystem id failed: " + r.describe())
    uid, gid = (int(x) for x in r.out.split())
    if IS_ROOT:
        nobody = pwd.getpwnam("nobody")
        h.check((uid, gid) == (nobody.pw_uid, nobody.pw_gid),
                "a subsystem without subsystem_user runs as %d:%d, not nobody" % (uid, gid))
        r = ctx.ssh(srv, ["-s", "id2"])
        h.check(r.rc == 0 and r.out.strip() == SUB_USER.encode(), "subsystem_user id2: " + r.describe())
        for name, what in (("readkey", "read the host key"), ("writereg", "write the registry"),
                           ("writeconf", "write the configuration")):
            r = ctx.ssh(srv, ["-s", name])
            h.check(r.rc != 0 and b"Permission denied" in r.err, "a subsystem could %s: %s" % (what, r.describe()))
        h.check(os.path.getsize(conf) > 0 and open(conf).read().count("\nx\n") == 0, "hostsd.conf was written")
    else:
        h.check(uid == os.geteuid(), "a subsystem runs as uid %d" % uid)
    # the tree: the monitor's children are the worker and, while a session
    # lasts, the subsystem's shell (the worker starts nothing)
    p, _ = th.long_session(ctx, srv, "held")
    kids = h.children_of(monitor)
    h.check(worker in kids, "the worker is not the monitor's child")
    h.check(h.children_of(worker) == [], "the worker has children: %r" % h.children_of(worker))
    shells = [k for k in kids if k != worker and ppid_of(k) == monitor]   # sh -c cat
    h.check(len(shells) == 1, "the subsystem is not the monitor's child: %r" % [cmdline(k) for k in kids])
    if IS_ROOT:
        h.check(uid_of(shells[0]) == pwd.getpwnam("nobody").pw_uid, "the held subsystem's uid")
        with open("/proc/%d/environ" % shells[0], "rb") as f:
            env = dict(e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e)
        h.check(env.get(b"HOSTSD_PEER") == HOST.encode() and b"ASAN_OPTIONS" not in env and b"SSH_AUTH_SOCK" not in env,
                "the subsystem's environment: %r" % sorted(env))
        fds = sorted(int(fd) for fd in os.listdir("/proc/%d/fd" % shells[0]))
        h.check(fds == [0, 1, 2], "the subsystem's descriptors: %r" % fds)
    p.stdin.close()
    h.check(p.wait(timeout=20) == 0, "the held session failed")


def key_not_in_worker(ctx):
    if not IS_ROOT:
        h.log("  (not root: /proc/PID/mem of the processes is not readable; skipped)")
        return
    srv = started(ctx)
    ctx.echo_roundtrip(srv)           # the worker has done a key exchange and a login
    seed = seed_of(srv.host_key)
    h.check(len(seed) == 32, "the seed is %d bytes" % len(seed))
    # the search finds the seed where it is: in the monitor
    h.check(memory_has(srv.proc.pid, seed), "the host key's seed is not in the monitor's memory (the search is broken)")
    worker = srv.worker()
    h.check(not memory_has(worker, seed), "the host key's seed is in the worker's memory")


def account_refusals(ctx):
    if not IS_ROOT:
        h.log("  (not root: no accounts to switch to; skipped)")
        return
    srv = Hostsd(ctx, config=["subsystem echo=cat", "subsystem_user *=root"])
    r = subprocess.run([HOSTSD, "serve", "--dir", srv.dir, "--listen", "127.0.0.1:0"], capture_output=True,
                       timeout=30, stdin=subprocess.DEVNULL, env=h.clean_env())
    err = r.stderr.decode(errors="replace")
    h.check(r.returncode == 1 and "echo" in err and "subsystem_user echo=root" in err,
            "a root subsystem by default was not refused (rc %d): %s" % (r.returncode, err))
    srv.config("subsystem_user echo=root")   # named: allowed
    srv.add(HOST, ctx.key, subsystems="*")
    srv.config("subsystem whoami=id -u", "subsystem_user whoami=root")
    srv.start()
    r = ctx.ssh(srv, ["-s", "whoami"])
    h.check(r.rc == 0 and r.out.strip() == b"0", "subsystem_user whoami=root: " + r.describe())
    srv.stop()
    bad = Hostsd(ctx, name="nouser", config=["user hs-no-such-account"])
    r = subprocess.run([HOSTSD, "serve", "--dir", bad.dir, "--listen", "127.0.0.1:0"], capture_output=True,
                       timeout=30, stdin=subprocess.DEVNULL, env=h.clean_env())
    err = r.stderr.decode(errors="replace")
    h.check(r.returncode == 1 and 'user "hs-no-such-account"' in err and "useradd" in err,
            "a missing user account: rc %d: %s" % (r.returncode, err))


def sandbox_refuses(ctx):
    for probe in ("exec:/bin/true", "open:HOSTKEY"):
        srv = Hostsd(ctx, name="probe-" + probe.split(":")[0], config=["subsystem echo=cat"])
        srv.add(HOST, ctx.key, subsystems="*")
        probe = probe.replace("HOSTKEY", srv.host_key)
        srv.start(env={"HOSTSD_TEST_PROBE": probe})
        ctx.echo_roundtrip(srv)
        worker = srv.worker()
        os.kill(worker, signal.SIGUSR2)
        srv.wait_log(r"worker 1: test probe: %s" % re.escape(probe), what="the probe (build with -DHS_TEST_HOOKS=ON)")
        srv.wait_log(r"worker 1 \(pid %d\) killed by signal SYS \(a system call its sandbox refuses\)" % worker)
        h.check("was allowed" not in srv.log_since_start(), "the sandbox let %s through" % probe)
        srv.wait_log(r"worker 2 started")
        ctx.echo_roundtrip(srv)       # the replacement serves
        srv.stop()


def unprivileged(ctx):
    """Started by an account that is not root, the same split under one
    uid: the worker is still a sandboxed process of its own."""
    if not IS_ROOT:
        h.log("  (not root: every other case ran this way)")
        return
    ensure_account(SUB_USER)
    pw = pwd.getpwnam(SUB_USER)
    srv = Hostsd(ctx, name="unpriv", config=["subsystem echo=cat", "subsystem id=id -u"])
    srv.add(HOST, ctx.key, subsystems="*")
    os.chmod(os.path.dirname(srv.dir), 0o711)   # the test's own directory: passage only
    os.chown(srv.dir, pw.pw_uid, pw.pw_gid)
    for name in os.listdir(srv.dir):
        os.chown(os.path.join(srv.dir, name), pw.pw_uid, pw.pw_gid)

    def as_account():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    # a copy the account can reach (the build may sit in a home of mode 0700)
    program = ctx.path("hostsd")
    shutil.copy(HOSTSD, program)
    os.chmod(program, 0o755)
    srv.start(preexec_fn=as_account, program=program)
    worker = srv.worker()
    srv.wait_log(r"worker 1: sandbox: no_new_privs")
    st = proc_status(worker)
    h.check(uid_of(srv.proc.pid) == pw.pw_uid and uid_of(worker) == pw.pw_uid,
            "monitor uid %d, worker uid %d, not %d" % (uid_of(srv.proc.pid), uid_of(worker), pw.pw_uid))
    h.check(st.get("NoNewPrivs") == "1" and st.get("Seccomp") == "2", "the worker is not sandboxed: %r" % st)
    ctx.echo_roundtrip(srv)
    r = ctx.ssh(srv, ["-s", "id"])
    h.check(r.rc == 0 and r.out.strip() == str(pw.pw_uid).encode(), "the subsystem's uid: " + r.describe())
    h.check("user " not in srv.log_since_start().split("worker 1 started")[1].split("\n")[0],
            "a worker started under another account")


def worker_replaced(ctx):
    srv = started(ctx)
    p, out = th.long_session(ctx, srv, "old")     # on worker 1
    srv.signal(signal.SIGHUP)                      # worker 2 takes over, 1 retires
    srv.wait_log(r"worker 1 \(pid \d+\) retired")
    w2 = srv.worker()
    h.check(cmdline(w2)[2] == "2", "the newest worker is %r" % cmdline(w2))
    ctx.echo_roundtrip(srv)                        # served by worker 2
    os.kill(w2, signal.SIGKILL)
    srv.wait_log(r"worker 2 \(pid %d\) killed by signal KILL" % w2)
    srv.wait_log(r"worker 3 started")
    ctx.echo_roundtrip(srv, name="after")          # worker 3
    p.stdin.write(b"still\n")                      # worker 1's session went on
    p.stdin.close()
    h.check(p.wait(timeout=20) == 0, "the session on the retired worker failed")
    with open(out, "rb") as f:
        h.check(f.read() == b"hello\nstill\n", "the session on the retired worker lost data")
    srv.wait_log(r"worker 1 \(pid \d+\) finished")


if __name__ == "__main__":
    if not os.access(HOSTSD, os.X_OK):
        h.log("no hostsd program at %s (build first, or set HS_BUILD_DIR / HS_HOSTSD)" % HOSTSD)
        sys.exit(1)
    h.run([
        ("process_model", process_model),
        ("key_not_in_worker", key_not_in_worker),
        ("account_refusals", account_refusals),
        ("sandbox_refuses", sandbox_refuses),
        ("unprivileged", unprivileged),
        ("worker_replaced", worker_replaced),
    ], under_test="hostsd serve")
