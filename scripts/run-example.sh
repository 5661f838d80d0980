#!/bin/bash
# Runs the example server in the foreground (Ctrl-C stops it): installs
# what is missing, builds build/, makes a demo client key authorized for
# the user "demo", and prints the ssh command that reaches the server.
#
#   PORT=2222 (default)   the port on 127.0.0.1
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT=${PORT:-2222}
BUILD=${HS_BUILD_DIR:-$ROOT/build}

"$ROOT/scripts/deps.sh"
cmake -S "$ROOT" -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j2 --target hosts_server >/dev/null

DEMO=demo
mkdir -p "$DEMO/authorized_keys"
chmod 700 "$DEMO"
# A fresh client key each run; the host key is kept, so known_hosts stays valid.
rm -f "$DEMO/client_ed25519" "$DEMO/client_ed25519.pub"
ssh-keygen -q -t ed25519 -N '' -C "demo-client" -f "$DEMO/client_ed25519"
cp "$DEMO/client_ed25519.pub" "$DEMO/authorized_keys/demo"

cat <<MSG

Starting build/hosts_server on 127.0.0.1:$PORT (Ctrl-C to stop). In another terminal:

  ssh -p $PORT -i $DEMO/client_ed25519 -o UserKnownHostsFile=$DEMO/known_hosts -o StrictHostKeyChecking=accept-new demo@127.0.0.1 -s echo

Type a line: it comes back. Ctrl-D ends the session.

MSG

exec "$BUILD/hosts_server" --listen "127.0.0.1:$PORT" --host-key "$DEMO/host_ed25519" \
  --authorized-keys "$DEMO/authorized_keys"
