#!/usr/bin/python3
"""Seed corpus for src/crypto/sntrup761_fuzz.c, written to fuzz/corpus/sntrup761/.

Each input is: byte case || data (see sntrup761_fuzz.c). Public keys and
ciphertexts are the first two known answers of tests/data/sntrup761/
(real ones, though the ciphertexts are not for the fuzz target's fixed key
pair, so they take the implicit-rejection path), with extremes (all zero,
all 0xff bytes) and lengths one short and one long; round-trip inputs are
a few seeds, with and without a byte to change.

Usage (from the repository root):
    /usr/bin/python3 src/crypto/testdata/gen_sntrup761_corpus.py
"""

import os

KAT = "tests/data/sntrup761/kat_kem_first10.rsp"
OUT = "fuzz/corpus/sntrup761"
PK_LEN, CT_LEN = 1158, 1039


def read_kat(path):
    cases, cur = [], None
    for line in open(path):
        key, sep, val = line.strip().partition(" = ")
        if not sep:
            continue
        if key == "count":
            cur = {}
            cases.append(cur)
        else:
            cur[key] = bytes.fromhex(val)
    return cases


def main():
    kats = read_kat(KAT)[:2]
    os.makedirs(OUT, exist_ok=True)
    inputs = {}
    for i, k in enumerate(kats):
        inputs[f"encaps-kat{i}"] = b"\x00" + k["pk"]
        inputs[f"decaps-kat{i}"] = b"\x01" + k["ct"]
    inputs["encaps-zero"] = b"\x00" + bytes(PK_LEN)
    inputs["encaps-ff"] = b"\x00" + b"\xff" * PK_LEN
    inputs["encaps-short"] = b"\x00" + kats[0]["pk"][:-1]
    inputs["encaps-long"] = b"\x00" + kats[0]["pk"] + b"\x00"
    inputs["decaps-zero"] = b"\x01" + bytes(CT_LEN)
    inputs["decaps-ff"] = b"\x01" + b"\xff" * CT_LEN
    inputs["decaps-short"] = b"\x01" + kats[0]["ct"][:-1]
    inputs["decaps-long"] = b"\x01" + kats[0]["ct"] + b"\x00"
    inputs["empty"] = b""
    inputs["round-trip-seed0"] = b"\x02"
    inputs["round-trip-seed"] = b"\x02" + bytes(range(1, 9))
    inputs["round-trip-tamper-first"] = b"\x02" + bytes(range(1, 9)) + b"\x00"
    inputs["round-trip-tamper-confirm"] = b"\x02" + bytes(8) + bytes([255, 0x80])
    for name, data in sorted(inputs.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
