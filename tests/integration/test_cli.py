#!/usr/bin/python3
"""The hostsd command line, as a user sees it: `hostsd init`, `hostsd
hostkey`, `hostsd trust ...` and `hostsd help`, with their output, their
messages and their exit codes (0 success, 1 failure, 2 wrong usage), every
error case of the state directory, the registry and the host key, and a
robustness test: `hostsd trust add` killed with SIGKILL at random moments
leaves a sound registry holding every add that completed.

Uses the harness (tests/integration/harness.py) for its per-case temp dirs,
keys and the closing 'N passed, N failed' line; no server is started.
Runs $HS_BUILD_DIR/hostsd.
"""
import base64
import hashlib
import json
import os
import random
import re
import signal
import sqlite3
import stat
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check  # noqa: E402

HOSTSD = os.path.join(h.BUILD_DIR, "hostsd")
NOBODY = 65534
FP_RE = r"SHA256:[A-Za-z0-9+/]{43}"


class Run:
    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    def __repr__(self):
        return "argv=%s rc=%s\nstdout:\n%s\nstderr:\n%s" % (self.argv, self.rc, self.out[-2000:], self.err[-2000:])


def as_nobody():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def hostsd(*args, env=None, stdin=None, nobody=False, timeout=60):
    e = h.clean_env()
    for k in ("HOSTSD_DIR", "XDG_STATE_HOME"):
        e.pop(k, None)
    e.update(env or {})
    argv = [HOSTSD] + list(args)
    r = subprocess.run(argv, input=stdin if stdin is not None else b"", capture_output=True, env=e,
                       timeout=timeout, preexec_fn=as_nobody if nobody else None)
    return Run(argv, r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace"))


def ok(r):
    check(r.rc == 0, "expected success: %r" % r)
    return r


def fails(r, code, *needles):
    """r failed with exit code code; its stderr holds every needle, every
    stderr line starts with 'hostsd:' (or is the usage), stdout is empty."""
    check(r.rc == code, "expected exit code %d: %r" % (code, r))
    for n in needles:
        check(n in r.err, "stderr lacks %r: %r" % (n, r))
    check(r.out == "", "a failure printed on stdout: %r" % r)
    first = r.err.splitlines()[0] if r.err else ""
    check(first.startswith("hostsd: "), "message does not start with 'hostsd: ': %r" % r)
    if code == 2:
        check("Usage: hostsd" in r.err, "a usage error shows no usage: %r" % r)
    return r


def init(ctx, name="state"):
    d = ctx.path(name)
    ok(hostsd("init", "--dir", d))
    return d


def pub(path):
    with open(path + ".pub") as f:
        return f.read().strip()


def keyline(path):
    return " ".join(pub(path).split()[:2])


def fingerprint(path):
    r = subprocess.run([h.SSH_KEYGEN, "-lf", path + ".pub"], capture_output=True, timeout=30, check=True)
    return r.stdout.decode().split()[1]


def listing(d):
    """trust list as {host: [fields]}."""
    r = ok(hostsd("trust", "list", "--dir", d))
    out = {}
    for line in r.out.splitlines():
        f = line.split(" ")
        check(len(f) == 5, "trust list line has not 5 fields: %r" % line)
        out[f[0]] = f[1:]
    return out


def listing_json(d):
    r = ok(hostsd("trust", "list", "--dir", d, "--json"))
    try:
        return {x["host_id"]: x for x in json.loads(r.out)}
    except ValueError as e:
        raise h.TestFailure("trust list --json is not JSON (%s): %r" % (e, r))


# --- help and usage --------------------------------------------------------

def case_help(ctx):
    r = ok(hostsd("help"))
    check(r.out.startswith("Usage: hostsd COMMAND"), r)
    for cmd in ("init", "hostkey", "trust", "help"):
        check(re.search(r"^  %s\b" % cmd, r.out, re.M), "help lacks %s: %r" % (cmd, r))
    check(r.err == "", r)
    check(ok(hostsd("--help")).out == r.out, "--help differs from help")
    check(ok(hostsd("-h")).out == r.out, "-h differs from help")
    for argv in (["init"], ["hostkey"], ["trust"], ["trust", "add"], ["trust", "revoke"], ["trust", "remove"],
                 ["trust", "grant"], ["trust", "deny"], ["trust", "list"], ["trust", "import"], ["trust", "log"]):
        r = ok(hostsd(*(argv + ["--help"])))
        want = "Usage: hostsd " + " ".join(argv)
        check(r.out.startswith(want), "%s --help does not start with %r: %r" % (argv, want, r))
        check(r.err == "", r)
        check(ok(hostsd("help", *argv)).out == r.out, "hostsd help %s differs from --help" % argv)
        check(ok(hostsd(*(argv[:1] + ["-h"] + argv[1:]))).out != "", "-h before the subcommand")
    # Options are documented where they exist.
    r = ok(hostsd("trust", "add", "--help"))
    for opt in ("--subsystems", "--expires", "--comment", "--dir", "HOST-ID", "PUBKEY"):
        check(opt in r.out, "trust add --help lacks %s" % opt)
    check("--fingerprint" in ok(hostsd("hostkey", "--help")).out, "hostkey --help lacks --fingerprint")
    check("--json" in ok(hostsd("trust", "list", "--help")).out, "trust list --help lacks --json")
    check("hostsd-id=" in ok(hostsd("trust", "import", "--help")).out, "import --help lacks the format")
    check(re.fullmatch(r"hostsd \d+\.\d+\.\d+\n", ok(hostsd("--version")).out), "--version")


def case_usage_errors(ctx):
    fails(hostsd(), 2, "a command is missing")
    fails(hostsd("bogus"), 2, 'unknown command "bogus"')
    fails(hostsd("help", "bogus"), 2, 'unknown command "bogus"')
    fails(hostsd("trust"), 2, "a trust command is missing")
    fails(hostsd("trust", "frobnicate"), 2, 'unknown trust command "frobnicate"')
    fails(hostsd("init", "--bogus"), 2, 'unknown option "--bogus"')
    fails(hostsd("init", "-x"), 2, 'unknown option "-x"')
    fails(hostsd("init", "--dir"), 2, "--dir needs a value")
    fails(hostsd("init", "--dir", "a", "--dir", "b"), 2, "--dir is given twice")
    fails(hostsd("init", "extra"), 2, 'unexpected argument "extra"')
    fails(hostsd("hostkey", "--fingerprint=yes"), 2, "--fingerprint takes no value")
    fails(hostsd("trust", "add"), 2, "HOST-ID and PUBKEY are missing")
    fails(hostsd("trust", "add", "h"), 2, "PUBKEY is missing")
    fails(hostsd("trust", "add", "h", "k", "x"), 2, 'unexpected argument "x"')
    fails(hostsd("trust", "revoke"), 2, "HOST-ID is missing")
    fails(hostsd("trust", "grant", "h"), 2, "SUBSYSTEM is missing")
    fails(hostsd("trust", "deny"), 2, "HOST-ID and SUBSYSTEM are missing")
    fails(hostsd("trust", "import"), 2, "FILE is missing")
    fails(hostsd("trust", "list", "extra"), 2, 'unexpected argument "extra"')
    fails(hostsd("trust", "log", "--limit", "0"), 2, "--limit \"0\" must be a number")
    # A control character in a bad argument is not echoed raw.
    r = fails(hostsd("bogus\x1b[2J"), 2, "unknown command")
    check("\x1b" not in r.err, "escape character echoed: %r" % r)


# --- init and hostkey -------------------------------------------------------

def case_init(ctx):
    d = ctx.path("a/b/state")   # parents are created too
    r = ok(hostsd("init", "--dir", d))
    lines = r.out.splitlines()
    check(len(lines) == 2, "init prints the key line and the fingerprint: %r" % r)
    check(re.fullmatch(r"ssh-ed25519 AAAA[A-Za-z0-9+/=]+", lines[0]), "not a key line: %r" % lines[0])
    check(re.fullmatch(FP_RE, lines[1]), "not a fingerprint: %r" % lines[1])
    check("initialised " + d in r.err, r)
    st = os.stat(d)
    check(stat.S_IMODE(st.st_mode) == 0o700, "state dir mode %o" % stat.S_IMODE(st.st_mode))
    key = os.path.join(d, "host_ed25519")
    check(stat.S_IMODE(os.stat(key).st_mode) == 0o600, "host key mode")
    check(h.pubkey_of(key) == lines[0], "the printed key is not the key file's")
    kg = subprocess.run([h.SSH_KEYGEN, "-lf", key], capture_output=True, timeout=30)
    check(kg.stdout.decode().split()[1] == lines[1], "fingerprint differs from ssh-keygen's")
    for name in ("registry.db", "hostsd.conf"):
        check(stat.S_IMODE(os.stat(os.path.join(d, name)).st_mode) & 0o077 == 0, name + " readable by others")
    leftovers = [n for n in os.listdir(d) if n.startswith(".")]
    check(leftovers == [], "temporary files left: %r" % leftovers)
    db = sqlite3.connect(os.path.join(d, "registry.db"))
    check(db.execute("PRAGMA journal_mode").fetchone()[0] == "wal", "registry not in WAL mode")
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "registry not sound")
    check(db.execute("SELECT count(*) FROM hosts").fetchone()[0] == 0, "registry not empty")
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    check({"hosts", "host_keys", "grants", "auth_log"} <= tables, "tables: %r" % tables)
    db.close()
    with open(os.path.join(d, "hostsd.conf")) as f:
        conf = f.read()
    def engine(name):   # the engine's default (include/hostsd/limits.h), as the file writes it
        n = h.c_constant("include/hostsd/limits.h", name)
        for suffix, shift in (("G", 30), ("M", 20), ("K", 10)):
            if n and n % (1 << shift) == 0:
                return "%d%s" % (n >> shift, suffix)
        return str(n)
    for setting, default in (("listen", "0.0.0.0:2222"), ("login_grace_time", engine("HS_LOGIN_GRACE_DEFAULT")),
                             ("max_unauthenticated", engine("HS_MAX_UNAUTH_DEFAULT")),
                             ("max_unauthenticated_per_source", engine("HS_MAX_UNAUTH_PER_SOURCE_DEFAULT")),
                             ("max_auth_tries", engine("HS_MAX_AUTH_TRIES_DEFAULT")),
                             ("max_channels", engine("HS_MAX_CHANNELS_DEFAULT")),
                             ("rekey_bytes", engine("HS_REKEY_BYTES_DEFAULT")),
                             ("rekey_seconds", engine("HS_REKEY_SECONDS_DEFAULT")),
                             ("keepalive", engine("HS_KEEPALIVE_DEFAULT")), ("shutdown_timeout", "30"),
                             ("log_level", "info"), ("user", "hostsd"), ("subsystem_directory", "/"),
                             ("subsystem_umask", "077"), ("subsystem_max_processes", "512"),
                             ("subsystem_max_open_files", "1024"), ("subsystem_max_cpu", "0"),
                             ("subsystem_max_memory", "0")):
        check(re.search(r"^#%s %s$" % (setting, re.escape(default)), conf, re.M),
              "hostsd.conf lacks '#%s %s'" % (setting, default))
    check(re.search(r"^# subsystem NAME=COMMAND", conf, re.M) or "subsystem NAME=COMMAND" in conf,
          "hostsd.conf lacks subsystem")
    check(re.search(r"^# subsystem_user NAME=USER\[:GROUP\]", conf, re.M) or "subsystem_user\n# NAME=USER[:GROUP]" in conf,
          "hostsd.conf lacks subsystem_user")

    # hostkey shows the same key.
    check(ok(hostsd("hostkey", "--dir", d)).out == lines[0] + "\n", "hostkey differs")
    check(ok(hostsd("hostkey", "--dir", d, "--fingerprint")).out == lines[1] + "\n", "hostkey --fingerprint")

    # Never overwrites a host key.
    with open(key, "rb") as f:
        before = f.read()
    fails(hostsd("init", "--dir", d), 1, "never overwrites a host key", key)
    with open(key, "rb") as f:
        check(f.read() == before, "host key changed")

    # An interrupted init (no host key yet) is completed, keeping the registry.
    ok(hostsd("trust", "add", "--dir", d, "kept", keyline(ctx.key)))
    os.unlink(key)
    r = ok(hostsd("init", "--dir", d))
    check("keeping the existing configuration file" in r.err, r)
    check("kept" in listing(d), "init lost the registry")
    check(ok(hostsd("hostkey", "--dir", d)).out.split("\n")[0] == r.out.split("\n")[0], "new key not shown")


