#!/usr/bin/env bash
# Installs what the test suite needs and a fresh machine of ours lacks. Idempotent and quiet when all is there.
# Sourced-free: run as `bash tests/prepare.sh`; needs root for apt-get (CI and our machines run as root).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

need_apt=()
command -v shellcheck >/dev/null || need_apt+=(shellcheck)
command -v sqlite3 >/dev/null || need_apt+=(sqlite3)
[[ -x /usr/lib/postgresql/15/bin/initdb ]] || need_apt+=(postgresql-15)
command -v node >/dev/null || need_apt+=(nodejs npm)
if ((${#need_apt[@]})); then
  echo "prepare: installing ${need_apt[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# The real node-postgres clients the lamassu tests check against (tests/node/package.json pins them).
if [[ -f "$root/tests/node/package.json" && ! -d "$root/tests/node/node_modules" ]]; then
  echo "prepare: npm install in tests/node" >&2
  (cd "$root/tests/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
