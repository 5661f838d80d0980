#!/bin/bash
# Installs what building, testing and benchmarking hostsd needs (Debian /
# Ubuntu packages), and only what is missing: nothing to do is a quick no-op.
# Extra package names given as arguments are installed too (the coverage and
# lint scripts ask for their tools this way).
set -euo pipefail

PACKAGES=(
  cmake gcc clang libclang-rt-14-dev pkg-config
  libuv1-dev libssl-dev zlib1g-dev libsqlite3-dev libseccomp-dev
  openssh-client openssh-server ssh-audit
  python3 valgrind procps
  python3-asyncssh python3-paramiko python3-cryptography putty-tools dropbear-bin
  "$@"
)
# Node.js for the ssh2 client test: only when there is none (a machine may
# carry its own build, which Debian's npm package would conflict with).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "deps.sh: missing packages (${missing[*]}) and not root, no sudo: install them and retry" >&2
  exit 1
fi

echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