def case_init_refusals(ctx):
    # An existing directory others may use: refused, nothing created.
    d = ctx.path("open")
    os.mkdir(d)
    os.chmod(d, 0o755)
    fails(hostsd("init", "--dir", d), 1, "chmod 700 " + d)
    check(os.listdir(d) == [], "init wrote into a refused directory")
    # An existing private empty directory is fine.
    os.chmod(d, 0o700)
    ok(hostsd("init", "--dir", d))
    # A file where the directory should be.
    f = ctx.path("file")
    open(f, "w").close()
    fails(hostsd("init", "--dir", f), 1, "is not a directory")
    fails(hostsd("init", "--dir", ""), 1, "--dir is empty")
    # A directory of another user.
    d2 = ctx.path("theirs")
    os.mkdir(d2, 0o700)
    if os.geteuid() == 0:
        os.chown(d2, NOBODY, NOBODY)
        fails(hostsd("init", "--dir", d2), 1, "belongs to another user")
    # A parent we may not write to.
    if os.geteuid() == 0:
        os.chmod(ctx.dir, 0o711)   # nobody may pass through the test's dir
        ro = ctx.path("ro")
        os.mkdir(ro, 0o755)
        fails(hostsd("init", "--dir", os.path.join(ro, "state"), nobody=True), 1, "cannot create the state directory")


