"""The other side of test_mlkem.py: ML-KEM-768 from pyca/cryptography
(OpenSSL 3.5+ underneath), driven line by line from stdin like
build/tests/mlkem_tool. Run by a python3 that has
cryptography.hazmat.primitives.asymmetric.mlkem, not by the harness's.

  keygen           -> SEED EK     (SEED = d || z, 64 bytes)
  encaps EK        -> CT SS       (or "error ...")
  decaps SEED CT   -> SS
  probe            -> ok
"""
import sys

from cryptography.hazmat.primitives.asymmetric import mlkem


def answer(*parts):
    sys.stdout.write(" ".join(parts) + "\n")
    sys.stdout.flush()


def main():
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd, args = words[0], [bytes.fromhex(w) for w in words[1:]]
        try:
            if cmd == "probe":
                answer("ok")
            elif cmd == "keygen":
                key = mlkem.MLKEM768PrivateKey.generate()
                answer(key.private_bytes_raw().hex(), key.public_key().public_bytes_raw().hex())
            elif cmd == "encaps":
                ss, ct = mlkem.MLKEM768PublicKey.from_public_bytes(args[0]).encapsulate()
                answer(ct.hex(), ss.hex())
            elif cmd == "decaps":
                answer(mlkem.MLKEM768PrivateKey.from_seed_bytes(args[0]).decapsulate(args[1]).hex())
            else:
                answer("error", "usage")
        except Exception as e:  # a refused key is an answer, not the end
            answer("error", type(e).__name__)


if __name__ == "__main__":
    main()
