#!/usr/bin/env bash
# The widgets' checks: clean install from the lockfile, messages, the Tutor plugin's copy, tests.
# Needs Node 18+ and the npm registry. Run from anywhere: frontend/test.sh
set -euo pipefail
cd "$(dirname "$0")"
echo "Node $(node --version), npm $(npm --version)"
npm ci --no-audit --no-fund --loglevel=error
node scripts/messages.mjs --check
node scripts/sync-tutor.mjs --check
npx vitest run
