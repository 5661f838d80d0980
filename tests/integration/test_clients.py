#!/usr/bin/python3
"""Client interoperability matrix: SSH clients log in to `hostsd serve` on
127.0.0.1 (tests/integration/hostsd_server.py) as peer hosts of its trust
registry and round-trip random bytes through the subsystem "echo"
(`subsystem echo=cat` in hostsd.conf, granted to each peer with
`hostsd trust add ... --subsystems echo`); the bytes must come back with the
same sha256, the session must end with exit-status 0, and the client must
have checked the server's real host key (as `hostsd hostkey` prints it).

Peers log in as peer1 with OpenSSH key files; Angelos hosts log in as
their UUID, trusted by their bare verify key (`--type angelos-tongues`, in
hex and in base64). Cases with the same hostsd.conf share one server: the
default configuration, `macs` with the non-etm MACs, and `profile angelos`,
`classic` and `modern` alone; each configuration is also checked for what
it must refuse, as the client reports it and as hostsd logs it.

Clients (Debian packages; Node's ssh2 from npm, pinned by clients/node/
package-lock.json and installed into clients/node/node_modules on first use):
  openssh   ssh (openssh-client): every kex x cipher/MAC the server offers,
            ed25519 / RSA / ECDSA user keys, compression
  asyncssh  python3-asyncssh 2.10, run with /usr/bin/python3: its defaults,
            and the Angelos Starter's exact settings (dh group18, chacha20,
            hmac-sha2-512-etm, zlib, signature angelos-tongues)
  paramiko  python3-paramiko 2.12 (no AEAD ciphers: aes-ctr + etm MACs)
  plink     putty-tools (keys converted by puttygen, host key pinned by
            fingerprint, algorithms chosen through a saved session)
  dbclient  dropbear-bin (keys converted by dropbearconvert; dropbear has
            no etm MACs, so only chacha20-poly1305 can be agreed)
  node      the ssh2 package for Node.js (nodejs, npm)

A client that is not installed fails its cases, unless
HS_TEST_ALLOW_MISSING_CLIENTS=1 (then they are skipped, with a SKIP line).
docs/algorithms.md is the table of what this file tests and its result.
"""
import atexit
import base64
import fcntl
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness as h  # noqa: E402
import hostsd_server as hs  # noqa: E402

CLIENTS_DIR = os.path.join(HERE, "clients")
NODE_DIR = os.path.join(CLIENTS_DIR, "node")
ALLOW_MISSING = os.environ.get("HS_TEST_ALLOW_MISSING_CLIENTS", "") not in ("", "0")
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable

MIB = h.MIB
BYTES = (256 * 1024) if h.QUICK else 2 * MIB     # one client session
MATRIX_BYTES = 64 * 1024                          # one algorithm combination
CLIENT_TIMEOUT = 120.0

KEX = ["curve25519-sha256", "curve25519-sha256@libssh.org", "diffie-hellman-group18-sha512",
       "diffie-hellman-group16-sha512", "diffie-hellman-group14-sha256"]
# OpenSSH 9.2 also has the post-quantum sntrup761 hybrid, by both names
# (mlkem768x25519-sha256 came in 9.9: test_pqkex.py covers it)
OPENSSH_KEX = ["sntrup761x25519-sha512@openssh.com", "sntrup761x25519-sha512"] + KEX
ETM = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com"]
AEAD = ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com"]
# (cipher, MAC or None for the AEAD ciphers, whose MAC is implicit)
CIPHER_MACS = [(c, None) for c in AEAD] + [(c, m) for c in ("aes256-ctr", "aes128-ctr") for m in ETM]

ANGELOS = "angelos-tongues"
NON_ETM = ["hmac-sha2-256", "hmac-sha2-512"]
PEER = "peer1"                        # the host id of the peers with OpenSSH keys
ANGELOS_HOST = "7c9e6679-7425-40de-944b-e07fc1f63ee4"         # trusted by its key in hex
ANGELOS_HOST_B64 = "3f1d2c8e-5b7a-4e96-8d21-0a9c4b6e7f15"     # trusted by its key in base64
# host id -> (kind of the key behind its angelos-tongues key, how it is given to trust add)
ANGELOS_PEERS = {ANGELOS_HOST: ("angelos", "hex"), ANGELOS_HOST_B64: ("angelos2", "base64")}
# The Angelos Starter's client settings (Starter.ALGS in the Angelos project).
STARTER = {"kex_algs": ["diffie-hellman-group18-sha512"],
           "encryption_algs": ["chacha20-poly1305@openssh.com"],
           "mac_algs": ["hmac-sha2-512-etm@openssh.com"],
           "compression_algs": ["zlib"],
           "signature_algs": [ANGELOS]}


def short(name):
    return name.replace("@openssh.com", "")


# --- which clients are here -------------------------------------------------

