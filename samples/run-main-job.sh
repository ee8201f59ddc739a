#!/usr/bin/env bash
# The main job on the shipped sample: the runbook's nsecbunkerd maintenance through lamassuops.
# Creates a database from samples/nsecbunker-sample.sql in a temporary directory, inspects it, shows what the
# targeted strip would remove (--what-if), strips it after a verified backup, and shows the pairings intact; then
# cross-checks each pairing against the sample LNbits database (samples/lnbits-sample.sql), before and after the strip,
# compares the pairings with the backup the strip took, and shows what Repair-BunkerPairing would mend (--what-if).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if ! command -v sqlite3 >/dev/null; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/nsecbunker.db"
sqlite3 "$db" <"$root/samples/nsecbunker-sample.sql"
lnbits="$work/lnbits.sqlite3"
sqlite3 "$lnbits" <"$root/samples/lnbits-sample.sql"
mkdir -m 700 "$work/backups"

run() {
  printf '\n$ lamassuops %s\n' "$*"
  "$root/lamassuops" "$@"
}

run Test-BunkerDatabase "$db"
# Exits 1 by design: the sample has a pairing with each verdict.
run Test-BunkerPairing "$db" "$lnbits" || true
run Get-BunkerPairing "$db"
run Get-BunkerSigningCondition "$db"
run Remove-StaleSigningCondition "$db" --what-if
run Remove-StaleSigningCondition "$db" --force --backup-directory "$work/backups" --lnbits-database "$lnbits"
run Get-BunkerPairing "$db"
run Get-BunkerSigningCondition "$db"
run Test-BunkerPairing "$db" "$lnbits" --summary || true
run Compare-BunkerPairing "$work"/backups/*.bak "$db" --lnbits-database "$lnbits"
run Repair-BunkerPairing "$db" "$lnbits" --what-if
