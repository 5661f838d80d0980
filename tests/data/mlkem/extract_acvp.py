#!/usr/bin/python3
"""Extract the ML-KEM-768 cases of NIST's ACVP sample vectors into the
compact files that src/crypto/mlkem768_test.c reads.

Usage: extract_acvp.py ACVP_SERVER_CHECKOUT [OUT_DIR]

Reads gen-val/json-files/ML-KEM-keyGen-FIPS203/internalProjection.json and
gen-val/json-files/ML-KEM-encapDecap-FIPS203/internalProjection.json (the
files that hold both the prompts and the expected answers) and writes
acvp_keygen_768.txt and acvp_encapdecap_768.txt: one "name = value" line
per field, a blank line after each case, hex in lower case. Only the fields
a test uses are kept (the encapsulation cases drop dk, for instance).
Standard library only.
"""
import json
import os
import sys

KEEP = {
    "keyGen": ["d", "z", "ek", "dk"],
    "encapsulation": ["ek", "m", "c", "k"],
    "decapsulation": ["dk", "c", "k", "reason"],
    "decapsulationKeyCheck": ["dk", "testPassed", "reason"],
    "encapsulationKeyCheck": ["ek", "testPassed", "reason"],
}


def value(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, str) and all(c in "0123456789abcdefABCDEF" for c in v):
        return v.lower()
    return str(v)


def extract(path, out_path):
    with open(path) as f:
        doc = json.load(f)
    n = 0
    with open(out_path, "w") as out:
        for group in doc["testGroups"]:
            if group["parameterSet"] != "ML-KEM-768":
                continue
            function = group.get("function", doc["mode"])
            for test in group["tests"]:
                out.write("tcId = %d\nfunction = %s\n" % (test["tcId"], function))
                for name in KEEP[function]:
                    if name in test:
                        out.write("%s = %s\n" % (name, value(test[name])))
                out.write("\n")
                n += 1
    print("%s: %d cases" % (out_path, n))


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    src = os.path.join(sys.argv[1], "gen-val", "json-files")
    out = sys.argv[2] if len(sys.argv) == 3 else os.path.dirname(os.path.abspath(__file__))
    extract(os.path.join(src, "ML-KEM-keyGen-FIPS203", "internalProjection.json"),
            os.path.join(out, "acvp_keygen_768.txt"))
    extract(os.path.join(src, "ML-KEM-encapDecap-FIPS203", "internalProjection.json"),
            os.path.join(out, "acvp_encapdecap_768.txt"))


if __name__ == "__main__":
    main()
