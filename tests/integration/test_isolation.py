#!/usr/bin/python3
"""One client's trouble is not another's: a client killed (-9) in the middle
of a bulk transfer, or a client that sends garbage instead of an SSH
identification line, does not disturb a concurrent client's transfer, and
the server goes on accepting connections."""
import os
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

TRANSFER_TIMEOUT = 300


def start_transfer(ctx, srv, name, size):
    src, dst = ctx.path(name + ".in"), ctx.path(name + ".out")
    want = h.random_file(src, size)
    p = ctx.ssh_bg(srv, ["-s", "echo"], stdin_path=src, stdout_path=dst,
                   stderr_path=ctx.path(name + ".err"))
    return p, dst, want


def finish_transfer(p, dst, want, size, what):
    try:
        rc = p.wait(timeout=TRANSFER_TIMEOUT)
    except Exception:
        raise h.TestFailure("%s did not finish within %ds" % (what, TRANSFER_TIMEOUT))
    with open(p.stderr_path, "rb") as f:
        err = f.read().decode(errors="replace")
    h.check(rc == 0, "%s exited %s: %s" % (what, rc, err[-2000:]))
    got = os.path.getsize(dst)
    h.check(got == size, "%s: sent %d bytes, got %d back" % (what, size, got))
    h.check(h.sha256_file(dst) == want, "%s: bytes came back changed" % what)


def out_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def killed_client(ctx):
    srv = ctx.server()
    size = h.BULK_BYTES
    # The victim is fed from a pipe: half its data at once, the rest never,
    # so it is surely in the middle of its transfer when it dies.
    vdst = ctx.path("victim.out")
    victim = ctx.ssh_bg(srv, ["-s", "echo"], stdin_pipe=True, stdout_path=vdst,
                        stderr_path=ctx.path("victim.err"))
    half = size // 2
    fed = {"bytes": 0}

    def feed():
        try:
            while fed["bytes"] < half:
                victim.stdin.write(os.urandom(h.MIB))
                fed["bytes"] += h.MIB
            victim.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass
    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    h.check(h.wait_for(lambda: out_size(vdst) >= half // 2 or victim.poll() is not None, 120),
            "the victim's transfer did not get going")
    h.check(victim.poll() is None, "the victim exited early (rc %s)" % victim.poll())
    good, gdst, gwant = start_transfer(ctx, srv, "good", size)
    h.wait_for(lambda: out_size(gdst) > 0 or good.poll() is not None, 60)
    ctx.log("killing victim pid %d at %d of %d bytes back" % (victim.pid, out_size(vdst), size))
    victim.kill()   # SIGKILL: no goodbye, the TCP connection just drops
    victim.wait(timeout=10)
    feeder.join(10)
    try:
        victim.stdin.close()
    except OSError:
        pass
    h.check(out_size(vdst) < size, "the victim had already finished")
    finish_transfer(good, gdst, gwant, size, "the concurrent client")
    h.check(srv.running(), "the server died")
    ctx.echo_roundtrip(srv, 1024 * 1024, name="after")


def garbage_client(ctx):
    srv = ctx.server()
    size = h.BULK_BYTES // 2
    good, gdst, gwant = start_transfer(ctx, srv, "good", size)
    h.wait_for(lambda: out_size(gdst) > 0 or good.poll() is not None, 60)
    outcome = {}

    def bad():
        t0 = time.monotonic()
        try:
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            s.settimeout(15)
            try:
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + os.urandom(4096))
                while True:   # read the server's greeting, then wait for the close
                    if not s.recv(65536):
                        break
                outcome["closed"] = True
            except socket.timeout:
                outcome["closed"] = False
            except (ConnectionResetError, BrokenPipeError):
                outcome["closed"] = True
            finally:
                s.close()
        except OSError as e:
            outcome["error"] = str(e)
        outcome["seconds"] = time.monotonic() - t0

    t = threading.Thread(target=bad, daemon=True)
    t.start()
    t.join(30)
    h.check(not t.is_alive(), "the garbage client hung")
    h.check("error" not in outcome, "could not connect: %s" % outcome.get("error"))
    h.check(outcome.get("closed"), "the server kept the garbage client's connection open for %.1fs" %
            outcome.get("seconds", 0))
    finish_transfer(good, gdst, gwant, size, "the concurrent client")
    h.check(srv.running(), "the server died")
    ctx.echo_roundtrip(srv, 1024 * 1024, name="after")


if __name__ == "__main__":
    h.run([("killed_client", killed_client),
           ("garbage_client", garbage_client)])
