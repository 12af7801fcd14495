#!/usr/bin/env bash
# Installs the web client's npm dependencies from the committed lock file and copies the MLS library
# (ts-mls, for end-to-end encrypted conversations) into the classpath folder web/vendor/ (see vendor.mjs).
# Maven runs this in the web module's generate-resources phase. Without Node.js the client is built
# without it (e2ee conversations then say the library is missing); under CI=true that fails the build.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:?usage: vendor.sh <output dir>}"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  msg="web client: Node.js 20+ and npm are needed to install ts-mls for end-to-end encryption; install them with: apt-get install -y nodejs npm"
  if [[ "${CI:-}" == "true" ]]; then
    echo "$msg [CI=true: failing instead of building without it]" >&2
    exit 1
  fi
  echo "[WARNING] $msg (building without it)"
  exit 0
fi
if ! node src/build/installed.mjs; then
  npm ci --no-audit --no-fund --loglevel=error
fi
rm -rf "$out"
node src/build/vendor.mjs node_modules "$out" ts-mls ts-mls/clientConfig.js ts-mls/groupContext.js ts-mls/keyPackage.js
