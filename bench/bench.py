#!/usr/bin/python3
"""Benchmark: the example server (hosts_server) against OpenSSH's sshd on
the same machine, same algorithms, same clients (see bench/README.md).

  (a) memory: server RSS with N idle authenticated connections, per connection
  (b) CPU: server user+sys CPU per login over M sequential logins
  (c) throughput: a SIZE MiB echo round trip, per cipher

Python 3 standard library only; reuses the integration-test harness to
start and stop the servers."""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
import harness as h  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- measuring a server -----------------------------------------------------

def proc_status_kib(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_private_kib(pid):
    """Private_Clean + Private_Dirty: memory no other process shares. (PSS
    would drop as the ssh clients map the same libraries as the server.)"""
    total = 0
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
    except OSError:
        pass
    return total


def memory(srv):
    """(RSS KiB summed over the server's processes, private KiB likewise, count)."""
    pids = srv.pids()
    return (sum(proc_status_kib(p, "VmRSS") for p in pids),
            sum(proc_private_kib(p) for p in pids), len(pids))


def cpu_seconds(pid):
    """user+sys of pid and of its children it has reaped (sshd forks a
    process per connection and reaps it when the connection ends)."""
    with open("/proc/%d/stat" % pid) as f:
        st = f.read()
    rest = st[st.rfind(")") + 2:].split()
    utime, stime, cutime, cstime = (int(x) for x in rest[11:15])
    return (utime + stime + cutime + cstime) / CLK_TCK


def settle(srv, timeout=10):
    """Wait until sshd has reaped its per-connection children."""
    if srv.kind == "sshd":
        h.wait_for(lambda: len(srv.pids()) <= 1, timeout)
    time.sleep(0.2)


# --- clients ----------------------------------------------------------------

def ssh_argv(ctx, srv, cipher=None, extra=()):
    argv = [h.SSH, "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
            "-p", str(srv.port), "-i", ctx.key]
    if cipher:
        argv += ["-o", "Ciphers=" + cipher]
    return argv + list(extra) + ["%s@127.0.0.1" % srv.user]


def idle_connections(ctx, srv, n, batch=10):
    """n authenticated connections that stay open (ssh -N); LocalCommand
    runs once a client is logged in, which is how we know it is."""
    ready = ctx.path("ready-%s" % srv.kind)
    os.makedirs(ready, exist_ok=True)
    procs = []
    for start in range(0, n, batch):
        for i in range(start, min(n, start + batch)):
            flag = os.path.join(ready, str(i))
            argv = ssh_argv(ctx, srv, extra=["-N", "-o", "PermitLocalCommand=yes",
                                             "-o", "LocalCommand=touch " + flag])
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=h.clean_env())
            ctx.procs.append(p)
            procs.append(p)
        want = min(n, start + batch)
        if not h.wait_for(lambda: len(os.listdir(ready)) >= want, 60, 0.05):
            raise h.TestFailure("%s: only %d of %d clients logged in" % (srv.kind, len(os.listdir(ready)), want))
    return procs


def stop_clients(procs):
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)


# --- the three measurements -------------------------------------------------