def case_default_dir(ctx):
    # $HOSTSD_DIR
    d = ctx.path("by-env")
    r = ok(hostsd("init", env={"HOSTSD_DIR": d}))
    check(os.path.isfile(os.path.join(d, "host_ed25519")), "HOSTSD_DIR not used")
    check(ok(hostsd("hostkey", env={"HOSTSD_DIR": d})).out.splitlines()[0] == r.out.splitlines()[0], "hostkey")
    # --dir wins over $HOSTSD_DIR.
    fails(hostsd("hostkey", "--dir", ctx.path("nowhere"), env={"HOSTSD_DIR": d}), 1, ctx.path("nowhere"))
    # Per-user defaults: run as an ordinary user (nobody) when we are root.
    if os.geteuid() == 0:
        os.chmod(ctx.dir, 0o711)   # nobody may pass through the test's dir
        home = ctx.path("home")
        os.mkdir(home, 0o755)
        os.chown(home, NOBODY, NOBODY)
        ok(hostsd("init", env={"HOME": home}, nobody=True))
        check(os.path.isfile(os.path.join(home, ".local/state/hostsd/host_ed25519")), "~/.local/state/hostsd")
        check(stat.S_IMODE(os.stat(os.path.join(home, ".local/state")).st_mode) == 0o700, "parent mode")
        ok(hostsd("hostkey", env={"HOME": home}, nobody=True))
        xdg = os.path.join(home, "xdg")
        ok(hostsd("init", env={"HOME": home, "XDG_STATE_HOME": xdg}, nobody=True))
        check(os.path.isfile(os.path.join(xdg, "hostsd/host_ed25519")), "$XDG_STATE_HOME/hostsd")
        # A relative XDG_STATE_HOME is ignored (XDG rules).
        ok(hostsd("hostkey", env={"HOME": home, "XDG_STATE_HOME": "rel"}, nobody=True))
        # root: /var/lib/hostsd (only looked at, never created here).
        if not os.path.exists("/var/lib/hostsd"):
            fails(hostsd("hostkey"), 1, "there is no state directory /var/lib/hostsd",
                  "run hostsd init --dir /var/lib/hostsd")
    else:
        home = ctx.path("home")
        os.mkdir(home)
        ok(hostsd("init", env={"HOME": home}))
        check(os.path.isfile(os.path.join(home, ".local/state/hostsd/host_ed25519")), "~/.local/state/hostsd")
        xdg = ctx.path("xdg")
        ok(hostsd("init", env={"HOME": home, "XDG_STATE_HOME": xdg}))
        check(os.path.isfile(os.path.join(xdg, "hostsd/host_ed25519")), "$XDG_STATE_HOME/hostsd")


def case_state_errors(ctx):
    missing = ctx.path("missing")
    for argv in (["hostkey"], ["trust", "list"], ["trust", "add", "h", keyline(ctx.key)], ["trust", "revoke", "h"],
                 ["trust", "log"]):
        fails(hostsd(*(argv + ["--dir", missing])), 1, "there is no state directory " + missing,
              "run hostsd init --dir " + missing)
    f = ctx.path("plainfile")
    open(f, "w").close()
    fails(hostsd("trust", "list", "--dir", f), 1, "is not a directory")
    d = init(ctx)
    # The registry file is missing.
    reg = os.path.join(d, "registry.db")
    os.rename(reg, reg + ".away")
    fails(hostsd("trust", "list", "--dir", d), 1, "there is no registry " + reg, "run hostsd init --dir " + d)
    os.rename(reg + ".away", reg)
    # The host key is readable by others: refused with the fix.
    key = os.path.join(d, "host_ed25519")
    for mode in (0o644, 0o640, 0o604, 0o660):
        os.chmod(key, mode)
        fails(hostsd("hostkey", "--dir", d), 1, "chmod 600 " + key, "refusing to use it")
    os.chmod(key, 0o600)
    ok(hostsd("hostkey", "--dir", d))
    # The host key is missing, or damaged.
    os.rename(key, key + ".away")
    fails(hostsd("hostkey", "--dir", d), 1, "there is no host key " + key, "run hostsd init --dir " + d)
    with open(key, "w") as f:
        f.write("not a key\n")
    os.chmod(key, 0o600)
    fails(hostsd("hostkey", "--dir", d), 1, key, "damaged")
    os.unlink(key)
    os.rename(key + ".away", key)
    # Unreadable state directory (another user's, private).
    if os.geteuid() == 0:
        os.chmod(ctx.dir, 0o711)
        fails(hostsd("trust", "list", "--dir", d, nobody=True), 1, d, "Permission denied", "hostsd init --dir")
        fails(hostsd("hostkey", "--dir", d, nobody=True), 1, d, "Permission denied")


