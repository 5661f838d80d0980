"""Shared helpers for the known-answer generators in this directory.

The generators use AsyncSSH (python3-asyncssh) -- an implementation of the
SSH packet ciphers written independently of ours -- to seal fixed packets,
and print the results as C initialisers for the unit tests in src/crypto/.
Run them with the system Python: /usr/bin/python3 <script>.
"""

import hashlib
import warnings

# AsyncSSH imports legacy ciphers that python3-cryptography flags.
warnings.filterwarnings("ignore")

from asyncssh.encryption import get_encryption  # noqa: E402


def fixed_bytes(label, n):
    """n reproducible bytes named by label (SHA-512 in counter mode)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha512(b"%s/%d" % (label.encode(), i)).digest()
        i += 1
    return out[:n]


def ssh_packet(payload, block, label):
    """uint32 packet_length || byte padding_length || payload || padding,
    with packet_length (the length field excluded, as in AEAD and ETM
    modes) a multiple of block and at least 4 bytes of padding."""
    pad = block - (1 + len(payload)) % block
    if pad < 4:
        pad += block
    body = bytes([pad]) + payload + fixed_bytes(label + "/padding", pad)
    return len(body).to_bytes(4, "big") + body


def ssh_string(b):
    return len(b).to_bytes(4, "big") + b


def seal(enc, seqnr, packet):
    """Seal with an AsyncSSH Encryption object: (sealed packet, tag)."""
    return enc.encrypt_packet(seqnr, packet[:4], packet[4:])


def check_open(dec, seqnr, packet, sealed, tag, first_len):
    """Open with AsyncSSH's receiving side and compare with the original."""
    first, hdr = dec.decrypt_header(seqnr, sealed[:first_len], 4)
    assert hdr == packet[:4], "header does not decrypt"
    body = dec.decrypt_packet(seqnr, first, sealed[first_len:], 4, tag)
    assert body == packet[4:], "packet does not open"


def c_str(data, indent="\t\t"):
    """A C string literal of hex digits, split over lines."""
    h = data.hex()
    parts = [h[i:i + 64] for i in range(0, len(h), 64)] or [""]
    return ("\n" + indent).join('"%s"' % p for p in parts)


def print_key(name, data):
    print("static const char %s[] =\n\t%s;" % (name, c_str(data, "\t")))


def print_packets(name, rows):
    """rows: (seqnr, plaintext packet, sealed packet, tag)."""
    print("static const struct kat_packet %s[] = {" % name)
    for seqnr, plain, sealed, tag in rows:
        print("\t{ 0x%08xu,\n\t\t%s,\n\t\t%s,\n\t\t%s },"
              % (seqnr, c_str(plain), c_str(sealed), c_str(tag)))
    print("};")


__all__ = ["get_encryption", "fixed_bytes", "ssh_packet", "ssh_string",
           "seal", "check_open", "print_key", "print_packets"]
