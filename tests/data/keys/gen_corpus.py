#!/usr/bin/env python3
"""Writes the seed corpora of the keys module's fuzz targets
(fuzz/corpus/key_blob, key_line, keyfile, sig) from the key fixtures in
this directory: valid samples plus a few broken ones. Run from anywhere;
needs python3-cryptography. Re-run after gen.sh."""
import base64
import os
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

# Must match src/keys/sig_fuzz.c.
SIG_MSG = b"hostsd sig fuzz message"
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")


def s(b):
    return struct.pack(">I", len(b)) + b


def mpint(n):
    if n == 0:
        return s(b"")
    b = n.to_bytes((n.bit_length() + 8) // 8, "big")  # room for a sign bit
    if len(b) > 1 and b[0] == 0 and b[1] < 0x80:
        b = b[1:]
    return s(b)


def read(name):
    with open(os.path.join(HERE, name), "rb") as f:
        return f.read()


def pub_blob(name):
    return base64.b64decode(read(name + ".pub").split()[1])


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def unarmour(text):
    lines = text.decode().strip().split("\n")
    return base64.b64decode("".join(lines[1:-1]))


def armour(body):
    b = base64.b64encode(body).decode()
    lines = [b[i:i + 70] for i in range(0, len(b), 70)]
    return ("-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines) +
            "\n-----END OPENSSH PRIVATE KEY-----\n").encode()


def key_blob():
    for k in ("ed25519", "rsa3072", "ecdsa256", "ecdsa384", "ecdsa521"):
        write("key_blob", "valid-" + k, pub_blob(k))
    write("key_blob", "refused-rsa1024", pub_blob("rsa1024"))
    ed = pub_blob("ed25519")
    write("key_blob", "ed25519-31", s(b"ssh-ed25519") + s(ed[19:50]))
    write("key_blob", "ed25519-trailing", ed + b"\0")
    write("key_blob", "rsa-truncated", pub_blob("rsa3072")[:200])
    p256 = pub_blob("ecdsa256")
    write("key_blob", "ecdsa-wrong-curve", p256.replace(b"\0\0\0\x08nistp256", b"\0\0\0\x08nistp384"))
    write("key_blob", "ecdsa-off-curve", p256[:-1] + bytes([p256[-1] ^ 1]))
    write("key_blob", "empty", b"")


def key_line():
    for k in ("ed25519", "rsa3072", "ecdsa256", "ecdsa384", "ecdsa521"):
        write("key_line", "valid-" + k, read(k + ".pub"))
    write("key_line", "refused-rsa1024", read("rsa1024.pub"))
    ed = read("ed25519.pub")
    write("key_line", "crlf-tabs", b" \t" + ed.rstrip(b"\n").replace(b" ", b"\t", 1) + b"\r\n")
    write("key_line", "type-mismatch", b"ssh-rsa" + ed[len(b"ssh-ed25519"):])
    write("key_line", "bad-base64", ed.replace(b"AAAA", b"A!AA", 1))
    blob = pub_blob("ed25519") + b"\0"
    write("key_line", "trailing-in-blob", b"ssh-ed25519 " + base64.b64encode(blob) + b" x\n")


def keyfile():
    for k in ("ed25519", "ed25519_pass", "rsa3072", "ecdsa256"):
        write("keyfile", "fixture-" + k, read(k))
    text = read("ed25519")
    write("keyfile", "truncated", text[: len(text) // 2])
    write("keyfile", "trailing-garbage", text + b"garbage\n")
    body = unarmour(text)
    # Layout: magic(15) none none "" nkeys, string pubblob(51), string section.
    sect = 15 + 8 + 8 + 4 + 4 + 55
    bad = bytearray(body)
    bad[sect + 4] ^= 1  # first checkint
    write("keyfile", "bad-checkint", armour(bytes(bad)))
    bad = bytearray(body)
    bad[-1] ^= 0x40  # last byte: padding (or comment when none)
    write("keyfile", "bad-padding", armour(bytes(bad)))
    write("keyfile", "trailing-in-body", armour(body + b"\0"))
    write("keyfile", "empty-body", b"-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----\n")


def sig():
    ed = ed25519.Ed25519PrivateKey.from_private_bytes(RFC8032_SEED)
    raw = ed.sign(SIG_MSG)
    write("sig", "valid-ed25519", s(b"ssh-ed25519") + s(raw))
    write("sig", "ed25519-trailing", s(b"ssh-ed25519") + s(raw) + b"\0")
    write("sig", "ed25519-short", s(b"ssh-ed25519") + s(raw[:63]))
    write("sig", "ed25519-flipped", s(b"ssh-ed25519") + s(bytes([raw[0] ^ 1]) + raw[1:]))
    rsa = serialization.load_pem_private_key(read("rsa3072.pem"), None)
    for alg, h in ((b"rsa-sha2-256", hashes.SHA256()), (b"rsa-sha2-512", hashes.SHA512()),
                   (b"ssh-rsa", hashes.SHA1())):
        write("sig", "rsa-" + alg.decode(), s(alg) + s(rsa.sign(SIG_MSG, padding.PKCS1v15(), h)))
    p256 = serialization.load_pem_private_key(read("ecdsa256.pem"), None)
    r, sv = decode_dss_signature(p256.sign(SIG_MSG, ec.ECDSA(hashes.SHA256())))
    alg = b"ecdsa-sha2-nistp256"
    write("sig", "valid-ecdsa256", s(alg) + s(mpint(r) + mpint(sv)))
    write("sig", "ecdsa256-r-zero", s(alg) + s(mpint(0) + mpint(sv)))
    write("sig", "ecdsa256-trailing", s(alg) + s(mpint(r) + mpint(sv) + b"\0"))
    write("sig", "empty", b"")


if __name__ == "__main__":
    key_blob()
    key_line()
    keyfile()
    sig()