def case_registry_damaged(ctx):
    d = init(ctx)
    reg = os.path.join(d, "registry.db")
    with open(reg, "wb") as f:
        f.write(b"garbage " * 1000)
    for argv in (["trust", "list"], ["trust", "add", "h", keyline(ctx.key)], ["trust", "log"]):
        fails(hostsd(*(argv + ["--dir", d])), 1, "the registry " + reg + " is damaged", "restore it from a backup")
    # A damaged page inside an otherwise valid file: quick_check finds it.
    d2 = init(ctx, "state2")
    for i in range(30):
        ok(hostsd("trust", "add", "--dir", d2, "h%d" % i, keyline(ctx.new_key("k%d" % i))))
    reg2 = os.path.join(d2, "registry.db")
    with open(reg2, "r+b") as f:
        for page in range(1, 8):
            f.seek(4096 * page)
            f.write(b"\xa5" * 8)
    fails(hostsd("trust", "list", "--dir", d2), 1, "is damaged", ".recover")
    # Another program's SQLite file.
    d3 = init(ctx, "state3")
    reg3 = os.path.join(d3, "registry.db")
    os.unlink(reg3)
    db = sqlite3.connect(reg3)
    db.execute("CREATE TABLE other (x)")
    db.commit()
    db.close()
    fails(hostsd("trust", "list", "--dir", d3), 1, "is not a hostsd registry")


