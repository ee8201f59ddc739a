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
# nix-instantiate --parse checks the generated Nix snippets offline.
command -v nix-instantiate >/dev/null || need_apt+=(nix-bin)
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

# PowerShell and Pester, pinned, in $LAMASSUOPS_TOOLS (default /opt/lamassuops-tools): pwsh 7.6.9 as a .NET tool in
# $tools/pwsh, Pester 5.7.1 from NuGet in $tools/nuget, linked as $tools/modules/Pester/5.7.1 (its package's tools/
# folder is the module). tests/run puts $tools/modules on PSModulePath. Another version found there is replaced.
tools=${LAMASSUOPS_TOOLS:-/opt/lamassuops-tools}
pwsh_version=7.6.9
pester_version=5.7.1

# Runs a command with its output shown only if it fails.
quietly() {
  local log status=0
  log=$(mktemp)
  "$@" >"$log" 2>&1 || status=$?
  ((status == 0)) || cat "$log" >&2
  rm -f "$log"
  return "$status"
}

if [[ "$("$tools/pwsh/pwsh" --version 2>/dev/null)" != "PowerShell $pwsh_version" ]]; then
  echo "prepare: installing PowerShell $pwsh_version (.NET tool) in $tools/pwsh" >&2
  rm -rf "$tools/pwsh"
  quietly dotnet tool install PowerShell --version "$pwsh_version" --tool-path "$tools/pwsh"
fi

pester_module="$tools/modules/Pester/$pester_version"
if [[ ! -f "$pester_module/Pester.psd1" ]] || ! grep -q "ModuleVersion *= *'$pester_version'" "$pester_module/Pester.psd1"; then
  echo "prepare: installing Pester $pester_version (NuGet) in $tools/nuget" >&2
  project=$(mktemp -d)
  cat >"$project/pester.csproj" <<EOF_PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[$pester_version]" /></ItemGroup>
</Project>
EOF_PROJECT
  quietly dotnet restore "$project/pester.csproj" --packages "$tools/nuget"
  rm -rf "$project"
  mkdir -p "$tools/modules/Pester"
  rm -rf "$pester_module"
  ln -s "$tools/nuget/pester/$pester_version/tools" "$pester_module"
fi
