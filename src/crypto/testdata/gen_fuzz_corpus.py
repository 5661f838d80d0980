#!/usr/bin/python3
"""Seed corpus for src/crypto/cipher_fuzz.c, written to fuzz/corpus/cipher/.

Each input is: byte suite || uint32 seqnr || packet || tag, where the suite
numbers and the fixed keys (key[i] = i, iv[i] = 0x80 + i, mac_key[i] =
0x40 + i) are those of cipher_fuzz.c. One valid packet per suite is sealed
with AsyncSSH, so the fuzzer starts from inputs that open; a few short and
malformed inputs cover the early exits. The encrypt-and-MAC suites (a MAC
name without -etm) frame their packets with the length field inside the
block multiple (RFC 4253 §6).

Usage (from the repository root):
    /usr/bin/python3 src/crypto/testdata/gen_fuzz_corpus.py
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sshvec import fixed_bytes, get_encryption, seal, ssh_packet, ssh_string  # noqa: E402


def eam_packet(payload, block, label):
    """Like ssh_packet, but 4 + packet_length is the block multiple."""
    pad = block - (4 + 1 + len(payload)) % block
    if pad < 4:
        pad += block
    body = bytes([pad]) + payload + fixed_bytes(label + "/padding", pad)
    return len(body).to_bytes(4, "big") + body

SUITES = [  # index = first input byte, as in cipher_fuzz.c
    (b"chacha20-poly1305@openssh.com", 64, 0, 8, None, 0),
    (b"aes128-gcm@openssh.com", 16, 12, 16, None, 0),
    (b"aes256-gcm@openssh.com", 32, 12, 16, None, 0),
    (b"aes128-ctr", 16, 16, 16, b"hmac-sha2-256-etm@openssh.com", 32),
    (b"aes128-ctr", 16, 16, 16, b"hmac-sha2-512-etm@openssh.com", 64),
    (b"aes256-ctr", 32, 16, 16, b"hmac-sha2-256-etm@openssh.com", 32),
    (b"aes256-ctr", 32, 16, 16, b"hmac-sha2-512-etm@openssh.com", 64),
    (b"aes128-ctr", 16, 16, 16, b"hmac-sha2-256", 32),
    (b"aes128-ctr", 16, 16, 16, b"hmac-sha2-512", 64),
    (b"aes256-ctr", 32, 16, 16, b"hmac-sha2-256", 32),
    (b"aes256-ctr", 32, 16, 16, b"hmac-sha2-512", 64),
]
SEQNRS = [0, 1, 3, 0xfffffffe, 7, 0x01020304, 0xffffffff, 0, 1, 0xffffffff, 0x00010000]

KEY = bytes(range(64))
IV = bytes(0x80 + i for i in range(16))
MAC_KEY = bytes(0x40 + i for i in range(64))


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
    out = os.path.normpath(os.path.join(root, "fuzz", "corpus", "cipher"))
    os.makedirs(out, exist_ok=True)
    files = {}
    for n, (alg, klen, ivlen, block, mac, mklen) in enumerate(SUITES):
        seqnr = SEQNRS[n]
        etm = mac is not None and mac.endswith(b"-etm@openssh.com")
        enc = get_encryption(alg, KEY[:klen], IV[:ivlen], mac or b"", MAC_KEY[:mklen], etm)
        payload = b"\x05" + ssh_string(b"ssh-userauth") if n % 2 == 0 else \
            b"\x5e" + fixed_bytes("fuzz payload %d" % n, 40 + 13 * n)
        if mac is not None and not etm:
            packet = eam_packet(payload, block, "fuzz %d" % n)
        else:
            packet = ssh_packet(payload, block, "fuzz %d" % n)
        sealed, tag = seal(enc, seqnr, packet)
        name = "valid-%d-%s%s" % (n, alg.decode().split("@")[0],
                                  "-" + mac.decode().split("@")[0] if mac else "")
        files[name] = bytes([n]) + seqnr.to_bytes(4, "big") + sealed + tag
    files["short-empty"] = b""
    files["short-header"] = b"\x01\x00\x00\x00"
    files["short-length"] = b"\x03\x00\x00\x00\x09\x00\x00"
    # A length far beyond the input, and a body that is not a block multiple.
    files["length-huge"] = b"\x02\x00\x00\x00\x00\xff\xff\xff\xf0" + bytes(40)
    files["length-odd"] = b"\x05\x00\x00\x00\x00\x00\x00\x00\x11" + bytes(17 + 32)
    for name, data in sorted(files.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print("%s (%d bytes)" % (name, len(data)))


if __name__ == "__main__":
    main()
