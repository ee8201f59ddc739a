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

# The real node-postgres clients the lamassu tests check against: tests/node (pg-connection-string >= 2.6.0) and
# tests/node/pg-old (2.5.0), each pinned by its package-lock.json. Reinstalled when the lock file changed.
for dir in "$root/tests/node" "$root/tests/node/pg-old"; do
  if [[ -f "$dir/package.json" && ( ! -f "$dir/node_modules/.package-lock.json" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ) ]]; then
    echo "prepare: npm ci in ${dir#"$root/"}" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done

# tree-sitter's PowerShell grammar, to parse build.ps1 and the Pester suite where no pwsh exists (only its wasm is
# used, so no native build: --ignore-scripts).
syntax="$root/tests/pester/syntax"
if [[ ! -f "$syntax/node_modules/.package-lock.json" || "$syntax/package-lock.json" -nt "$syntax/node_modules/.package-lock.json" ]]; then
  echo "prepare: npm ci in tests/pester/syntax" >&2
  (cd "$syntax" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
fi