def _which(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    return None if not missing else "no %s on PATH" % ", ".join(missing)


def _py_module(mod):
    r = subprocess.run([PYTHON, "-c", "import " + mod], capture_output=True, timeout=60,
                       env=dict(os.environ, PYTHONWARNINGS="ignore"))
    return None if r.returncode == 0 else "%s cannot import %s" % (PYTHON, mod)


# client -> (how to tell it is missing, the Debian packages that bring it)
CLIENTS = {
    "openssh": (lambda: _which("ssh", "ssh-keygen"), "openssh-client"),
    "asyncssh": (lambda: _py_module("asyncssh"), "python3-asyncssh"),
    "paramiko": (lambda: _py_module("paramiko"), "python3-paramiko"),
    "plink": (lambda: _which("plink", "puttygen"), "putty-tools"),
    "dbclient": (lambda: _which("dbclient", "dropbearconvert"), "dropbear-bin"),
    "node": (lambda: _which("node", "npm"), "nodejs npm"),
}
_missing = {}


def missing(client):
    if client not in _missing:
        _missing[client] = CLIENTS[client][0]()
    return _missing[client]


def require(client):
    why = missing(client)
    h.check(why is None, "client %s is not installed (%s): install %s, or set "
            "HS_TEST_ALLOW_MISSING_CLIENTS=1 to skip it" % (client, why, CLIENTS[client][1]))


# --- user keys, made once for the whole file ---------------------------------

KEY_DIR = tempfile.mkdtemp(prefix="hs-it-clientkeys-")
atexit.register(lambda: None if h.KEEP else shutil.rmtree(KEY_DIR, ignore_errors=True))

KEY_SPECS = {
    "ed25519": ["-t", "ed25519"],
    "rsa3072": ["-t", "rsa", "-b", "3072"],
    "ecdsa256": ["-t", "ecdsa", "-b", "256"],
    "ecdsa384": ["-t", "ecdsa", "-b", "384"],
    "ecdsa521": ["-t", "ecdsa", "-b", "521"],
    "angelos": ["-t", "ed25519"],   # the secrets behind the angelos-tongues keys
    "angelos2": ["-t", "ed25519"],
}


def _tool(argv, what):
    r = subprocess.run(argv, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    h.check(r.returncode == 0, "%s failed (rc %d): %s" % (what, r.returncode,
                                                         (r.stderr + r.stdout).decode(errors="replace")))


def key(kind):
    """Private key file (OpenSSH format, no passphrase) of that kind."""
    path = os.path.join(KEY_DIR, "id_" + kind)
    if not os.path.exists(path):
        _tool([h.SSH_KEYGEN, "-q", "-N", "", "-C", "client-" + kind, "-f", path] + KEY_SPECS[kind],
              "ssh-keygen " + kind)
    return path


def key_ppk(kind):
    path = key(kind) + ".ppk"
    if not os.path.exists(path):
        _tool(["puttygen", key(kind), "-O", "private", "-o", path], "puttygen " + kind)
    return path


def key_dropbear(kind):
    path = key(kind) + ".dropbear"
    if not os.path.exists(path):
        _tool(["dropbearconvert", "openssh", "dropbear", key(kind), path], "dropbearconvert " + kind)
    return path


def ssh_string(b):
    return struct.pack(">I", len(b)) + b


def ed25519_raw(ed25519_pub_path):
    """The 32-byte public key of an OpenSSH ed25519 .pub file."""
    with open(ed25519_pub_path) as f:
        ktype, b64 = f.read().split()[:2]
    blob = base64.b64decode(b64)
    h.check(ktype == "ssh-ed25519" and blob[:4 + 11] == ssh_string(b"ssh-ed25519")
            and len(blob) == 4 + 11 + 4 + 32, "not an ed25519 public key: " + ed25519_pub_path)
    return blob[-32:]


def angelos_blob(ed25519_pub_path):
    """The angelos-tongues public key blob of an ed25519 key, derived here
    (standard library only) independently of the AsyncSSH key class:
    string("angelos-tongues") || base64(32-byte key), no length prefix."""
    return ssh_string(ANGELOS.encode()) + base64.b64encode(ed25519_raw(ed25519_pub_path))


def verify_key(kind, form):
    """The 32-byte Ed25519 public key of a key pair as an Angelos host shows
    its verify key: 64 hex digits or base64."""
    raw = ed25519_raw(key(kind) + ".pub")
    return raw.hex() if form == "hex" else base64.b64encode(raw).decode()


# --- the servers --------------------------------------------------------------------

def hostsd_maker(conf=(), keys=("ed25519",), angelos=()):
    """make(ctx) for hs.Shared: `hostsd serve` with the echo subsystem and
    these hostsd.conf lines, peer1 trusted with these kinds of OpenSSH keys,
    and these Angelos hosts with their verify keys; all granted echo only."""
    def make(ctx):
        srv = hs.Hostsd(ctx, user=PEER, config=["subsystem echo=cat"] + list(conf))
        for i, kind in enumerate(keys):
            srv.add(PEER, key(kind), subsystems="echo" if i == 0 else None)
        for host in angelos:
            kind, form = ANGELOS_PEERS[host]
            srv.add_bare(host, verify_key(kind, form), subsystems="echo")
        return srv.start()
    return make


SERVERS = {
    "default": hs.Shared("default", hostsd_maker(
        keys=("ed25519", "rsa3072", "ecdsa256", "ecdsa384", "ecdsa521"), angelos=(ANGELOS_HOST, ANGELOS_HOST_B64))),
    "non-etm": hs.Shared("non-etm", hostsd_maker(["macs " + ",".join(ETM + NON_ETM)])),
    "angelos": hs.Shared("angelos", hostsd_maker(["profile angelos"], angelos=(ANGELOS_HOST,))),
    "classic": hs.Shared("classic", hostsd_maker(["profile classic"])),
    "modern": hs.Shared("modern", hostsd_maker(["profile modern"], keys=("ed25519", "rsa3072"))),
}


def host_blob(srv):
    return base64.b64decode(srv.host_pubkey().split()[1])


def host_fingerprint(srv):
    """The host key's fingerprint as hostsd prints it, checked against the
    one computed here from `hostsd hostkey`."""
    fp = srv.host_fingerprint()
    mine = "SHA256:" + base64.b64encode(hashlib.sha256(host_blob(srv)).digest()).decode().rstrip("=")
    h.check(fp == mine, "hostsd hostkey --fingerprint says %s, its key line hashes to %s" % (fp, mine))
    return fp


# --- running a client ---------------------------------------------------------

def client_env(ctx, extra=None):
    """A clean environment with an empty HOME of the case's own, so that no
    client reads or writes the user's configuration or known hosts."""
    home = ctx.path("home")
    os.makedirs(os.path.join(home, ".ssh"), exist_ok=True)
    env = h.clean_env()
    env.update(HOME=home, PYTHONWARNINGS="ignore", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra or {})
    return env


def run_client(ctx, argv, stdin_path=None, stdout_path=None, env=None, timeout=CLIENT_TIMEOUT):
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    fout = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
    t0 = time.monotonic()
    try:
        r = subprocess.run(argv, stdin=fin, stdout=fout, stderr=subprocess.PIPE,
                           timeout=timeout, env=env or client_env(ctx))
    except subprocess.TimeoutExpired as e:
        raise h.TestFailure("client did not finish within %ds: %s\nstderr:\n%s" % (
            timeout, " ".join(argv), (e.stderr or b"").decode(errors="replace")[-3000:]))
    finally:
        for f in (fin, fout):
            if f not in (subprocess.DEVNULL, subprocess.PIPE):
                f.close()
    res = h.Result(argv, r.returncode, r.stdout or b"", r.stderr or b"", time.monotonic() - t0)
    ctx.log("client rc=%d %.2fs: %s" % (res.rc, res.elapsed, " ".join(argv)))
    return res


def echo_through(ctx, size, run, name="echo"):
    """Random bytes through run(src, dst) -> Result; checks exit 0 and that
    the bytes came back unchanged. Returns the Result."""
    src, dst = ctx.path(name + ".in"), ctx.path(name + ".out")
    want = h.random_file(src, size)
    r = run(src, dst)
    h.check(r.rc == 0, "client failed: " + r.describe())
    h.check(os.path.exists(dst), "client wrote no output: " + r.describe())
    got = h.sha256_file(dst)
    h.check(got == want, "echo returned different bytes (%d sent, %d back): %s" % (
        size, os.path.getsize(dst), r.describe()))
    return r


def json_client(ctx, argv_head, cfg, name="client"):
    """Run a client that takes a JSON config file and prints its facts as
    one JSON line; returns (Result, facts)."""
    path = ctx.path(name + ".json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    r = run_client(ctx, argv_head + [path])
    facts = {}
    lines = r.out.decode(errors="replace").strip().splitlines()
    if lines:
        try:
            facts = json.loads(lines[-1])
        except ValueError:
            pass
    return r, facts


def expect(facts, r, **want):
    for k, v in want.items():
        h.check(facts.get(k) == v, "negotiated %s=%r, expected %r (facts %s)\n%s" % (
            k, facts.get(k), v, facts, r.describe()))


# --- OpenSSH ------------------------------------------------------------------

def openssh_agreed(r, kex, cipher, mac):
    """ssh -v says it agreed on these (kex None: any), both ways."""
    lines = [ln.strip() for ln in r.text.splitlines()]
    want = ["debug1: kex: %s cipher: %s MAC: %s compression: none" % (way, cipher, mac or "<implicit>")
            for way in ("client->server", "server->client")]
    if kex:
        want.insert(0, "debug1: kex: algorithm: " + kex)
    for w in want:
        h.check(w in lines, "ssh -v does not say %r:\n%s" % (w, r.describe()))


def openssh_refused(ctx, srv, opts, want, kind="ed25519", flags=()):
    """ssh with these options must fail (exit 255) with want in its stderr
    and no session output."""
    r = ctx.ssh(srv, ["-s", "echo"], stdin=b"x", key=key(kind), opts=opts, flags=flags)
    h.check(r.rc == 255 and want in r.text and r.out == b"",
            "expected ssh to exit 255 saying %r:\n%s" % (want, r.describe()))
    return r


def disconnect_line(srv, mark, host, rest):
    """hostsd's log line for an unauthenticated disconnect since mark."""
    return srv.wait_log(r'^<6>disconnect peer=127\.0\.0\.1:\d+ host=%s authenticated=no %s$' % (re.escape(host), rest),
                        since=mark)


def openssh_combo(kex, cipher, mac):
    def case(ctx, srv):
        require("openssh")
        opts = ["KexAlgorithms=" + kex, "Ciphers=" + cipher]
        if mac:
            opts.append("MACs=" + mac)
        r = ctx.echo_roundtrip(srv, MATRIX_BYTES, key=key("ed25519"), opts=opts, flags=["-v"])
        openssh_agreed(r, kex, cipher, mac)
    return case


def openssh_key(kind, sig_alg=None):
    def case(ctx, srv):
        require("openssh")
        opts = ["PubkeyAcceptedAlgorithms=" + sig_alg] if sig_alg else []
        r = ctx.echo_roundtrip(srv, BYTES, key=key(kind), opts=opts, flags=["-v"])
        h.check("Server accepts key: " + key(kind) in r.text, "key not the one accepted:\n" + r.describe())
    return case


def openssh_compression(ctx, srv):
    require("openssh")
    r = ctx.echo_roundtrip(srv, BYTES, key=key("ed25519"), flags=["-v", "-C"])
    h.check("compression: zlib@openssh.com" in r.text, "no zlib@openssh.com agreed:\n" + r.describe())


def openssh_non_etm(mac):
    """With `macs` naming the non-etm MACs, aes256-ctr goes with them."""
    def case(ctx, srv):
        require("openssh")
        r = ctx.echo_roundtrip(srv, MATRIX_BYTES, key=key("ed25519"),
                               opts=["Ciphers=aes256-ctr", "MACs=" + mac], flags=["-v"])
        openssh_agreed(r, None, "aes256-ctr", mac)
    return case


def openssh_non_etm_refused(ctx, srv):
    """By default no non-etm MAC is offered. (With only MACs= narrowed,
    OpenSSH would agree on chacha20-poly1305, whose MAC is implicit: the
    cipher is pinned to one that needs a MAC.)"""
    require("openssh")
    mark = srv.log_mark()
    openssh_refused(ctx, srv, ["Ciphers=aes256-ctr", "MACs=hmac-sha2-256"], "no matching MAC found")
    disconnect_line(srv, mark, "-", r'reason="no common MAC algorithm"')


def openssh_angelos_profile_refused(ctx, srv):
    """`profile angelos` against OpenSSH's defaults: OpenSSH's default key
    exchange list includes diffie-hellman-group16-sha512, so the key
    exchange is agreed; the ssh-ed25519 user key is what the profile does
    not take. OpenSSH's own key exchange alone is refused outright."""
    require("openssh")
    mark = srv.log_mark()
    r = openssh_refused(ctx, srv, [], "Permission denied (publickey).", flags=["-v"])
    openssh_agreed(r, "diffie-hellman-group16-sha512", "chacha20-poly1305@openssh.com", None)
    h.check("server-sig-algs=<%s>" % ANGELOS in r.text, "server-sig-algs is not just %s:\n%s" % (ANGELOS, r.describe()))
    disconnect_line(srv, mark, PEER, r'reason="[^"]*" refused_key="key algorithm ssh-ed25519 is not offered '
                                     r'\(public key algorithms\)"')
    mark = srv.log_mark()
    openssh_refused(ctx, srv, ["KexAlgorithms=curve25519-sha256,curve25519-sha256@libssh.org"],
                    "no matching key exchange method found")
    disconnect_line(srv, mark, "-", r'reason="no common key exchange algorithm"')


def openssh_classic_profile_refused(ctx, srv):
    require("openssh")
    mark = srv.log_mark()
    openssh_refused(ctx, srv, ["KexAlgorithms=curve25519-sha256"], "no matching key exchange method found")
    disconnect_line(srv, mark, "-", r'reason="no common key exchange algorithm"')


def openssh_modern_profile_rsa_refused(ctx, srv):
    """`profile modern` takes ssh-ed25519 user keys only; peer1's RSA key
    is in the registry, but server-sig-algs lists only ssh-ed25519, so
    OpenSSH does not even offer it."""
    require("openssh")
    ctx.echo_roundtrip(srv, 4096, key=key("ed25519"))   # the profile's own key type gets in
    mark = srv.log_mark()
    r = openssh_refused(ctx, srv, [], "Permission denied (publickey).", kind="rsa3072", flags=["-v"])
    for w in ("server-sig-algs=<ssh-ed25519>", "send_pubkey_test: no mutual signature algorithm"):
        h.check(w in r.text, "ssh -v does not say %r:\n%s" % (w, r.describe()))
    disconnect_line(srv, mark, PEER, r'reason="connection closed by peer"')
    h.check("auth accepted" not in srv.log_text()[mark:], "a login was accepted:\n" + srv.log_text()[mark:])


# --- AsyncSSH -----------------------------------------------------------------

def asyncssh_run(ctx, srv, kind, options=None, angelos=False, tamper=False, user=None, sign_with=None):
    cfg = {"port": srv.port, "user": user or srv.user, "key": key(kind),
           "key_kind": ANGELOS if angelos else "openssh",
           "known_hosts": "[127.0.0.1]:%d %s" % (srv.port, srv.host_pubkey()),
           "options": options or {}, "tamper": tamper, "sign_with": sign_with,
           "timeout": CLIENT_TIMEOUT - 10}
    argv = [PYTHON, os.path.join(CLIENTS_DIR, "asyncssh_echo.py")]
    facts = {}

    def run(src, dst):
        cfg.update(input=src, output=dst)
        r, f = json_client(ctx, argv, cfg)
        facts.update(f)
        return r
    return run, facts


def asyncssh_refused(ctx, run, facts, what):
    """The run must end with the server refusing the key (exit 3), no output."""
    src, dst = ctx.path("refused.in"), ctx.path("refused.out")
    h.random_file(src, 1024)
    r = run(src, dst)
    h.check(r.rc == 3, "%s was not refused (rc %d, facts %s)\n%s" % (what, r.rc, facts, r.describe()))
    h.check(not os.path.exists(dst) or os.path.getsize(dst) == 0, "session output after: " + what)
    return r


def asyncssh_key(kind, options=None, expect_algs=None):
    def case(ctx, srv):
        require("asyncssh")
        run, facts = asyncssh_run(ctx, srv, kind, options)
        r = echo_through(ctx, BYTES, run)
        ctx.log("asyncssh facts: %s" % facts)
        if expect_algs:
            expect(facts, r, **expect_algs)
    return case


STARTER_NEGOTIATED = {"send_cipher": "chacha20-poly1305@openssh.com",
                      "recv_cipher": "chacha20-poly1305@openssh.com",
                      "send_compression": "zlib", "recv_compression": "zlib"}


def asyncssh_angelos(options, host=ANGELOS_HOST):
    """An Angelos host logs in with its UUID and its angelos-tongues key."""
    def case(ctx, srv):
        require("asyncssh")
        kind = ANGELOS_PEERS[host][0]
        run, facts = asyncssh_run(ctx, srv, kind, options, angelos=True, user=host)
        r = echo_through(ctx, BYTES, run)
        want_blob = base64.b64encode(angelos_blob(key(kind) + ".pub")).decode()
        h.check(facts.get("client_key_blob") == want_blob,
                "the AsyncSSH key class made blob %r, the test derived %r" % (
                    facts.get("client_key_blob"), want_blob))
        if options.get("compression_algs") == ["zlib"]:
            expect(facts, r, **STARTER_NEGOTIATED)
    return case


def asyncssh_angelos_bad_signature(ctx, srv):
    """A signature that does not verify must be refused, and the same key
    signing properly must then get in: the server checks, not just parses."""
    require("asyncssh")
    run, facts = asyncssh_run(ctx, srv, "angelos", {"signature_algs": [ANGELOS]},
                              angelos=True, tamper=True, user=ANGELOS_HOST)
    asyncssh_refused(ctx, run, facts, "a tampered angelos-tongues signature")
    run, facts = asyncssh_run(ctx, srv, "angelos", {"signature_algs": [ANGELOS]}, angelos=True,
                              user=ANGELOS_HOST)
    echo_through(ctx, 64 * 1024, run)


def asyncssh_modern_profile_rsa_refused(ctx, srv):
    """A client that signs with rsa-sha2-512 whatever server-sig-algs says
    (as clients that predate server-sig-algs do) reaches the server's own
    check: `profile modern` does not offer that algorithm."""
    require("asyncssh")
    mark = srv.log_mark()
    run, facts = asyncssh_run(ctx, srv, "rsa3072", sign_with="rsa-sha2-512")
    asyncssh_refused(ctx, run, facts, "an rsa-sha2-512 signature under profile modern")
    disconnect_line(srv, mark, PEER, r'reason="[^"]*" refused_key="key algorithm rsa-sha2-512 is not offered '
                                     r'\(public key algorithms\)"')


# --- Paramiko -------------------------------------------------------------------

# What Paramiko's defaults agree on under `profile classic`.
PARAMIKO_CLASSIC = {"kex": "diffie-hellman-group16-sha512", "cipher": "aes128-ctr",
                    "mac": "hmac-sha2-256-etm@openssh.com"}
PARAMIKO_KEY_TYPE = {"ed25519": "ed25519", "rsa3072": "rsa", "ecdsa256": "ecdsa",
                     "ecdsa384": "ecdsa", "ecdsa521": "ecdsa"}


def paramiko_case(kind, kex=None, cipher=None, mac=None, compress=False, expect_algs=None):
    def case(ctx, srv):
        require("paramiko")
        cfg = {"port": srv.port, "user": srv.user, "key": key(kind),
               "key_type": PARAMIKO_KEY_TYPE[kind],
               "host_key": base64.b64encode(host_blob(srv)).decode(),
               "kex": [kex] if kex else None, "ciphers": [cipher] if cipher else None,
               "macs": [mac] if mac else None, "compress": compress,
               "timeout": CLIENT_TIMEOUT - 10}
        argv = [PYTHON, os.path.join(CLIENTS_DIR, "paramiko_echo.py")]
        facts = {}

        def run(src, dst):
            cfg.update(input=src, output=dst)
            r, f = json_client(ctx, argv, cfg)
            facts.update(f)
            return r
        r = echo_through(ctx, BYTES, run)
        ctx.log("paramiko facts: %s" % facts)
        want = dict(expect_algs or {})
        for k, v in (("kex", kex), ("cipher", cipher), ("mac", mac)):
            if v:
                want[k] = v
        expect(facts, r, **want)
    return case


# --- PuTTY plink ------------------------------------------------------------------

# PuTTY's own names in a saved session; everything below WARN would need a
# confirmation that -batch refuses.
PUTTY_CIPHERS = ["aes", "chacha20", "aesgcm", "WARN", "3des", "des", "blowfish", "arcfour"]
PUTTY_KEX = ["ntru-curve25519", "ecdh", "dh-gex-sha1", "dh-group18-sha512", "dh-group17-sha512", "dh-group16-sha512",
             "dh-group15-sha512", "dh-group14-sha1", "WARN", "rsa", "dh-group1-sha1"]


def _first(pref, names):
    return ",".join([pref] + [n for n in names if n != pref])


def plink_case(kind, cipher=None, kex=None, compress=False, want=()):
    """want: texts that plink -v must print (what it negotiated)."""
    def case(ctx, srv):
        require("plink")
        env = client_env(ctx)
        sessions = os.path.join(env["HOME"], ".putty", "sessions")
        os.makedirs(sessions, exist_ok=True)
        with open(os.path.join(sessions, "hs-test"), "w") as f:
            f.write("Cipher=%s\n" % _first(cipher or "aes", PUTTY_CIPHERS))
            f.write("KEX=%s\n" % _first(kex or "ntru-curve25519", PUTTY_KEX))
            f.write("Compression=%d\n" % (1 if compress else 0))
        argv = ["plink", "-load", "hs-test", "-ssh", "-batch", "-noagent", "-v",
                "-P", str(srv.port), "-l", srv.user, "-i", key_ppk(kind),
                "-hostkey", host_fingerprint(srv), "-s", "127.0.0.1", "echo"]
        r = echo_through(ctx, BYTES, lambda src, dst: run_client(ctx, argv, src, dst, env=env))
        for w in want:
            h.check(w in r.text, "plink -v does not say %r:\n%s" % (w, r.describe()))
        h.check("Access granted" in r.text, "plink: no 'Access granted':\n" + r.describe())
    return case


# --- Dropbear dbclient -------------------------------------------------------------

def dbclient_argv(ctx, srv, kind, flags=()):
    env = client_env(ctx)
    # dropbear's known_hosts names the host without the port, and reads the
    # key up to the end of the line: no comment after it.
    with open(os.path.join(env["HOME"], ".ssh", "known_hosts"), "w") as f:
        f.write("127.0.0.1 %s\n" % srv.host_pubkey())
    argv = ["dbclient", "-p", str(srv.port), "-i", key_dropbear(kind)] + list(flags) + \
           ["-s", "%s@127.0.0.1" % srv.user, "echo"]
    return argv, env


def dbclient_case(kind, flags=()):
    def case(ctx, srv):
        require("dbclient")
        argv, env = dbclient_argv(ctx, srv, kind, flags)
        echo_through(ctx, BYTES, lambda src, dst: run_client(ctx, argv, src, dst, env=env))
    return case


def dbclient_ctr_no_common_mac(ctx, srv):
    """Dropbear pairs aes-ctr only with non-etm MACs, which hostsd offers
    only when `macs` names them: the negotiation must fail cleanly on both
    sides, and the server must go on serving (chacha20-poly1305 right
    after)."""
    require("dbclient")
    argv, env = dbclient_argv(ctx, srv, "ed25519", ["-c", "aes256-ctr,aes128-ctr"])
    r = run_client(ctx, argv, env=env)
    h.check(r.rc != 0 and "No matching algo mac" in r.text,
            "expected dbclient to find no common MAC:\n" + r.describe())
    argv, env = dbclient_argv(ctx, srv, "ed25519")
    echo_through(ctx, 64 * 1024, lambda src, dst: run_client(ctx, argv, src, dst, env=env))


# --- Node.js ssh2 --------------------------------------------------------------------

_node_ready = None


def node_modules_ready():
    """npm ci of the pinned ssh2 into clients/node/node_modules, once (and
    only if what is there is not already the locked version)."""
    global _node_ready
    if _node_ready is not None:
        return _node_ready
    with open(os.path.join(NODE_DIR, "package-lock.json")) as f:
        want = json.load(f)["packages"]["node_modules/ssh2"]["version"]

    def installed():
        try:
            with open(os.path.join(NODE_DIR, "node_modules", "ssh2", "package.json")) as f:
                return json.load(f).get("version") == want
        except (OSError, ValueError):
            return False
    # Serialize with other test runs on this machine doing the same.
    with open(os.path.join(tempfile.gettempdir(), "hs-it-npm-ci.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not installed():
            r = subprocess.run(["npm", "ci", "--prefix", NODE_DIR, "--omit=optional", "--ignore-scripts",
                                "--no-audit", "--no-fund", "--loglevel=error"],
                               capture_output=True, timeout=400, stdin=subprocess.DEVNULL)
            if r.returncode != 0 or not installed():
                _node_ready = "npm ci in %s failed (rc %d): %s" % (
                    NODE_DIR, r.returncode, (r.stderr + r.stdout).decode(errors="replace")[-2000:])
                return _node_ready
    _node_ready = ""
    return _node_ready


def node_case(kind="ed25519", algorithms=None, size=None, expect_algs=None):
    def case(ctx, srv):
        require("node")
        why = node_modules_ready()
        h.check(not why, why)
        cfg = {"port": srv.port, "user": srv.user, "key": key(kind),
               "hostKey": base64.b64encode(host_blob(srv)).decode(),
               "timeout": CLIENT_TIMEOUT - 10}
        if algorithms:
            cfg["algorithms"] = algorithms
        facts = {}

        def run(src, dst):
            cfg.update(input=src, output=dst)
            r, f = json_client(ctx, ["node", os.path.join(NODE_DIR, "echo_client.js")], cfg)
            facts.update(f)
            return r
        r = echo_through(ctx, size or BYTES, run)
        ctx.log("node facts: %s" % facts)
        h.check(facts.get("hostKeyChecked") is True, "ssh2 did not check the host key: %s" % facts)
        neg = facts.get("negotiated") or {}
        flat = {"kex": neg.get("kex"), "cipher": (neg.get("cs") or {}).get("cipher"),
                "mac": (neg.get("cs") or {}).get("mac"), "compress": (neg.get("cs") or {}).get("compress")}
        for k, v in (expect_algs or {}).items():
            h.check(flat.get(k) == v, "ssh2 negotiated %s=%r, expected %r (%s)\n%s" % (
                k, flat.get(k), v, neg, r.describe()))
    return case


# --- the cases -------------------------------------------------------------------------

def cases():
    """[(name, client, server, function(ctx, srv))]: server names SERVERS."""
    out = []

    def add(name, client, fn, server="default"):
        out.append((name, client, server, fn))

    for kex in OPENSSH_KEX:
        for cipher, mac in CIPHER_MACS:
            label = short(cipher) + ("+" + short(mac) if mac else "")
            add("openssh_%s_%s" % (kex, label), "openssh", openssh_combo(kex, cipher, mac))
    add("openssh_key_ed25519", "openssh", openssh_key("ed25519"))
    add("openssh_key_rsa3072_sha2-512", "openssh", openssh_key("rsa3072", "rsa-sha2-512"))
    add("openssh_key_rsa3072_sha2-256", "openssh", openssh_key("rsa3072", "rsa-sha2-256"))
    for kind in ("ecdsa256", "ecdsa384", "ecdsa521"):
        add("openssh_key_" + kind, "openssh", openssh_key(kind))
    add("openssh_compression_zlib@openssh.com", "openssh", openssh_compression)
    add("openssh_non-etm_macs_refused_by_default", "openssh", openssh_non_etm_refused)
    for mac in NON_ETM:
        add("openssh_non-etm_aes256-ctr+%s" % mac, "openssh", openssh_non_etm(mac), "non-etm")
    add("openssh_profile_angelos_refused", "openssh", openssh_angelos_profile_refused, "angelos")
    add("openssh_profile_classic_refused", "openssh", openssh_classic_profile_refused, "classic")
    add("openssh_profile_modern_rsa_key_refused", "openssh", openssh_modern_profile_rsa_refused, "modern")

    add("asyncssh_defaults_ed25519", "asyncssh", asyncssh_key("ed25519"))
    add("asyncssh_key_rsa3072", "asyncssh", asyncssh_key("rsa3072"))
    add("asyncssh_key_ecdsa384", "asyncssh", asyncssh_key("ecdsa384"))
    transport = {k: v for k, v in STARTER.items() if k != "signature_algs"}
    add("asyncssh_starter_transport_ed25519", "asyncssh",
        asyncssh_key("ed25519", dict(transport, signature_algs=["ssh-ed25519"]), STARTER_NEGOTIATED))
    add("asyncssh_angelos_starter", "asyncssh", asyncssh_angelos(STARTER))
    add("asyncssh_angelos_starter_base64_key", "asyncssh", asyncssh_angelos(STARTER, ANGELOS_HOST_B64))
    add("asyncssh_angelos_default_transport", "asyncssh", asyncssh_angelos({"signature_algs": [ANGELOS]}))
    add("asyncssh_angelos_bad_signature_refused", "asyncssh", asyncssh_angelos_bad_signature)
    add("asyncssh_profile_angelos_starter", "asyncssh", asyncssh_angelos(STARTER), "angelos")
    add("asyncssh_profile_modern_rsa-sha2-512_refused", "asyncssh", asyncssh_modern_profile_rsa_refused, "modern")

    add("paramiko_defaults_ed25519", "paramiko", paramiko_case("ed25519"))
    add("paramiko_key_rsa3072", "paramiko",
        paramiko_case("rsa3072", expect_algs={"pubkey_algorithm": "rsa-sha2-512"}))
    add("paramiko_key_ecdsa256", "paramiko", paramiko_case("ecdsa256"))
    for kex in ("curve25519-sha256@libssh.org", "diffie-hellman-group16-sha512",
                "diffie-hellman-group14-sha256"):
        add("paramiko_kex_" + kex, "paramiko", paramiko_case("ed25519", kex=kex))
    for cipher in ("aes256-ctr", "aes128-ctr"):
        for mac in ETM:
            add("paramiko_%s+%s" % (cipher, short(mac)), "paramiko",
                paramiko_case("ed25519", cipher=cipher, mac=mac))
    add("paramiko_compression_zlib@openssh.com", "paramiko",
        paramiko_case("ed25519", compress=True, expect_algs={"compression": "zlib@openssh.com"}))
    add("paramiko_profile_classic_defaults", "paramiko", paramiko_case("ed25519", expect_algs=PARAMIKO_CLASSIC),
        "classic")

    add("plink_defaults_ed25519", "plink", plink_case(   # PuTTY 0.78 prefers the sntrup761 hybrid
        "ed25519", want=["NTRU Prime / Curve25519 hybrid", "AES-256 SDCTR", "HMAC-SHA-256"]))
    add("plink_key_rsa3072", "plink", plink_case("rsa3072"))
    add("plink_key_ecdsa256", "plink", plink_case("ecdsa256"))
    add("plink_key_ecdsa521", "plink", plink_case("ecdsa521"))
    add("plink_chacha20-poly1305", "plink", plink_case("ed25519", cipher="chacha20",
                                                       want=["ChaCha20", "Poly1305"]))
    add("plink_aes128-gcm", "plink", plink_case("ed25519", cipher="aesgcm", want=["AES-128 GCM"]))
    for group in ("18", "16"):
        add("plink_kex_diffie-hellman-group%s-sha512" % group, "plink", plink_case(
            "ed25519", kex="dh-group%s-sha512" % group, want=['standard group "group%s"' % group]))
    add("plink_kex_diffie-hellman-group14-sha256", "plink", plink_case(
        "ed25519", kex="dh-group14-sha1", want=['hash SHA-256', 'standard group "group14"']))
    add("plink_kex_curve25519-sha256", "plink", plink_case(
        "ed25519", kex="ecdh", want=["Doing ECDH key exchange with curve Curve25519"]))
    add("plink_compression", "plink", plink_case("ed25519", compress=True, want=["zlib"]))

    add("dbclient_defaults_ed25519", "dbclient", dbclient_case("ed25519"))
    add("dbclient_key_rsa3072", "dbclient", dbclient_case("rsa3072"))
    add("dbclient_key_ecdsa256", "dbclient", dbclient_case("ecdsa256"))
    add("dbclient_key_ecdsa521", "dbclient", dbclient_case("ecdsa521"))
    add("dbclient_chacha20-poly1305", "dbclient",
        dbclient_case("ed25519", ["-c", "chacha20-poly1305@openssh.com"]))
    add("dbclient_aes-ctr_no_common_mac", "dbclient", dbclient_ctr_no_common_mac)
    add("dbclient_non-etm_aes256-ctr+hmac-sha2-256", "dbclient",
        dbclient_case("ed25519", ["-c", "aes256-ctr", "-m", "hmac-sha2-256"]), "non-etm")

    add("node_defaults_ed25519", "node", node_case())
    for kind in ("rsa3072", "ecdsa256", "ecdsa384", "ecdsa521"):
        add("node_key_" + kind, "node", node_case(kind))
    for kex in KEX:
        add("node_kex_" + kex, "node", node_case(algorithms={"kex": [kex]}, size=MATRIX_BYTES,
                                                 expect_algs={"kex": kex}))
    for cipher, mac in CIPHER_MACS:
        label = short(cipher) + ("+" + short(mac) if mac else "")
        algs = {"cipher": [cipher]}
        if mac:
            algs["hmac"] = [mac]
        add("node_" + label, "node", node_case(algorithms=algs, size=MATRIX_BYTES,
                                               expect_algs={"cipher": cipher}))
    for comp in ("zlib@openssh.com", "zlib"):
        add("node_compression_" + comp, "node", node_case(algorithms={"compress": [comp]},
                                                          expect_algs={"compress": comp}))
    return out


def on_server(shared, fn):
    """A harness case: fn(ctx, srv) on the shared server, whose host key is
    the only one OpenSSH's known_hosts holds for it."""
    def case(ctx):
        srv = shared.lend(ctx)
        with open(ctx.known_hosts, "w") as f:
            f.write("[127.0.0.1]:%d %s\n" % (srv.port, srv.host_pubkey()))
        fn(ctx, srv)
    return case


def main():
    if not os.access(hs.HOSTSD, os.X_OK):
        h.log("no hostsd program at %s (build first, or set HS_BUILD_DIR / HS_HOSTSD)" % hs.HOSTSD)
        sys.exit(1)
    todo = [c for c in cases() if not h.ONLY or h.ONLY in c[0]]
    skipped = []
    if ALLOW_MISSING:
        for name, client, _, _ in todo:
            if missing(client):
                skipped.append((name, "client %s is not installed (%s; package %s)" % (
                    client, missing(client), CLIENTS[client][1])))
    for name, why in skipped:
        h.log("SKIP %s: %s" % (name, why))
    if skipped:
        h.log("%d skipped" % len(skipped))
    names = dict(skipped)
    todo = [c for c in todo if c[0] not in names]
    for _, _, server, _ in todo:
        SERVERS[server].uses += 1
    h.run([(name, on_server(SERVERS[server], fn)) for name, _, server, fn in todo], under_test="hostsd serve")


if __name__ == "__main__":
    main()
