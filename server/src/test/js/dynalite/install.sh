#!/usr/bin/env bash
# Installs the pinned dynalite (package-lock.json), the open-source DynamoDB emulator the DynamoDB store ITs
# start on a loopback port. Maven runs this in the server module's pre-integration-test phase (skipped with
# -DskipTests). Without node/npm it only says so and the ITs skip themselves; with CI=true it fails instead.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  msg="DynamoDB store tests (Dynamo*IT) need Node.js 20+ and npm; install them with: apt-get install -y nodejs npm"
  if [[ "${CI:-}" == "true" ]]; then
    echo "$msg [CI=true: failing instead of skipping]" >&2
    exit 1
  fi
  echo "$msg (skipping the npm install)"
  exit 0
fi
if [[ -d node_modules/dynalite && node_modules/.package-lock.json -nt package-lock.json ]]; then
  echo "dynalite already installed in $PWD"
else
  npm ci --no-audit --no-fund --loglevel=error
fi
