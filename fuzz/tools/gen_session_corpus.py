#!/usr/bin/python3
"""Writes seed inputs for the session fuzz target (src/core/session_fuzz.c):
plaintext client packets for a whole connection. The first byte selects
the start: 0 = from the identification line, 1 = past key exchange."""
import os, struct, sys

def s(b): return struct.pack('>I', len(b)) + (b if isinstance(b, bytes) else b.encode())
def u32(n): return struct.pack('>I', n)
def pkt(payload):
    pad = 8 - ((5 + len(payload)) % 8)
    if pad < 4: pad += 8
    return struct.pack('>IB', 1 + len(payload) + pad, pad) + payload + b'\0' * pad

blob = s('ssh-ed25519') + s(bytes(range(32)))
sig = s('ssh-ed25519') + s(bytes(64))
auth = lambda m, rest=b'': bytes([50]) + s('peer') + s('ssh-connection') + s(m) + rest
creq = lambda ch, t, wr, rest=b'': bytes([98]) + u32(ch) + s(t) + bytes([wr]) + rest

session = [
    bytes([5]) + s('ssh-userauth'),
    auth('none'),
    auth('publickey', b'\0' + s('ssh-ed25519') + s(blob)),
    auth('publickey', b'\1' + s('ssh-ed25519') + s(blob) + s(sig)),
    bytes([80]) + s('tcpip-forward') + b'\1' + s('127.0.0.1') + u32(0),
    bytes([80]) + s('keepalive@openssh.com') + b'\1',
    bytes([90]) + s('session') + u32(0) + u32(2097152) + u32(32768),
    creq(0, 'pty-req', 1, s('xterm') + u32(80) + u32(24) + u32(0) + u32(0) + s(b'')),
    creq(0, 'env', 1, s('LANG') + s('C')),
    creq(0, 'subsystem', 1, s('echo')),
    bytes([94]) + u32(0) + s('hello'),
    bytes([93]) + u32(0) + u32(1000),
    creq(0, 'window-change', 0, u32(100) + u32(40) + u32(0) + u32(0)),
    creq(0, 'signal', 0, s('INT')),
    creq(0, 'break', 1, u32(10)),
    bytes([95]) + u32(0) + u32(1) + s('err'),
    bytes([94]) + u32(0) + s('Echo-close'),
    bytes([96]) + u32(0),
    bytes([97]) + u32(0),
    bytes([90]) + s('direct-tcpip') + u32(1) + u32(65536) + u32(16384) + s('localhost') + u32(22) + s('127.0.0.1') + u32(5555),
    bytes([90]) + s('session') + u32(2) + u32(0) + u32(0),
    bytes([20]) + bytes(16) + b''.join(s(x) for x in ['curve25519-sha256', 'ssh-ed25519', 'aes128-gcm@openssh.com',
        'aes128-gcm@openssh.com', 'hmac-sha2-256-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com', 'none', 'none', '', '']) + b'\0' + u32(0),
    bytes([1]) + u32(11) + s('bye') + s(''),
]
out = sys.argv[1] if len(sys.argv) > 1 else 'fuzz/corpus/session'
os.makedirs(out, exist_ok=True)
open(os.path.join(out, 'after-kex-full'), 'wb').write(b'\1' + b''.join(pkt(p) for p in session))
open(os.path.join(out, 'after-kex-noauth'), 'wb').write(b'\1' + pkt(session[0]) + pkt(auth('none')) + pkt(session[6]))
kexinit = bytes([20]) + bytes(16) + b''.join(s(x) for x in [
    'curve25519-sha256,ext-info-c,kex-strict-c-v00@openssh.com', 'ssh-ed25519', 'chacha20-poly1305@openssh.com',
    'chacha20-poly1305@openssh.com', 'hmac-sha2-256-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com', 'none', 'none', '', '']) + b'\0' + u32(0)
ecdh = bytes([30]) + s(bytes(range(9, 41)))
open(os.path.join(out, 'from-start'), 'wb').write(b'\0' + b'SSH-2.0-OpenSSH_9.2p1\r\n' + pkt(kexinit) + pkt(ecdh) + pkt(bytes([21])))
open(os.path.join(out, 'bad-version'), 'wb').write(b'\0' + b'HELLO\r\n' + b'x' * 300)
