#!/usr/bin/python3
"""Seed corpus of the mlkem768 fuzz target (src/crypto/mlkem768_fuzz.c),
written to fuzz/corpus/mlkem768/. Needs the built build/tests/mlkem_tool
(the fixed key pair of the target: d[i] = i, z[i] = 0x80 + i).

Usage: src/crypto/testdata/gen_mlkem_corpus.py [BUILD_DIR]
"""
import gzip
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
OUT = os.path.join(ROOT, "fuzz", "corpus", "mlkem768")


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    d = bytes(range(32))
    z = bytes(0x80 + i for i in range(32))
    ms = [bytes([0x11] * 32), bytes(range(0x20, 0x40))]
    cmds = ["keygen_derand %s %s" % (d.hex(), z.hex())]
    out = subprocess.run([os.path.join(build, "tests", "mlkem_tool")], input="\n".join(cmds) + "\n",
                         capture_output=True, text=True, check=True).stdout.split()
    ek = bytes.fromhex(out[0])
    cmds = ["encaps_derand %s %s" % (ek.hex(), m.hex()) for m in ms]
    out = subprocess.run([os.path.join(build, "tests", "mlkem_tool")], input="\n".join(cmds) + "\n",
                         capture_output=True, text=True, check=True).stdout.splitlines()
    cts = [bytes.fromhex(line.split()[0]) for line in out]
    with gzip.open(os.path.join(ROOT, "tests", "data", "mlkem", "cctv_modulus_768.txt.gz"), "rt") as f:
        over_q = bytes.fromhex(f.readline().strip())

    seeds = {
        "ek-valid": b"\x00" + ek,
        "ek-over-modulus": b"\x00" + over_q,
        "ek-short": b"\x00" + ek[:-1],
        "ek-long": b"\x00" + ek + b"\x00",
        "ek-all-ones": b"\x00" + b"\xff" * len(ek),
        "ct-honest-1": b"\x01" + cts[0] + ms[0],
        "ct-honest-2": b"\x01" + cts[1] + ms[1],
        "ct-tampered": b"\x01" + bytes([cts[0][0] ^ 1]) + cts[0][1:] + ms[0],
        "ct-short": b"\x01" + cts[1][:100],
        "ct-zero": b"\x01" + bytes(len(cts[0])),
    }
    os.makedirs(OUT, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("%d files in %s" % (len(seeds), OUT))


if __name__ == "__main__":
    main()
