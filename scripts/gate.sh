#!/usr/bin/env bash
# The whole gate, as `npm test` runs it: type-check, lint, every test. The
# browser tests need Debian's Chromium: installed first when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f scripts/ensure-chromium.sh ]; then bash scripts/ensure-chromium.sh >&2; fi
npx tsc --noEmit -p .
npx biome ci .
exec node --test --test-reporter=spec "src/**/*.test.ts" "test/**/*.test.ts"
