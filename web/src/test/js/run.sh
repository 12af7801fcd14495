#!/usr/bin/env bash
# Runs the web client's JavaScript unit tests with Node's built-in test runner. Maven calls this in the
# web module's test phase (skipped with -DskipTests); it installs the one test dependency from the lock file.
set -euo pipefail
cd "$(dirname "$0")/../../.."
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  msg="web client unit tests (web/src/test/js) need Node.js 20+ and npm; install them with: apt-get install -y nodejs npm"
  if [[ "${CI:-}" == "true" ]]; then
    echo "$msg [CI=true: failing instead of skipping]" >&2
    exit 1
  fi
  echo "[SKIPPED] $msg"
  exit 0
fi
if ! node src/build/installed.mjs; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node --test src/test/js/
