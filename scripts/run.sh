#!/bin/bash
# Builds hostsd and runs it with a demo setup on 127.0.0.1: a state
# directory in demo/hostsd (host key, trust registry, config), a freshly
# generated key for the demo peer host "demo-peer", trusted and granted the
# demo subsystem "echo" (which runs `cat`), then `hostsd serve` in the
# foreground until Ctrl-C. It prints the ssh command that reaches it.
#   PORT=2200 scripts/run.sh     picks another port (default 2222)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-2222}"
DEMO="$PWD/demo"
STATE="$DEMO/hostsd"
KEY="$DEMO/peer_ed25519"

scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target hostsd >/dev/null

mkdir -p "$DEMO"
# As root, hostsd serve runs its network worker under the account `hostsd`
# (its `user` setting), which a package creates: here, the demo does.
if [ "$(id -u)" -eq 0 ] && ! getent passwd hostsd >/dev/null; then
  useradd --system --no-create-home --shell /usr/sbin/nologin hostsd
fi
if [ ! -f "$STATE/host_ed25519" ]; then
  build/hostsd init --dir "$STATE"
fi
# the demo subsystem, in the configuration (trust add checks grants against it)
if ! grep -q '^subsystem echo=' "$STATE/hostsd.conf"; then
  echo 'subsystem echo=cat' >>"$STATE/hostsd.conf"
fi
if [ ! -f "$KEY" ]; then
  ssh-keygen -q -t ed25519 -N '' -C demo-peer -f "$KEY"
  build/hostsd trust add --dir "$STATE" demo-peer "$KEY.pub" --subsystems echo --comment "demo peer"
fi

echo
echo "hostsd is starting on 127.0.0.1:$PORT. From another terminal:"
echo
echo "  ssh -p $PORT -i $KEY -o IdentitiesOnly=yes -o UserKnownHostsFile=$DEMO/known_hosts \\"
echo "      -o StrictHostKeyChecking=accept-new demo-peer@127.0.0.1 -s echo"
echo
echo "(type a line and it comes back; Ctrl-D ends the session; Ctrl-C here stops the server)"
echo
exec build/hostsd serve --dir "$STATE" --listen "127.0.0.1:$PORT" --subsystem "echo=cat"
