"""One echo session with Paramiko (Debian's python3-paramiko), for the
client interoperability tests (tests/integration/test_clients.py).

  /usr/bin/python3 paramiko_echo.py CONFIG.json

CONFIG: {port, user, key, key_type ("ed25519", "rsa" or "ecdsa"),
host_key (base64 blob the server must present), input, output,
kex, ciphers, macs (preference tuples, optional), compress (bool)}.

Prints one JSON line of facts (negotiated algorithms, exit status) and
exits 0 on exit-status 0, 3 if the server refused the key, 2 otherwise.
"""
import base64
import json
import logging
import re
import socket
import sys
import threading

import paramiko

CHUNK = 32 * 1024
KEY_CLASSES = {"ed25519": paramiko.Ed25519Key, "rsa": paramiko.RSAKey, "ecdsa": paramiko.ECDSAKey}


class Agreements(logging.Handler):
    """Paramiko says what it negotiated only in its debug log: keep those
    lines ("Kex: ...", "Cipher: ...", "Agreed upon 'X' pubkey algorithm")."""

    WANTED = re.compile(r"^(Kex|HostKey|Cipher|MAC|Compression): (.*)$")

    def __init__(self, facts):
        super().__init__(logging.DEBUG)
        self.facts = facts

    def emit(self, record):
        msg = record.getMessage()
        m = self.WANTED.match(msg)
        if m:
            self.facts[m.group(1).lower()] = m.group(2)
        m = re.match(r"^Agreed upon '([^']+)' pubkey algorithm", msg)
        if m:
            self.facts["pubkey_algorithm"] = m.group(1)


def session(cfg, facts):
    timeout = cfg.get("timeout", 90)
    key = KEY_CLASSES[cfg["key_type"]].from_private_key_file(cfg["key"])
    sock = socket.create_connection(("127.0.0.1", cfg["port"]), timeout=30)
    t = paramiko.Transport(sock)
    try:
        opts = t.get_security_options()
        if cfg.get("kex"):
            opts.kex = cfg["kex"]
        if cfg.get("ciphers"):
            opts.ciphers = cfg["ciphers"]
        if cfg.get("macs"):
            opts.digests = cfg["macs"]
        t.use_compression(bool(cfg.get("compress")))
        t.start_client(timeout=30)
        got = t.get_remote_server_key()
        if base64.b64decode(cfg["host_key"]) != got.asbytes():
            raise RuntimeError("server host key %s %s is not the expected one"
                               % (got.get_name(), got.get_base64()[:24]))
        facts["remote_version"] = t.remote_version
        t.auth_publickey(cfg["user"], key)
        ch = t.open_session(timeout=30)
        ch.settimeout(timeout)
        ch.invoke_subsystem("echo")
        errors = []

        def feed():
            try:
                with open(cfg["input"], "rb") as f:
                    while True:
                        b = f.read(CHUNK)
                        if not b:
                            break
                        ch.sendall(b)
                ch.shutdown_write()
            except Exception as e:   # reported by the main thread
                errors.append("send: %s: %s" % (type(e).__name__, e))

        w = threading.Thread(target=feed, daemon=True)
        w.start()
        with open(cfg["output"], "wb") as f:
            while True:
                b = ch.recv(CHUNK)
                if not b:
                    break
                f.write(b)
        w.join(timeout)
        if errors:
            raise RuntimeError(errors[0])
        facts["exit_status"] = ch.recv_exit_status()
        ch.close()
    finally:
        t.close()


def main():
    with open(sys.argv[1]) as f:
        cfg = json.load(f)
    facts = {"exit_status": None}
    logger = logging.getLogger("paramiko")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(Agreements(facts))
    code = 2
    try:
        session(cfg, facts)
        code = 0 if facts["exit_status"] == 0 else 2
    except paramiko.AuthenticationException as e:
        facts["error"] = "permission denied: %s" % e
        code = 3
    except Exception as e:   # every other failure is reported, not raised
        facts["error"] = "%s: %s" % (type(e).__name__, e)
    print(json.dumps(facts), flush=True)
    if "error" in facts:
        print("paramiko: " + facts["error"], file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