def warm_up(ctx, srv):
    """One login first, so that one-off set-up (library init, thread pool)
    is not counted as the cost of a connection."""
    r = subprocess.run(ssh_argv(ctx, srv, extra=["-s"]) + ["echo"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60, env=h.clean_env())
    if r.returncode != 0:
        raise h.TestFailure("%s: warm-up login failed: %s" % (srv.kind, r.stderr.decode(errors="replace")))


def bench_memory(ctx, srv, n):
    warm_up(ctx, srv)
    settle(srv)
    base_rss, base_priv, base_np = memory(srv)
    procs = idle_connections(ctx, srv, n)
    time.sleep(1.0)
    rss, priv, np_ = memory(srv)
    stop_clients(procs)
    settle(srv)
    return {"base_rss": base_rss, "rss": rss, "base_priv": base_priv, "priv": priv, "procs": np_,
            "rss_per_conn": (rss - base_rss) / n, "priv_per_conn": (priv - base_priv) / n}


def bench_logins(ctx, srv, total, batches=5, kex=None, pq_client=False):
    """Server CPU per login with ssh (KexAlgorithms=kex), or with the
    engine's test client (build/pq_client) for the key exchanges no
    installed client has."""
    warm_up(ctx, srv)
    per = max(1, total // batches)
    cpu, wall = [], []
    if pq_client:
        argv = [os.path.join(h.BUILD_DIR, "pq_client"), "127.0.0.1", str(srv.port), kex, srv.user, ctx.key,
                "echo", "norekey"]
    else:
        argv = ssh_argv(ctx, srv, extra=(["-o", "KexAlgorithms=" + kex] if kex else []) + ["-s"]) + ["echo"]
    for b in range(batches):
        settle(srv)
        c0, t0 = cpu_seconds(srv.proc.pid), time.monotonic()
        for i in range(per):
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=60, env=h.clean_env())
            if r.returncode != 0:
                raise h.TestFailure("%s: login %d failed: %s" % (srv.kind, i, r.stderr.decode(errors="replace")))
        t1 = time.monotonic()
        settle(srv)
        cpu.append((cpu_seconds(srv.proc.pid) - c0) / per)
        wall.append((t1 - t0) / per)
    return {"cpu_ms": statistics.median(cpu) * 1000, "wall_ms": statistics.median(wall) * 1000,
            "logins": per * batches}


def bench_throughput(ctx, srv, src, want, size, cipher):
    dst = ctx.path("tp.out")
    argv = ssh_argv(ctx, srv, cipher=cipher, extra=["-s"]) + ["echo"]
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        t0 = time.monotonic()
        r = subprocess.run(argv, stdin=fin, stdout=fout, stderr=subprocess.PIPE, timeout=900,
                           env=h.clean_env())
        dt = time.monotonic() - t0
    if r.returncode != 0 or h.sha256_file(dst) != want:
        raise h.TestFailure("%s %s: echo failed or changed the data: %s" % (
            srv.kind, cipher, r.stderr.decode(errors="replace")))
    os.unlink(dst)
    return size / h.MIB / dt


def bench_heap(ctx, n):
    """Peak heap of hosts_server under valgrind's massif with 0 and with n
    idle connections: heap bytes per connection, free of allocator slack."""
    peaks = {}
    for count in (0, n):
        out = ctx.path("massif.%d" % count)
        srv = ctx.server(kind="hosts_server", wrapper=[
            "valgrind", "--tool=massif", "--massif-out-file=" + out, "--time-unit=ms"])
        procs = idle_connections(ctx, srv, count, batch=5) if count else []
        time.sleep(1.0)
        stop_clients(procs)
        srv.stop()
        peak = 0
        with open(out) as f:
            heap = extra = 0
            for line in f:
                if line.startswith("mem_heap_B="):
                    heap = int(line.split("=")[1])
                elif line.startswith("mem_heap_extra_B="):
                    extra = int(line.split("=")[1])
                    peak = max(peak, heap + extra)
        peaks[count] = peak
    return {"peak0": peaks[0], "peakn": peaks[n], "per_conn": (peaks[n] - peaks[0]) / n}


# --- main -------------------------------------------------------------------

# Finite-field key exchanges (the Angelos and classic profiles): their
# modular exponentiations dominate a login's CPU.
DH_KEX = ["diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512"]
# The post-quantum hybrids, each beside curve25519-sha256 through the same
# client: OpenSSH 9.2 has sntrup761 (sshd too); only the engine's test
# client has mlkem768 (hosts_server alone).
PQ_SSH = "sntrup761x25519-sha512@openssh.com"
PQ_TEST_CLIENT = ["curve25519-sha256", "sntrup761x25519-sha512", "mlkem768x25519-sha256"]

def ratio(a, b):
    return "%.3g" % (a / b) if a and b else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--logins", type=int, default=500)
    ap.add_argument("--dh-logins", type=int, default=100,
                    help="logins per finite-field DH method (CPU per login by key exchange)")
    ap.add_argument("--mib", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=3, help="throughput runs per cipher (median)")
    ap.add_argument("--servers", default="hosts_server,sshd",
                    help="comma-separated: hosts_server, sshd")
    ap.add_argument("--skip", default="", help="comma-separated: memory, cpu, throughput")
    ap.add_argument("--heap", action="store_true",
                    help="also measure hosts_server heap per connection under valgrind massif")
    a = ap.parse_args()
    kinds = [k for k in a.servers.split(",") if k]
    skip = set(a.skip.split(","))
    results = {k: {} for k in kinds}
    ctx = h.Context("bench")
    ok = False
    try:
        print("build dir: %s; %d idle connections, %d logins, %d MiB x %d; %d cores, load %s" % (
            h.BUILD_DIR, a.connections, a.logins, a.mib, a.repeat, os.cpu_count(),
            " ".join("%.2f" % x for x in os.getloadavg())), flush=True)
        src = want = None
        if "throughput" not in skip:
            src = ctx.path("tp.in")
            want = h.random_file(src, a.mib * h.MIB)
        for kind in kinds:
            srv = ctx.server(kind=kind, extra_sshd_config=[
                "MaxSessions 10",
                "KexAlgorithms curve25519-sha256,%s," % PQ_SSH + ",".join(DH_KEX)])
            res = results[kind]
            if "memory" not in skip:
                res["mem"] = bench_memory(ctx, srv, a.connections)
                print("%-12s memory: %s" % (kind, res["mem"]), flush=True)
            if "cpu" not in skip:
                res["cpu"] = bench_logins(ctx, srv, a.logins, kex="curve25519-sha256")
                print("%-12s logins: %s" % (kind, res["cpu"]), flush=True)
                res["pq"] = {PQ_SSH: bench_logins(ctx, srv, a.dh_logins, kex=PQ_SSH)}
                print("%-12s logins with %s: %s" % (kind, PQ_SSH, res["pq"][PQ_SSH]), flush=True)
                if kind == "hosts_server":
                    for kex in PQ_TEST_CLIENT:
                        res["pq"]["test " + kex] = bench_logins(ctx, srv, a.dh_logins, kex=kex, pq_client=True)
                        print("%-12s test-client logins with %s: %s" % (kind, kex, res["pq"]["test " + kex]),
                              flush=True)
                res["dh"] = {}
                for kex in DH_KEX:
                    res["dh"][kex] = bench_logins(ctx, srv, a.dh_logins, kex=kex)
                    print("%-12s logins with %s: %s" % (kind, kex, res["dh"][kex]), flush=True)
            if "throughput" not in skip:
                res["tp"] = {}
                for c in h.CIPHERS:
                    res["tp"][c] = statistics.median(
                        bench_throughput(ctx, srv, src, want, a.mib * h.MIB, c) for _ in range(a.repeat))
                    print("%-12s %s: %.1f MiB/s" % (kind, c, res["tp"][c]), flush=True)
            pr = srv.stop()
            if pr:
                print("warning: %s: %s" % (kind, pr))
        if a.heap and "hosts_server" in kinds:
            results["hosts_server"]["heap"] = bench_heap(ctx, a.connections)
        report(results, kinds, a)
        ok = True
    finally:
        ctx.close(not ok)
    return 0 if ok else 1


def report(results, kinds, a):
    hs, sd = results.get("hosts_server", {}), results.get("sshd", {})
    rows = []
    if "mem" in hs or "mem" in sd:
        def m(r, k):
            return r["mem"][k] if "mem" in r else 0
        rows.append(("RSS idle server (KiB)", m(hs, "base_rss"), m(sd, "base_rss"), "%.0f"))
        rows.append(("RSS with %d conns (KiB)" % a.connections, m(hs, "rss"), m(sd, "rss"), "%.0f"))
        rows.append(("RSS per connection (KiB)", m(hs, "rss_per_conn"), m(sd, "rss_per_conn"), "%.1f"))
        rows.append(("private per connection (KiB)", m(hs, "priv_per_conn"), m(sd, "priv_per_conn"), "%.1f"))
        rows.append(("server processes loaded", m(hs, "procs"), m(sd, "procs"), "%d"))
    if "cpu" in hs or "cpu" in sd:
        def c(r, k):
            return r["cpu"][k] if "cpu" in r else 0
        rows.append(("CPU per login (ms, median)", c(hs, "cpu_ms"), c(sd, "cpu_ms"), "%.2f"))
        rows.append(("wall per login (ms, median)", c(hs, "wall_ms"), c(sd, "wall_ms"), "%.1f"))
        for kex in DH_KEX:
            def d(r):
                return r["dh"][kex]["cpu_ms"] if "dh" in r else 0
            rows.append(("CPU/login %s (ms)" % kex.replace("diffie-hellman-", "dh-"), d(hs), d(sd), "%.2f"))
        for kex in [PQ_SSH] + ["test " + k for k in PQ_TEST_CLIENT]:
            def p(r):
                return r["pq"][kex]["cpu_ms"] if kex in r.get("pq", {}) else 0
            rows.append(("CPU/login %s (ms)" % kex.replace("@openssh.com", ""), p(hs), p(sd), "%.2f"))
    for ci in h.CIPHERS:
        if "tp" in hs or "tp" in sd:
            rows.append(("%s (MiB/s)" % ci.split("@")[0], hs.get("tp", {}).get(ci, 0),
                         sd.get("tp", {}).get(ci, 0), "%.1f"))
    print()
    print("| %-32s | %12s | %12s | %8s |" % ("measure", "hosts_server", "sshd", "hs/sshd"))
    print("|%s|%s|%s|%s|" % ("-" * 34, "-" * 14, "-" * 14, "-" * 10))
    for name, x, y, fmt in rows:
        fx = (fmt % x) if "hosts_server" in kinds else "-"
        fy = (fmt % y) if "sshd" in kinds else "-"
        print("| %-32s | %12s | %12s | %8s |" % (name, fx, fy, ratio(x, y)))
    if "heap" in hs:
        hp = hs["heap"]
        print("\nhosts_server heap (massif, heap+allocator overhead): peak %d B idle, %d B with %d "
              "connections: %.0f B per connection" % (hp["peak0"], hp["peakn"], a.connections, hp["per_conn"]))


if __name__ == "__main__":
    sys.exit(main())
