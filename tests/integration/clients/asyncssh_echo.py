"""One echo session with AsyncSSH (Debian's python3-asyncssh), for the
client interoperability tests (tests/integration/test_clients.py).

  /usr/bin/python3 asyncssh_echo.py CONFIG.json

CONFIG: {port, user, key, key_kind ("openssh" or "angelos-tongues"),
known_hosts (one known_hosts line for the server), input, output,
options (keyword arguments for asyncssh.connect: kex_algs, encryption_algs,
mac_algs, compression_algs, signature_algs), tamper (sign wrongly),
sign_with (a signature algorithm to use whatever the server's
server-sig-algs say, as clients that predate server-sig-algs do)}.

Prints one JSON line of facts (negotiated algorithms, exit status, the
client key's public blob) and exits 0 on exit-status 0, 3 if the server
refused the key, 2 on any other failure.
"""
import asyncio
import base64
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import asyncssh  # noqa: E402

CHUNK = 64 * 1024


def load_key(cfg):
    if cfg.get("key_kind") == "angelos-tongues":
        import angelos_tongues as at
        key = at.AngelosTonguesKey.from_openssh_ed25519(cfg["key"])
        at.self_check(key)
        if cfg.get("tamper"):
            class Tampered(at.AngelosTonguesKey):
                def sign_ssh(self, data, sig_algorithm):
                    sig = bytearray(super().sign_ssh(data, sig_algorithm))
                    sig[0] ^= 0x01
                    return bytes(sig)
            key = Tampered(private=key._private)
        return key
    key = asyncssh.read_private_key(cfg["key"])
    if cfg.get("sign_with"):
        # A key pair that knows only this algorithm: AsyncSSH then signs
        # with it even when server-sig-algs does not list it.
        alg = cfg["sign_with"].encode()
        key = asyncssh.load_keypairs([key])[0]
        key.set_sig_algorithm(alg)
        key.sig_algorithms = (alg,)
    return key


async def session(cfg, facts):
    key = load_key(cfg)
    facts["client_key_blob"] = base64.b64encode(key.public_data).decode()
    opts = {k: tuple(v) for k, v in (cfg.get("options") or {}).items()}
    async with asyncssh.connect(
            "127.0.0.1", cfg["port"], username=cfg["user"],
            client_keys=[key], agent_path=None, password=None,
            kbdint_auth=False, gss_auth=False, host_based_auth=False,
            known_hosts=asyncssh.import_known_hosts(cfg["known_hosts"]),
            connect_timeout=30, login_timeout=30, **opts) as conn:
        for name in ("send_cipher", "send_mac", "send_compression",
                     "recv_cipher", "recv_mac", "recv_compression", "server_version"):
            facts[name] = conn.get_extra_info(name)
        proc = await conn.create_process(subsystem="echo", encoding=None)

        async def feed():
            with open(cfg["input"], "rb") as f:
                while True:
                    b = f.read(CHUNK)
                    if not b:
                        break
                    proc.stdin.write(b)
                    await proc.stdin.drain()
            proc.stdin.write_eof()

        async def drain():
            with open(cfg["output"], "wb") as f:
                while True:
                    b = await proc.stdout.read(CHUNK)
                    if not b:
                        break
                    f.write(b)

        await asyncio.gather(feed(), drain())
        result = await proc.wait()
        facts["exit_status"] = result.exit_status


def main():
    with open(sys.argv[1]) as f:
        cfg = json.load(f)
    facts = {"exit_status": None}
    code = 2
    try:
        asyncio.run(asyncio.wait_for(session(cfg, facts), cfg.get("timeout", 90)))
        code = 0 if facts["exit_status"] == 0 else 2
    except asyncssh.PermissionDenied as e:
        facts["error"] = "permission denied: %s" % e
        code = 3
    except Exception as e:   # every other failure is reported, not raised
        facts["error"] = "%s: %s" % (type(e).__name__, e)
    print(json.dumps(facts), flush=True)
    if "error" in facts:
        print("asyncssh: " + facts["error"], file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
