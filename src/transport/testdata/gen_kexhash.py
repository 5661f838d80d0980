#!/usr/bin/python3
"""Independent computation (Python hashlib) of the exchange hash and key
derivation for the transcript used in kexhash_test.c (RFC 4253 §7.2, §8)."""
import hashlib, struct

def s(b): return struct.pack('>I', len(b)) + b
def mpint(b):
    b = b.lstrip(b'\0')
    if b and b[0] & 0x80: b = b'\0' + b
    return s(b)

vc = b'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3'
vs = b'SSH-2.0-hostsd_0.1'
ic = bytes([20]) + bytes(range(16)) + b'client-kexinit-rest'
is_ = bytes([20]) + bytes(range(16, 32)) + b'server-kexinit-rest'
ks = s(b'ssh-ed25519') + s(bytes(range(32)))
qc = bytes(range(100, 132)); qs = bytes(range(200, 232))
k = bytes([0x80]) + bytes(range(1, 32))   # top bit set: mpint gains a zero byte
h = hashlib.sha256(s(vc) + s(vs) + s(ic) + s(is_) + s(ks) + s(qc) + s(qs) + mpint(k)).digest()
def derive(letter, need):
    out = hashlib.sha256(mpint(k) + h + letter + h).digest()
    while len(out) < need:
        out += hashlib.sha256(mpint(k) + h + out).digest()
    return out[:need]
print("H", h.hex())
print("C64", derive(b'C', 64).hex())
print("A12", derive(b'A', 12).hex())
