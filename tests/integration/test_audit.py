#!/usr/bin/python3
"""ssh-audit (Debian's) on `hostsd serve`:

- the default configuration: nothing to fail in the key exchange, host
  key, cipher and MAC algorithms, and nothing to warn about but names
  ssh-audit does not know (PSEUDO, and the post-quantum hybrids, newer
  than Debian 12's ssh-audit: PQ_HYBRIDS below);
- `profile classic` with the non-etm MACs added (the configuration for old
  clients docs/hostsd.md shows): exactly the warnings about those two MACs'
  encrypt-and-MAC mode, and the strict-kex marker unknown to ssh-audit.

Each report is kept in the build dir (tests/ssh-audit.txt,
tests/ssh-audit-classic-non-etm.txt) for the record."""
import json
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import hostsd_server as hs  # noqa: E402

SSH_AUDIT = shutil.which("ssh-audit") or "/usr/bin/ssh-audit"
CATEGORIES = ("kex", "key", "enc", "mac")
# Names an older ssh-audit (Debian 12's) does not know and calls "unknown"
# with a [warn]: the strict-kex and ext-info signals (not algorithms), and
# angelos-tongues (Ed25519 in Angelos framing, the Angelos profile's host
# key algorithm). Only that warning is forgiven for them.
PSEUDO = {"kex-strict-s-v00@openssh.com", "kex-strict-c-v00@openssh.com", "ext-info-s", "ext-info-c",
          "angelos-tongues"}
ETM = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com"]
NON_ETM = ["hmac-sha2-256", "hmac-sha2-512"]
CLASSIC_NON_ETM = ["profile classic", "macs " + ",".join(ETM + NON_ETM)]
LINE = re.compile(r"^\((?P<cat>\w+)\)\s+(?P<alg>\S+?)\s*--\s*\[(?P<level>\w+)\]\s*(?P<note>.*)$")
MORE = re.compile(r"^\s+`-\s*\[(?P<level>\w+)\]\s*(?P<note>.*)$")


def run_audit(srv, json_mode):
    argv = [SSH_AUDIT, "-n", "-t", "10", "-p", str(srv.port)] + (["-j"] if json_mode else []) + ["127.0.0.1"]
    try:
        r = subprocess.run(argv, capture_output=True, timeout=90, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise h.TestFailure("ssh-audit did not finish within 90s")
    # ssh-audit's exit code counts warnings we may forgive (see PSEUDO): judge by its report.
    return r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def supports_json():
    r = subprocess.run([SSH_AUDIT, "--help"], capture_output=True, timeout=30)
    return "--json" in (r.stdout + r.stderr).decode(errors="replace")


def findings(text):
    """(category, algorithm, level, note) for every fail/warn in the report."""
    out, seen, current = [], {c: [] for c in CATEGORIES}, None
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            current = (m.group("cat"), m.group("alg"))
            if current[0] in seen:
                seen[current[0]].append(current[1])
            level, note = m.group("level"), m.group("note")
        else:
            m = MORE.match(line)
            if not m or current is None:
                if not line.startswith(" "):
                    current = None
                continue
            level, note = m.group("level"), m.group("note")
        if current[0] in CATEGORIES and level in ("fail", "warn"):
            out.append((current[0], current[1], level, note.strip()))
    return out, seen


def audit(ctx, name, config, offer):
    """Audit `hostsd serve` with these hostsd.conf lines; offer: the
    algorithms each category must list, in order. Returns the fail/warn
    findings."""
    srv = hs.Hostsd(ctx, config=config).start()
    text, err = run_audit(srv, json_mode=False)
    record_dir = os.path.join(h.BUILD_DIR, "tests")
    os.makedirs(record_dir, exist_ok=True)
    with open(os.path.join(record_dir, name), "w") as f:
        f.write(text)
    ctx.log(text)
    bad, seen = findings(text)
    for cat in CATEGORIES:
        h.check(seen[cat], "ssh-audit listed no %s algorithms (did it connect?)\n%s\n%s" % (cat, text, err))
        h.check(seen[cat] == offer[cat], "ssh-audit lists %s %s, the configuration offers %s" % (
            cat, seen[cat], offer[cat]))
    if supports_json():
        js, err = run_audit(srv, json_mode=True)
        try:
            data = json.loads(js)
        except ValueError:
            raise h.TestFailure("ssh-audit -j gave no JSON: %r %s" % (js[:200], err))
        kex = [k["algorithm"] if isinstance(k, dict) else k for k in data.get("kex", [])]
        h.check(kex == seen["kex"], "JSON and text reports disagree on kex: %s vs %s" % (kex, seen["kex"]))
        keys = [k["algorithm"] if isinstance(k, dict) else k for k in data.get("key", [])]
        h.check(keys == offer["key"], "host key algorithms: %s" % keys)
    return bad


def unknown_pseudo(b):
    return b[1] in PSEUDO and b[2] == "warn" and "unknown algorithm" in b[3]


def show(found):
    return "\n".join("(%s) %s [%s] %s" % b for b in found) or "(none)"


# The post-quantum hybrids are newer than Debian 12's ssh-audit (2.5.0): it
# knows neither mlkem768x25519-sha256 nor sntrup761x25519-sha512 ("unknown
# algorithm") and calls sntrup761x25519-sha512@openssh.com "experimental"
# (it predates OpenSSH making it the default in 9.0). Warnings, never fail.
PQ_HYBRIDS = ["mlkem768x25519-sha256", "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com"]


def pq_note(b):
    return b[0] == "kex" and b[1] in PQ_HYBRIDS and b[2] == "warn" and (
        "unknown algorithm" in b[3] or "experimental" in b[3])


def audit_default(ctx):
    offer = {"kex": PQ_HYBRIDS + ["curve25519-sha256", "curve25519-sha256@libssh.org", "diffie-hellman-group18-sha512",
                     "diffie-hellman-group16-sha512", "diffie-hellman-group14-sha256",
                     "kex-strict-s-v00@openssh.com"],
             "key": ["ssh-ed25519", "angelos-tongues"],
             "enc": ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com",
                     "aes256-ctr", "aes128-ctr"],
             "mac": ETM}
    bad = audit(ctx, "ssh-audit.txt", [], offer)
    real = [b for b in bad if not unknown_pseudo(b) and not pq_note(b)]
    h.check(not [b for b in bad if b[2] == "fail"], "ssh-audit fails something:\n" + show(bad))
    h.check(not real, "ssh-audit objects:\n" + show(real))


def audit_classic_non_etm(ctx):
    offer = {"kex": ["diffie-hellman-group16-sha512", "diffie-hellman-group14-sha256",
                     "kex-strict-s-v00@openssh.com"],
             "key": ["ssh-ed25519"],
             "enc": ["aes256-ctr", "aes128-ctr"],
             "mac": ETM + NON_ETM}
    bad = audit(ctx, "ssh-audit-classic-non-etm.txt", CLASSIC_NON_ETM, offer)
    want = [("mac", m, "warn", "using encrypt-and-MAC mode") for m in NON_ETM]
    strict = ("kex", "kex-strict-s-v00@openssh.com", "warn", "unknown algorithm")
    # An ssh-audit that knows strict kex would not warn about its marker.
    h.check(sorted(bad) in (sorted(want + [strict]), sorted(want)),
            "ssh-audit findings:\n%s\nexpected exactly:\n%s" % (show(bad), show(want + [strict])))


if __name__ == "__main__":
    h.run([("ssh_audit_default", audit_default),
           ("ssh_audit_classic_non-etm_macs", audit_classic_non_etm)], under_test="hostsd serve")
