#!/usr/bin/python3
"""`hostsd serve` with its host key in OpenSSH's ssh-agent (host_key_agent,
as OpenSSH's HostKeyAgent): the server signs every key exchange through
the agent and never reads the private key, which is moved out of the
state directory for the test; peers see the same host key as before. An
agent that does not hold the key, a missing public key file and an agent
that is not there stop the server with a message saying what to do.

The program is HS_BUILD_DIR/hostsd (HS_HOSTSD overrides the path).
"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from hostsd_server import HOSTSD, HOST, Hostsd  # noqa: E402


class Agent:
    """OpenSSH's ssh-agent in the foreground on a socket of the test's."""

    def __init__(self, ctx, name):
        self.sock = ctx.path(name + ".sock")
        self.proc = subprocess.Popen(["ssh-agent", "-D", "-a", self.sock], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=h.clean_env())
        ctx.procs.append(self.proc)
        for _ in range(100):
            if os.path.exists(self.sock):
                return
            time.sleep(0.05)
        raise h.TestFailure("ssh-agent did not make its socket %s" % self.sock)

    def add(self, key_path):
        env = dict(h.clean_env(), SSH_AUTH_SOCK=self.sock)
        r = subprocess.run(["ssh-add", key_path], capture_output=True, timeout=30, env=env)
        h.check(r.returncode == 0, "ssh-add %s: %s" % (key_path, r.stderr.decode(errors="replace")))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def agent_state(ctx, srv, agent):
    """The state directory as an operator sets it up for an agent: the
    public key beside where the private one was, the private one in the
    agent only."""
    r = srv.cli("hostkey")
    h.check(r.returncode == 0, "hostsd hostkey: %s" % r.stderr.decode(errors="replace"))
    with open(srv.host_key + ".pub", "wb") as f:
        f.write(r.stdout)
    agent.add(srv.host_key)
    shutil.move(srv.host_key, ctx.path("host_ed25519.away"))
    srv.config("host_key_agent " + agent.sock)


def serve_fails(srv, pattern, what):
    r = subprocess.run([HOSTSD, "serve", "--dir", srv.dir, "--listen", "127.0.0.1:0"], capture_output=True,
                       timeout=30, stdin=subprocess.DEVNULL, env=h.clean_env())
    err = r.stderr.decode(errors="replace")
    h.check(r.returncode == 1 and re.search(pattern, err), "%s: expected exit 1 and %r, got %d: %s" % (
        what, pattern, r.returncode, err[-1000:]))


def signs_through_agent(ctx):
    agent = Agent(ctx, "agent")
    srv = Hostsd(ctx)
    srv.add(HOST, ctx.key, subsystems="*")
    pub = srv.host_pubkey()
    fp = srv.host_fingerprint()
    agent_state(ctx, srv, agent)
    srv.start("--subsystem", "echo=cat")
    srv.wait_log(r"ready: host key %s in the agent at %s" % (re.escape(fp), re.escape(agent.sock)))
    # OpenSSH checks the host key against the one hostsd hostkey printed
    # (a known host whose key differs is refused, accept-new or not)
    with open(ctx.known_hosts, "w") as f:
        f.write("[127.0.0.1]:%d %s\n" % (srv.port, pub))
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"through the agent\n")
    h.check(r.rc == 0 and r.out == b"through the agent\n", "echo through an agent-held host key: " + r.describe())
    ctx.echo_roundtrip(srv)
    # the agent goes away: logins fail (the server stays up); it comes back
    # on the same socket with the key: logins work again
    agent.stop()
    if os.path.exists(agent.sock):   # ssh-agent removes it itself
        os.unlink(agent.sock)
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x")
    h.check(r.rc == 255, "a login without the agent: " + r.describe())
    srv.wait_log(r'host key signature failed')
    h.check(srv.proc.poll() is None, "the server ended when its agent went away")
    again = Agent(ctx, "agent")
    again.add(ctx.path("host_ed25519.away"))
    ctx.echo_roundtrip(srv)


def refusals(ctx):
    # an agent without the host key
    agent = Agent(ctx, "empty")
    srv = Hostsd(ctx)
    r = srv.cli("hostkey")
    with open(srv.host_key + ".pub", "wb") as f:
        f.write(r.stdout)
    srv.config("host_key_agent " + agent.sock)
    serve_fails(srv, r"the agent at %s does not hold the host key SHA256:\S+: add it with ssh-add" %
                re.escape(agent.sock), "an agent without the key")
    # no public key file
    os.unlink(srv.host_key + ".pub")
    serve_fails(srv, r"host_key_agent is set, so the host's public key must be in %s\.pub" % re.escape(srv.host_key),
                "no public key file")
    # nothing at the socket
    with open(srv.host_key + ".pub", "wb") as f:
        f.write(r.stdout)
    srv.config("host_key_agent " + ctx.path("nothing.sock"))
    serve_fails(srv, r"host_key_agent.*given twice|cannot reach the agent at", "a second host_key_agent line")
    with open(srv.config_path) as f:
        lines = [line for line in f if not line.startswith("host_key_agent ")]
    with open(srv.config_path, "w") as f:
        f.writelines(lines)
        f.write("host_key_agent %s\n" % ctx.path("nothing.sock"))
    serve_fails(srv, r"cannot reach the agent at %s" % re.escape(ctx.path("nothing.sock")), "no agent there")
    # a relative path is a configuration error naming the line
    lines = [line for line in open(srv.config_path) if not line.startswith("host_key_agent ")]
    with open(srv.config_path, "w") as f:
        f.writelines(lines)
        f.write("host_key_agent agent.sock\n")
    serve_fails(srv, r"hostsd\.conf:\d+: host_key_agent \"agent\.sock\" must be the absolute path of a Unix socket",
                "a relative path")


if __name__ == "__main__":
    if not os.access(HOSTSD, os.X_OK):
        h.log("no hostsd program at %s (build first, or set HS_BUILD_DIR / HS_HOSTSD)" % HOSTSD)
        sys.exit(1)
    if shutil.which("ssh-agent") is None or shutil.which("ssh-add") is None:
        h.log("no ssh-agent / ssh-add on PATH (Debian: openssh-client)")
        sys.exit(1)
    h.run([
        ("signs_through_agent", signs_through_agent),
        ("refusals", refusals),
    ], under_test="hostsd serve")
