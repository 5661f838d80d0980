"""The `angelos-tongues` public key algorithm for AsyncSSH, written for the
interoperability tests: what the Angelos project's clients sign with.

It is Ed25519 with its own wire encoding:
  public key blob  string("angelos-tongues") || base64(32-byte public key)
                   (44 bytes of padded standard base64, no length prefix)
  signature blob   string("angelos-tongues") || 64-byte Ed25519 signature
                   (raw, no length prefix)
and an authorized_keys line "angelos-tongues BASE64(public key blob)".

Needs Debian's python3-asyncssh (2.10) and python3-cryptography; import
this module, then build keys with AngelosTonguesKey.from_openssh_ed25519().
"""
import base64
import binascii

import asyncssh
from asyncssh.packet import PacketDecodeError, String
from asyncssh.public_key import KeyImportError, register_public_key_alg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)

ALGORITHM = b"angelos-tongues"
PUBLIC_LEN = 32
PUBLIC_B64_LEN = 44      # base64 of 32 bytes, with its one "=" of padding
SIGNATURE_LEN = 64


class AngelosTonguesKey(asyncssh.SSHKey):
    """An Ed25519 key that speaks the angelos-tongues encodings."""

    algorithm = ALGORITHM
    sig_algorithms = (ALGORITHM,)
    all_sig_algorithms = set(sig_algorithms)

    def __init__(self, private=None, public=None):
        # SSHKey keeps a "crypto key" of its own; ours are the two below.
        super().__init__(None)
        if private is not None:
            public = private.public_key()
        self._private = private
        self._public = public
        self._public_raw = public.public_bytes(serialization.Encoding.Raw,
                                               serialization.PublicFormat.Raw)

    # -- building keys

    @classmethod
    def from_openssh_ed25519(cls, path):
        """The angelos-tongues twin of an unencrypted OpenSSH ed25519 private
        key file (made by ssh-keygen): same secret, other encodings."""
        with open(path, "rb") as f:
            key = serialization.load_ssh_private_key(f.read(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyImportError("%s is not an ed25519 key" % path)
        return cls(private=key)

    @classmethod
    def make_private(cls, key_params):
        seed, = key_params
        return cls(private=Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def make_public(cls, key_params):
        raw, = key_params
        return cls(public=Ed25519PublicKey.from_public_bytes(raw))

    # -- the wire encodings (after the leading algorithm string)

    @classmethod
    def decode_ssh_public(cls, packet):
        text = packet.get_bytes(PUBLIC_B64_LEN)
        try:
            raw = base64.b64decode(text, validate=True)
        except binascii.Error:
            raise KeyImportError("angelos-tongues key is not base64") from None
        if len(raw) != PUBLIC_LEN:
            raise KeyImportError("angelos-tongues key is not 32 bytes")
        return (raw,)

    def encode_ssh_public(self):
        return base64.b64encode(self._public_raw)

    def sign_ssh(self, data, sig_algorithm):
        if self._private is None:
            raise ValueError("Private key needed for signing")
        return self._private.sign(data)

    def verify_ssh(self, data, sig_algorithm, packet):
        try:
            sig = packet.get_bytes(SIGNATURE_LEN)
            packet.check_end()
        except PacketDecodeError:
            return False
        try:
            self._public.verify(sig, data)
        except InvalidSignature:
            return False
        return True

    # -- what SSHKey users compare and print

    @property
    def public_raw(self):
        return self._public_raw

    def authorized_keys_line(self):
        return "angelos-tongues " + base64.b64encode(self.public_data).decode("ascii")

    def __eq__(self, other):
        return isinstance(other, AngelosTonguesKey) and self._public_raw == other._public_raw

    def __hash__(self):
        return hash((ALGORITHM, self._public_raw))


# Not a default algorithm: a client uses it only when it asks for it.
register_public_key_alg(ALGORITHM, AngelosTonguesKey, False)


def self_check(key):
    """Round trip of the encodings and a signature through AsyncSSH's own
    decoder; raises AssertionError if this module disagrees with itself."""
    blob = key.public_data
    assert blob == String(ALGORITHM) + key.encode_ssh_public()
    assert len(blob) == 4 + len(ALGORITHM) + PUBLIC_B64_LEN, len(blob)
    back = asyncssh.public_key.decode_ssh_public_key(blob)
    assert isinstance(back, AngelosTonguesKey) and back == key
    msg = b"angelos-tongues self check"
    sig = key.sign(msg, ALGORITHM)
    assert len(sig) == 4 + len(ALGORITHM) + SIGNATURE_LEN, len(sig)
    assert back.verify(msg, sig)
    assert not back.verify(msg + b"!", sig)
    assert not back.verify(msg, sig + b"\0")   # trailing bytes refused