def case_registry_locked(ctx):
    d = init(ctx)
    reg = os.path.join(d, "registry.db")
    holder = sqlite3.connect(reg, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")   # another process writing, for longer than the lock wait
    t0 = time.monotonic()
    r = hostsd("trust", "add", "--dir", d, "h", keyline(ctx.key))
    waited = time.monotonic() - t0
    fails(r, 1, "the registry " + reg + " is locked by another process", "try again")
    check(waited >= 4.0, "gave up after %.1fs, before the lock wait" % waited)
    # Readers are not blocked (WAL): list works meanwhile.
    ok(hostsd("trust", "list", "--dir", d))
    holder.execute("COMMIT")
    # A lock released within the wait is waited for.
    holder.execute("BEGIN IMMEDIATE")
    p = subprocess.Popen([HOSTSD, "trust", "add", "--dir", d, "h", keyline(ctx.key)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=h.clean_env())
    ctx.procs.append(p)
    time.sleep(1.0)
    # Still running a second later: it is waiting for the lock, not done.
    check(p.poll() is None, "add ended while the registry was locked")
    holder.execute("COMMIT")
    out, err = p.communicate(timeout=30)
    check(p.returncode == 0, "add did not wait for the lock: %s" % err.decode())
    # A reader holding a snapshot does not block a writer either.
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM hosts").fetchone()
    ok(hostsd("trust", "grant", "--dir", d, "h", "x"))
    holder.execute("COMMIT")
    holder.close()
    check("h" in listing(d), "host missing")


# --- trust ------------------------------------------------------------------

def case_trust_add(ctx):
    d = init(ctx)
    k1, k2, k3 = ctx.new_key("k1"), ctx.new_key("k2"), ctx.new_key("k3")
    fp1, fp2, fp3 = fingerprint(k1), fingerprint(k2), fingerprint(k3)
    # A key line.
    r = ok(hostsd("trust", "add", "--dir", d, "peer1", pub(k1), "--subsystems", "*"))
    check(r.out == "added host peer1 with key %s (subsystems: *)\n" % fp1, r)
    check(listing(d)["peer1"] == ["active", fp1, "*", "never"], listing(d))
    # Rotation from standard input: both keys, grants unchanged.
    r = ok(hostsd("trust", "add", "--dir", d, "peer1", "-", stdin=(pub(k2) + "\n").encode()))
    check(r.out == "added key %s to host peer1\n" % fp2, r)
    check(listing(d)["peer1"] == ["active", fp1 + "," + fp2, "*", "never"], listing(d))
    # From a .pub file; options after the arguments.
    r = ok(hostsd("trust", "add", "peer2", k3 + ".pub", "--dir", d, "--subsystems", "replicator,backup",
                  "--comment", "the second host"))
    check(r.out == "added host peer2 with key %s (subsystems: replicator,backup)\n" % fp3, r)
    check(listing(d)["peer2"] == ["active", fp3, "backup,replicator", "never"], listing(d))
    j = listing_json(d)
    check(j["peer2"]["keys"][0]["comment"] == "the second host", j)
    check(j["peer1"]["keys"][0]["comment"] == "k1", "the key line's comment is kept: %r" % j)
    # The same key again: nothing changes.
    r = ok(hostsd("trust", "add", "--dir", d, "peer1", pub(k1)))
    check(r.out == "host peer1 already has key %s: nothing changed\n" % fp1, r)
    # One key, one host.
    fails(hostsd("trust", "add", "--dir", d, "peer3", pub(k1)), 1, "already belongs to host \"peer1\"")
    check("peer3" not in listing(d), "refused host was created")
    # --subsystems for an existing host with other grants.
    k4 = ctx.new_key("k4")
    fails(hostsd("trust", "add", "--dir", d, "peer2", pub(k4), "--subsystems", "x"), 1,
          "host \"peer2\" exists and is granted backup,replicator", "hostsd trust grant")
    # --subsystems '' grants nothing; '=' form of options.
    r = ok(hostsd("trust", "add", "--dir=" + d, "quiet", pub(k4), "--subsystems="))
    check("(subsystems: none)" in r.out, r)
    check(listing(d)["quiet"][2] == "-", listing(d))
    # Expiry: future and past.
    k5, k6 = ctx.new_key("k5"), ctx.new_key("k6")
    ok(hostsd("trust", "add", "--dir", d, "later", pub(k5), "--expires", "2099-12-31"))
    check(listing(d)["later"][1] == fingerprint(k5) + "(expires:2099-12-31)", listing(d))
    r = ok(hostsd("trust", "add", "--dir", d, "old", pub(k6), "--expires", "2001-02-03"))
    check("warning: the key expires on 2001-02-03, which is not in the future" in r.err, r)
    check(listing(d)["old"][:2] == ["inactive", fingerprint(k6) + "(expired:2001-02-03)"], listing(d))
    j = listing_json(d)
    check(j["old"]["keys"][0]["state"] == "expired" and j["old"]["keys"][0]["expires"] == "2001-02-03", j)
    check(j["old"]["status"] == "inactive", j)


def case_trust_add_refusals(ctx):
    d = init(ctx)
    k = ctx.new_key("k")
    line = pub(k)
    long_id = "a" * 65
    for bad in ("../x", "a/b", "a b", "", ".hidden", "a\x01b", "a\x1b[31m", long_id, "x;rm", "caf\u00e9"):
        r = fails(hostsd("trust", "add", "--dir", d, "--", bad, line), 2, "invalid host identity",
                  "1 to 64 characters of A-Z a-z 0-9 . _ -")
        check("\x1b" not in r.err and "\x01" not in r.err, "control character echoed: %r" % r)
    fails(hostsd("trust", "add", "--dir", d, "-x", line), 2, 'unknown option "-x"')
    fails(hostsd("trust", "add", "--dir", d, "--", "-x", line), 2, "invalid host identity \"-x\"")
    ok(hostsd("trust", "add", "--dir", d, "a" * 64, line))   # 64 is fine
    check(list(listing(d)) == ["a" * 64], "only the valid host was added: %r" % listing(d))
    uuid = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
    ok(hostsd("trust", "add", "--dir", d, uuid, pub(ctx.new_key("ku"))))
    # Bad option values.
    k2 = ctx.new_key("k2")
    fails(hostsd("trust", "add", "--dir", d, "h", pub(k2), "--expires", "2030-13-01"), 2,
          "--expires \"2030-13-01\" is not a date YYYY-MM-DD")
    fails(hostsd("trust", "add", "--dir", d, "h", pub(k2), "--expires", "tomorrow"), 2, "is not a date")
    fails(hostsd("trust", "add", "--dir", d, "h", pub(k2), "--subsystems", "a b"), 2, "invalid subsystem name \"a b\"")
    fails(hostsd("trust", "add", "--dir", d, "h", pub(k2), "--subsystems", "a,,b"), 2, "invalid subsystem name \"\"")
    fails(hostsd("trust", "add", "--dir", d, "h", pub(k2), "--comment", "two\nlines"), 2, "--comment must be printable")
    fails(hostsd("trust", "add", "--dir", d, "h", pub(k2), "--comment", "x" * 300), 2, "at most 256 bytes")
    # Bad keys.
    fails(hostsd("trust", "add", "--dir", d, "h", k2), 1, "is a private key", ".pub")
    fails(hostsd("trust", "add", "--dir", d, "h", ctx.path("nope.pub")), 1, "no such file",
          "- for standard input")
    fails(hostsd("trust", "add", "--dir", d, "h", "ssh-ed25519 AAAAnotbase64!!"), 1,
          "is not a valid OpenSSH public key line")
    fails(hostsd("trust", "add", "--dir", d, "h", "ssh-dss AAAAB3NzaC1kc3MAAACBAP"), 1, "not a valid")
    blob = pub(k2).split()[1]
    fails(hostsd("trust", "add", "--dir", d, "h", "ssh-rsa " + blob), 1, "key type \"ssh-rsa\" is not supported or "
          "does not match the key")
    fails(hostsd("trust", "add", "--dir", d, "h", "-", stdin=b""), 1, "standard input holds no public key")
    fails(hostsd("trust", "add", "--dir", d, "h", "-", stdin=(pub(k2) + "\n" + pub(k) + "\n").encode()), 1,
          "holds 2 lines, not one public key", "hostsd trust import")
    fails(hostsd("trust", "add", "--dir", d, "h", "-", stdin=b"\x00\x01binary"), 1, "is not a text file")
    fails(hostsd("trust", "add", "--dir", d, "h", d), 1, "is not a regular file")
    check("h" not in listing(d), "a refused add left a host")
    # Comments and empty lines around the key are fine.
    ok(hostsd("trust", "add", "--dir", d, "h", "-", stdin=("# mine\n\n" + pub(k2) + "\r\n").encode()))
    # The classic profile's key types: RSA of 2048 bits and more, ECDSA.
    for kind, bits in (("rsa", 2048), ("ecdsa", 256), ("ecdsa", 384), ("ecdsa", 521), ("rsa", 1024)):
        path = ctx.path("classic_%s%d" % (kind, bits))
        subprocess.run([h.SSH_KEYGEN, "-q", "-t", kind, "-b", str(bits), "-N", "", "-f", path],
                       check=True, timeout=60, stdin=subprocess.DEVNULL)
        host = "classic-%s%d" % (kind, bits)
        if bits == 1024:
            fails(hostsd("trust", "add", "--dir", d, host, pub(path)), 1, "key type \"ssh-rsa\" is not supported",
                  "ssh-rsa (2048 to 16384 bits")
            check(host not in listing(d), "a 1024-bit RSA key was added")
        else:
            ok(hostsd("trust", "add", "--dir", d, host, pub(path)))
            check(host in listing(d), "%s was not added" % host)

# The Angelos project's known answer: seed 00 01 .. 1f.
ANGELOS_HEX = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
ANGELOS_B64 = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="


def ssh_string(b):
    return struct.pack(">I", len(b)) + b


def blob_fingerprint(blob):
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def case_angelos_keys(ctx):
    d = init(ctx)
    raw = bytes.fromhex(ANGELOS_HEX)
    # The blob an Angelos host presents: string(type) || base64(key), no length prefix.
    angelos_fp = blob_fingerprint(ssh_string(b"angelos-tongues") + ANGELOS_B64.encode())
    ed_fp = blob_fingerprint(ssh_string(b"ssh-ed25519") + ssh_string(raw))
    host = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
    r = ok(hostsd("trust", "add", "--dir", d, host, "--type", "angelos-tongues", ANGELOS_HEX,
                  "--subsystems", "replicator"))
    check(r.out == "added host %s with key %s (subsystems: replicator)\n" % (host, angelos_fp), r)
    check(listing(d)[host] == ["active", angelos_fp, "replicator", "never"], listing(d))
    # The base64 form (from standard input, with blanks around it) is the same key.
    r = ok(hostsd("trust", "add", "--dir", d, host, "--type=angelos-tongues", "-",
                  stdin=(" " + ANGELOS_B64 + "\n").encode()))
    check(r.out == "host %s already has key %s: nothing changed\n" % (host, angelos_fp), r)
    # The same key line form needs no --type.
    line = "angelos-tongues " + base64.b64encode(ssh_string(b"angelos-tongues") + ANGELOS_B64.encode()).decode()
    r = ok(hostsd("trust", "add", "--dir", d, host, line))
    check("nothing changed" in r.out, r)
    # As ssh-ed25519, the same 32 bytes are another key (another blob).
    r = ok(hostsd("trust", "add", "--dir", d, "plain", "--type", "ssh-ed25519", ANGELOS_HEX.upper(),
                  "--subsystems", "*"))
    check(r.out == "added host plain with key %s (subsystems: *)\n" % ed_fp, r)
    # Mistakes.
    for bad in (ANGELOS_HEX[:-1], ANGELOS_HEX + "0", ANGELOS_B64.rstrip("="), ANGELOS_B64[:-2] + "h=",
                "zz" * 32, ANGELOS_HEX[:32] + " " + ANGELOS_HEX[32:], ""):
        fails(hostsd("trust", "add", "--dir", d, "bad", "--type", "angelos-tongues", bad), 1,
              "is not a valid angelos-tongues key", "64 hexadecimal digits or 44 characters of base64")
    fails(hostsd("trust", "add", "--dir", d, "bad", "--type", "ssh-rsa", ANGELOS_HEX), 2,
          "--type \"ssh-rsa\" is not a raw key type", "angelos-tongues or ssh-ed25519")
    fails(hostsd("trust", "add", "--dir", d, "bad", "--type", "angelos-tongues", line), 1,
          "not a key line", "without --type")
    check("bad" not in listing(d), "a refused add left a host")
    # hostsd hostkey --angelos: the host key's 32 bytes, hex then base64.
    r = ok(hostsd("hostkey", "--dir", d))
    host_raw = base64.b64decode(r.out.split()[1])[-32:]
    r = ok(hostsd("hostkey", "--dir", d, "--angelos"))
    check(r.out == host_raw.hex() + "\n" + base64.b64encode(host_raw).decode() + "\n", r)
    fails(hostsd("hostkey", "--dir", d, "--angelos", "--fingerprint"), 2, "cannot be given together")
    # What it prints is what trust add takes (a peer pinning this host).
    d2 = init(ctx, "other")
    want = blob_fingerprint(ssh_string(b"angelos-tongues") + base64.b64encode(host_raw))
    hex_text, b64_text = r.out.split()
    r = ok(hostsd("trust", "add", "--dir", d2, "me", "--type", "angelos-tongues", hex_text, "--subsystems", "*"))
    check(r.out == "added host me with key %s (subsystems: *)\n" % want, r)
    r = ok(hostsd("trust", "add", "--dir", d2, "me", "--type", "angelos-tongues", b64_text))
    check("nothing changed" in r.out, r)


def case_trust_revoke_remove(ctx):
    d = init(ctx)
    k1, k2 = ctx.new_key("k1"), ctx.new_key("k2")
    fp1, fp2 = fingerprint(k1), fingerprint(k2)
    ok(hostsd("trust", "add", "--dir", d, "p", pub(k1)))
    ok(hostsd("trust", "add", "--dir", d, "p", pub(k2)))
    # Revoke one key.
    r = ok(hostsd("trust", "revoke", "--dir", d, "p", fp1))
    check(r.out == "revoked key %s of host p\n" % fp1, r)
    check(listing(d)["p"][:2] == ["active", fp1 + "(revoked)," + fp2], listing(d))
    r = ok(hostsd("trust", "revoke", "--dir", d, "p", fp1))
    check(r.out == "key %s of host p was already revoked\n" % fp1, r)
    j = listing_json(d)
    check(j["p"]["keys"][0]["state"] == "revoked" and j["p"]["keys"][0]["revoked_at"], j)
    # A revoked key is not trusted again by adding it.
    fails(hostsd("trust", "add", "--dir", d, "p", pub(k1)), 1, "was revoked and stays so",
          "hostsd trust remove p " + fp1)
    # Errors.
    fails(hostsd("trust", "revoke", "--dir", d, "p", "SHA256:nope"), 2, "is not a key fingerprint")
    fails(hostsd("trust", "revoke", "--dir", d, "p", "SHA256:" + "A" * 43), 1, "host \"p\" has no key SHA256:AAAA")
    fails(hostsd("trust", "revoke", "--dir", d, "nobody"), 1, "there is no host \"nobody\" in the registry")
    fails(hostsd("trust", "revoke", "--dir", d, "../x"), 2, "invalid host identity")
    fails(hostsd("trust", "remove", "--dir", d, "nobody"), 1, "there is no host \"nobody\"")
    # Remove the revoked key: it can be added again.
    r = ok(hostsd("trust", "remove", "--dir", d, "p", fp1))
    check(r.out == "removed key %s of host p\n" % fp1, r)
    ok(hostsd("trust", "add", "--dir", d, "p", pub(k1)))
    # Revoke the host.
    r = ok(hostsd("trust", "revoke", "--dir", d, "p"))
    check(r.out == "revoked host p\n", r)
    check(listing(d)["p"][0] == "revoked", listing(d))
    check(ok(hostsd("trust", "revoke", "--dir", d, "p")).out == "host p was already revoked\n", "again")
    fails(hostsd("trust", "add", "--dir", d, "p", pub(ctx.new_key("k3"))), 1, "host \"p\" is revoked",
          "hostsd trust remove p")
    j = listing_json(d)
    check(j["p"]["revoked"] is True and j["p"]["status"] == "revoked", j)
    # Remove the host: gone, and its keys are free for another host.
    r = ok(hostsd("trust", "remove", "--dir", d, "p"))
    check(r.out == "removed host p\n", r)
    check("p" not in listing(d), listing(d))
    ok(hostsd("trust", "add", "--dir", d, "q", pub(k1)))


def case_trust_grant_deny(ctx):
    d = init(ctx)
    ok(hostsd("trust", "add", "--dir", d, "h", pub(ctx.key), "--subsystems", "replicator"))
    r = ok(hostsd("trust", "grant", "--dir", d, "h", "backup"))
    check(r.out == "granted backup to host h\n", r)
    check(listing(d)["h"][2] == "backup,replicator", listing(d))
    r = ok(hostsd("trust", "grant", "--dir", d, "h", "backup"))
    check(r.out == "subsystem backup was already granted to host h: nothing changed\n", r)
    r = ok(hostsd("trust", "deny", "--dir", d, "h", "replicator"))
    check(r.out == "denied replicator to host h\n", r)
    r = ok(hostsd("trust", "deny", "--dir", d, "h", "replicator"))
    check(r.out == "subsystem replicator was not granted to host h: nothing changed\n", r)
    check(listing(d)["h"][2] == "backup", listing(d))
    ok(hostsd("trust", "grant", "--dir", d, "h", "*"))
    check(listing(d)["h"][2] == "*,backup", listing(d))
    fails(hostsd("trust", "deny", "--dir", d, "h", "backup"), 1, "is granted every subsystem (*)", "deny * first")
    ok(hostsd("trust", "deny", "--dir", d, "h", "*"))
    ok(hostsd("trust", "deny", "--dir", d, "h", "backup"))
    check(listing(d)["h"][2] == "-", listing(d))
    check(listing_json(d)["h"]["grants"] == [], "grants in JSON")
    fails(hostsd("trust", "grant", "--dir", d, "h", "a b"), 2, "invalid subsystem name \"a b\"")
    fails(hostsd("trust", "grant", "--dir", d, "h", "-x"), 2, "unknown option")
    fails(hostsd("trust", "grant", "--dir", d, "nobody", "x"), 1, "there is no host \"nobody\"")
    fails(hostsd("trust", "deny", "--dir", d, "a/b", "x"), 2, "invalid host identity")


def case_trust_list(ctx):
    d = init(ctx)
    r = ok(hostsd("trust", "list", "--dir", d))
    check(r.out == "", "empty registry lists nothing: %r" % r)
    check(ok(hostsd("trust", "list", "--dir", d, "--json")).out.strip() == "[]", "empty JSON")
    names = ["zulu", "alpha", "Mike", "bravo.2", "c_d-e"]
    for i, n in enumerate(names):
        ok(hostsd("trust", "add", "--dir", d, n, pub(ctx.new_key("k%d" % i))))
    r = ok(hostsd("trust", "list", "--dir", d))
    first = [line.split(" ")[0] for line in r.out.splitlines()]
    check(first == sorted(names), "first words are the sorted host ids: %r" % first)
    # A login the server recorded shows as the last login (written here as
    # the server's registry calls write it).
    db = sqlite3.connect(os.path.join(d, "registry.db"))
    db.execute("UPDATE hosts SET last_login = 1795471200, last_login_peer = '10.0.0.1:40000', "
               "last_login_key = 'SHA256:x' WHERE host_id = 'alpha'")
    db.commit()
    db.close()
    check(listing(d)["alpha"][3] == "2026-11-23T22:00:00Z", listing(d))
    j = listing_json(d)
    check(j["alpha"]["last_login"] == {"time": "2026-11-23T22:00:00Z", "peer": "10.0.0.1:40000",
                                       "fingerprint": "SHA256:x"}, j)
    check(j["zulu"]["last_login"] is None, j)
    for key in ("host_id", "status", "revoked", "revoked_at", "created", "keys", "grants", "last_login"):
        check(key in j["zulu"], "JSON lacks %s" % key)
    for key in ("fingerprint", "type", "state", "added", "expires", "revoked_at", "comment"):
        check(key in j["zulu"]["keys"][0], "JSON key lacks %s" % key)
    # A comment with quotes, backslashes and non-ASCII survives JSON.
    ok(hostsd("trust", "add", "--dir", d, "q", pub(ctx.new_key("kq")), "--comment", 'say "hi" \\ caf\u00e9'))
    check(listing_json(d)["q"]["keys"][0]["comment"] == 'say "hi" \\ caf\u00e9', "comment in JSON")


def case_trust_log(ctx):
    d = init(ctx)
    check(ok(hostsd("trust", "log", "--dir", d)).out == "", "empty log")
    db = sqlite3.connect(os.path.join(d, "registry.db"))
    db.executemany("INSERT INTO auth_log (time, peer, host_id, fingerprint, result, reason) VALUES (?,?,?,?,?,?)", [
        (1795471200, "10.0.0.1:40000", "peer1", "SHA256:abc", "accepted", ""),
        (1795471260, "10.0.0.2:40001", "who am i", "", "refused", "unknown host"),
    ])
    db.commit()
    db.close()
    r = ok(hostsd("trust", "log", "--dir", d))
    check(r.out.splitlines() == [
        "2026-11-23T22:01:00Z refused who?am?i 10.0.0.2:40001 - unknown host",
        "2026-11-23T22:00:00Z accepted peer1 10.0.0.1:40000 SHA256:abc ",
    ], r)
    r = ok(hostsd("trust", "log", "--dir", d, "peer1", "--json"))
    check(json.loads(r.out) == [{"time": "2026-11-23T22:00:00Z", "result": "accepted", "host_id": "peer1",
                                 "peer": "10.0.0.1:40000", "fingerprint": "SHA256:abc", "reason": ""}], r)
    check(len(ok(hostsd("trust", "log", "--dir", d, "--limit", "1")).out.splitlines()) == 1, "limit")


def entry(host, key, opts=""):
    return "hostsd-id=%s%s %s\n" % (host, opts, pub(key))


def case_trust_import(ctx):
    d = init(ctx)
    ka, kb, kc, kd = (ctx.new_key(n) for n in ("ka", "kb", "kc", "kd"))
    good = ctx.path("good_keys")
    with open(good, "w") as f:
        f.write("# peers of this host\n\n")
        f.write(entry("a", ka))
        f.write(entry("b", kb, ',hostsd-subsystems="replicator,backup",expiry-time="20991231",no-pty'))
        f.write(entry("a", kc))   # a second key for a
    r = ok(hostsd("trust", "import", "--dir", d, good))
    check(r.out == "imported %s: 3 keys added (2 new hosts), 0 already present\n" % good, r)
    ls = listing(d)
    check(ls["a"][1] == fingerprint(ka) + "," + fingerprint(kc) and ls["a"][2] == "*", ls)
    check(ls["b"][1] == fingerprint(kb) + "(expires:2099-12-31)" and ls["b"][2] == "backup,replicator", ls)
    # Again: everything is already there.
    r = ok(hostsd("trust", "import", "--dir", d, good))
    check(r.out == "imported %s: 0 keys added (0 new hosts), 3 already present\n" % good, r)
    # From standard input.
    r = ok(hostsd("trust", "import", "--dir", d, "-", stdin=entry("c", kd).encode()))
    check("imported standard input: 1 key added (1 new host)" in r.out, r)

    # Bad lines: each reported with its number, nothing imported.
    before = listing(d)
    ke = ctx.new_key("ke")
    bad = ctx.path("bad_keys")
    with open(bad, "w") as f:
        f.write(entry("e", ke))                                    # 1: fine
        f.write(pub(ke) + "\n")                                    # 2: no hostsd-id
        f.write("# comment\n")                                     # 3
        f.write(entry("../x", ke))                                 # 4: bad id
        f.write(entry("f", ke, ',command="/bin/sh"'))              # 5: refused option
        f.write("hostsd-id=g ssh-ed25519 AAAAgarbage\n")           # 6: bad key
        f.write(entry("h", ke, ',expiry-time="2030-01-01"'))       # 7: bad date
    r = fails(hostsd("trust", "import", "--dir", d, bad), 1, "nothing imported: 5 bad lines in " + bad)
    for n, what in ((2, "no hostsd-id=HOST option"), (4, "invalid host identity \"../x\""),
                    (5, "option \"command\" is not supported"), (6, "not a valid public key"),
                    (7, 'expiry-time="2030-01-01" is not a date YYYYMMDD')):
        check("hostsd: %s:%d: %s" % (bad, n, what) in r.err, "line %d not reported: %r" % (n, r))
    check(":1:" not in r.err and ":3:" not in r.err, "good lines reported: %r" % r)
    check(listing(d) == before, "a refused import changed the registry")
    # Lines that parse but the registry refuses: also all or nothing.
    conflict = ctx.path("conflict_keys")
    with open(conflict, "w") as f:
        f.write(entry("new1", ke))
        f.write(entry("new2", ka))   # ka belongs to a
        f.write(entry("b", ctx.new_key("kf"), ',hostsd-subsystems="other"'))
    r = fails(hostsd("trust", "import", "--dir", d, conflict), 1, "nothing imported: 2 bad lines")
    check("%s:2: key %s already belongs to host \"a\"" % (conflict, fingerprint(ka)) in r.err, r)
    check("%s:3: host \"b\" exists and is granted" % conflict in r.err, r)
    check(listing(d) == before, "a refused import changed the registry (new1 kept?)")
    # Files that are not files, or hold nothing.
    fails(hostsd("trust", "import", "--dir", d, ctx.path("nope")), 1, "cannot read", "No such file")
    empty = ctx.path("empty")
    with open(empty, "w") as f:
        f.write("# nothing\n")
    fails(hostsd("trust", "import", "--dir", d, empty), 1, "holds no keys")
    # Many bad lines: the first 20 are shown, the rest counted.
    many = ctx.path("many")
    with open(many, "w") as f:
        for i in range(30):
            f.write("junk %d\n" % i)
    r = fails(hostsd("trust", "import", "--dir", d, many), 1, "... and 10 more bad lines",
              "nothing imported: 30 bad lines")


# --- robustness ---------------------------------------------------------------

def case_sigkill(ctx):
    """trust add killed at random moments: the registry stays sound and
    holds every add that finished."""
    d = init(ctx)
    iterations = 50
    keys = []
    for i in range(iterations):
        k = ctx.path("kill%d" % i)
        subprocess.run([h.SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", k], check=True, timeout=30,
                       stdin=subprocess.DEVNULL)
        keys.append(keyline(k))
    # How long one add takes, to spread the kills over its whole run.
    t0 = time.monotonic()
    ok(hostsd("trust", "add", "--dir", d, "warmup", pub(ctx.key), "--subsystems", "*"))
    span = max(0.02, (time.monotonic() - t0) * 1.5)
    rnd = random.Random(int(os.environ.get("HS_TEST_SEED", "0")) or None)
    completed, killed = ["warmup"], []
    for i in range(iterations):
        host = "killed-%d" % i
        p = subprocess.Popen([HOSTSD, "trust", "add", "--dir", d, host, keys[i], "--subsystems", "a,b"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=h.clean_env())
        ctx.procs.append(p)
        time.sleep(rnd.uniform(0, span))
        try:
            os.kill(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout=30)
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        if p.returncode == 0:
            completed.append(host)
        elif p.returncode == -signal.SIGKILL:
            killed.append(host)
        else:
            raise h.TestFailure("trust add failed (rc %s) rather than being killed: %s" % (p.returncode, err))
    ctx.log("sigkill: %d completed, %d killed (span %.0f ms)" % (len(completed), len(killed), span * 1000))
    db = sqlite3.connect(os.path.join(d, "registry.db"))
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "registry damaged after SIGKILLs")
    check(db.execute("PRAGMA foreign_key_check").fetchall() == [], "dangling rows")
    db.close()
    j = listing_json(d)   # also: the CLI's quick_check passes
    for host in completed:
        check(host in j, "completed add of %s lost" % host)
    # Killed adds are whole or absent: never a host without its key or grants.
    for host, x in j.items():
        want_grants = ["*"] if host == "warmup" else ["a", "b"]
        check(len(x["keys"]) == 1 and x["grants"] == want_grants, "half-done add: %r" % x)
    # And the registry is still usable for more changes.
    ok(hostsd("trust", "add", "--dir", d, "after", pub(ctx.new_key("after"))))


if __name__ == "__main__":
    if not os.access(HOSTSD, os.X_OK):
        print("no hostsd binary at %s (build first, or set HS_BUILD_DIR)" % HOSTSD)
        print("0 passed, 1 failed")
        sys.exit(1)
    h.run([
        ("help", case_help),
        ("usage errors", case_usage_errors),
        ("init", case_init),
        ("init refusals", case_init_refusals),
        ("default state directory", case_default_dir),
        ("state directory errors", case_state_errors),
        ("registry damaged", case_registry_damaged),
        ("registry locked", case_registry_locked),
        ("trust add", case_trust_add),
        ("trust add refusals", case_trust_add_refusals),
        ("angelos keys", case_angelos_keys),
        ("trust revoke and remove", case_trust_revoke_remove),
        ("trust grant and deny", case_trust_grant_deny),
        ("trust list", case_trust_list),
        ("trust log", case_trust_log),
        ("trust import", case_trust_import),
        ("sigkill during trust add", case_sigkill),
    ])
