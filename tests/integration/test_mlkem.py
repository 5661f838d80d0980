#!/usr/bin/python3
"""ML-KEM-768 of the engine (src/crypto/mlkem768.c, through
build/tests/mlkem_tool) against an independent implementation: pyca
cryptography's (OpenSSL 3.5+), run by another python3 through
mlkem_peer.py. 1,000 rounds each way:

- the peer generates a key, the engine encapsulates to it, the peer
  decapsulates: same secret; the engine's keygen from the peer's seed gives
  the peer's ek; a tampered ciphertext gives the same implicit-rejection
  secret on both sides;
- the engine generates a key, the peer encapsulates, the engine
  decapsulates: same secret;
- keys that fail the modulus check are refused by both.

The python3 with cryptography's ML-KEM is HS_PYTHON_MLKEM, or else the
first python3 on PATH that can import it. Debian 12's python3-cryptography
has no ML-KEM: without such a python3 the test is skipped (exit 77, which
ctest reports as skipped), with the reason printed."""
import gzip
import os
import subprocess
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "mlkem_peer.py")
TOOL = os.path.join(h.BUILD_DIR, "tests", "mlkem_tool")
MODULUS = os.path.join(h.REPO, "tests", "data", "mlkem", "cctv_modulus_768.txt.gz")
ROUNDS = 100 if h.QUICK else 1000
PROBE = "from cryptography.hazmat.primitives.asymmetric import mlkem; mlkem.MLKEM768PrivateKey.generate()"


def find_python():
    """(path, why) of a python3 that has cryptography's ML-KEM, or (None, why)."""
    env = os.environ.get("HS_PYTHON_MLKEM")
    candidates = [env] if env else []
    if not env:
        for d in os.environ.get("PATH", "").split(os.pathsep):
            p = os.path.join(d or ".", "python3")
            if os.access(p, os.X_OK) and p not in candidates:
                candidates.append(p)
    for p in candidates:
        try:
            r = subprocess.run([p, "-c", PROBE], capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if r.returncode == 0:
            return p, None
    if env:
        return None, "HS_PYTHON_MLKEM=%s cannot import cryptography's mlkem" % env
    return None, ("no python3 on PATH can import cryptography.hazmat.primitives.asymmetric.mlkem "
                  "(cryptography 47+ on OpenSSL 3.5+; set HS_PYTHON_MLKEM)")


class Peer:
    """A line-oriented child process: ask() sends a command, returns the words of its answer."""

    def __init__(self, ctx, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        ctx.procs.append(self.p)
        self.name = os.path.basename(argv[-1])

    def ask(self, *words):
        self.p.stdin.write(" ".join(w.hex() if isinstance(w, bytes) else w for w in words) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        h.check(line, "%s ended while answering %s" % (self.name, words[0]))
        return line.split()

    def ask_bytes(self, *words):
        out = self.ask(*words)
        h.check(out[0] != "error", "%s refused %s: %s" % (self.name, words[0], " ".join(out)))
        return [bytes.fromhex(w) for w in out]

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)


def peers(ctx, python):
    h.check(os.access(TOOL, os.X_OK), "%s is not built" % TOOL)
    return Peer(ctx, [TOOL]), Peer(ctx, [python, PEER])


def peer_keygen_engine_encaps(ctx):
    c, py = peers(ctx, PYTHON)
    for i in range(ROUNDS):
        seed, ek = py.ask_bytes("keygen")
        ct, ss = c.ask_bytes("encaps", ek)
        h.check(py.ask_bytes("decaps", seed, ct) == [ss], "round %d: the peer decapsulates another secret" % i)
        ek2, dk = c.ask_bytes("keygen_derand", seed[:32], seed[32:])
        h.check(ek2 == ek, "round %d: keygen from the peer's seed gives another ek" % i)
        bad = bytearray(ct)
        bad[i % len(bad)] ^= 1 << (i % 8)
        (k_py,) = py.ask_bytes("decaps", seed, bytes(bad))
        (k_c,) = c.ask_bytes("decaps", dk, bytes(bad))
        h.check(k_py == k_c and k_c != ss, "round %d: implicit rejection differs" % i)
    c.close()
    py.close()
    ctx.log("%d rounds" % ROUNDS)


def engine_keygen_peer_encaps(ctx):
    c, py = peers(ctx, PYTHON)
    for i in range(ROUNDS):
        ek, dk = c.ask_bytes("keygen")
        ct, ss = py.ask_bytes("encaps", ek)
        h.check(c.ask_bytes("decaps", dk, ct) == [ss], "round %d: the engine decapsulates another secret" % i)
    c.close()
    py.close()


def bad_keys_refused(ctx):
    c, py = peers(ctx, PYTHON)
    with gzip.open(MODULUS, "rt") as f:
        keys = [bytes.fromhex(line.strip()) for line in f if line.strip()]
    for ek in keys[::50] + [keys[-1]]:
        h.check(c.ask("encaps", ek)[0] == "error", "the engine encapsulated to a key over the modulus")
        h.check(py.ask("encaps", ek)[0] == "error", "the peer encapsulated to a key over the modulus")
    c.close()
    py.close()


if __name__ == "__main__":
    PYTHON, why = find_python()
    if PYTHON is None:
        print("SKIP: " + why)
        sys.exit(77)
    h.log("independent ML-KEM: %s" % PYTHON)
    h.run([("mlkem_peer_keygen_engine_encaps", peer_keygen_engine_encaps),
           ("mlkem_engine_keygen_peer_encaps", engine_keygen_peer_encaps),
           ("mlkem_bad_keys_refused", bad_keys_refused)], under_test="ML-KEM-768 (mlkem_tool)")
