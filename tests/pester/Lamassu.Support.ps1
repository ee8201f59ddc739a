# The PostgreSQL server and lamassu package trees the PostgreSQL/lamassu suites run against. Dot-source it after
# Common.ps1 in BeforeAll, start the server there (Start-TestPostgres) and stop it in AfterAll (Stop-TestPostgres).
# Needs root (initdb/pg_ctl run as the postgres OS user, roles for root and a service user) and postgresql-15, which
# tests/prepare.sh installs; without them the suite fails: it never skips.

$postgresBin = '/usr/lib/postgresql/15/bin'

# The OS user with a same-named role and database that lamassu-server would run as.
$serviceUser = 'lamassuops-svc'

# A role that does not exist; an ident map lets root ask for it, so the server reports the missing role itself.
$missingRole = 'lamassuops-ghost'

# The lamassu-server OS user of the move to peer authentication, and the group role whose members may log in over TCP
# with a password to their own database (scram-sha-256), as the nix-bitcoin module sets lamassu up today.
$lamassuUser = 'lamassuops-lamassu'
$passwordLoginGroup = 'lamassuops-tcp-login'

# A real PostgreSQL 15: socket only (no TCP), peer authentication for every local role, root mapped to the postgres
# superuser for setting up. One place per checkout, so a killed run's server is found and stopped by the next run.
# Returns the socket directory, port and helpers' state as one object.
function Start-TestPostgres {
    if (-not (Test-Path "$postgresBin/initdb")) {
        throw "PostgreSQL 15 is not installed ($postgresBin/initdb is missing): run 'bash tests/prepare.sh' as root."
    }
    $tag = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($repositoryRoot))).Substring(0, 12).ToLowerInvariant()
    $base = Join-Path ([IO.Path]::GetTempPath()) "lamassuops-pester-pg-$tag"
    Stop-TestPostgres -BaseDirectory $base
    if (-not (Get-Command id -ErrorAction Ignore) -or (& id -u) -ne '0') { throw 'The PostgreSQL suites run as root (they start PostgreSQL as the postgres OS user).' }
    foreach ($user in $serviceUser, $lamassuUser) {
        & id -u $user *> $null
        if ($LASTEXITCODE -ne 0) { & useradd --system --no-create-home --shell /usr/sbin/nologin $user *> $null }
    }

    $server = [pscustomobject]@{
        BaseDirectory   = $base
        DataDirectory   = Join-Path $base 'data'
        SocketDirectory = Join-Path $base 'socket'
        Port            = Get-Random -Minimum 20000 -Maximum 60000
        Log             = Join-Path $base 'server.log'
    }
    $null = New-Item -ItemType Directory -Path $base, $server.DataDirectory, $server.SocketDirectory
    & chmod 0755 $base $server.SocketDirectory
    & chmod 0700 $server.DataDirectory
    $null = New-Item -ItemType File -Path $server.Log
    & chown postgres:postgres $server.DataDirectory $server.SocketDirectory $server.Log

    Invoke-AsPostgres initdb -D $server.DataDirectory -U postgres --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync --no-instructions
    Add-Content -LiteralPath (Join-Path $server.DataDirectory 'postgresql.conf') -Value @"
listen_addresses = '127.0.0.1'
port = $($server.Port)
unix_socket_directories = '$($server.SocketDirectory)'
fsync = off
max_connections = 20
shared_buffers = 16MB
"@
    Set-Content -LiteralPath (Join-Path $server.DataDirectory 'pg_hba.conf') -Value @(
        'local all postgres peer map=admin'
        "local all $missingRole peer map=ghost"
        'local all all peer'
        "host sameuser +$passwordLoginGroup 127.0.0.1/32 scram-sha-256"
    )
    Set-Content -LiteralPath (Join-Path $server.DataDirectory 'pg_ident.conf') -Value @(
        'admin root postgres'
        'admin postgres postgres'
        "ghost root $missingRole"
    )
    Invoke-AsPostgres pg_ctl -D $server.DataDirectory -l $server.Log -w -t 60 start

    Invoke-PostgresAdmin $server -Sql 'CREATE ROLE root LOGIN', 'CREATE DATABASE root OWNER root', 'CREATE DATABASE lamassu OWNER root',
        "CREATE ROLE `"$serviceUser`" LOGIN", "CREATE DATABASE `"$serviceUser`" OWNER `"$serviceUser`"",
        "CREATE ROLE `"$passwordLoginGroup`" NOLOGIN"
    $server
}

# lamassu as nix-bitcoin deploys it today, under the server's directory (the service user reads it): a v10 package whose
# node_modules is the real node-postgres of tests/node, the role $lamassuUser with a password (made afresh) and its own
# database, a password file only the service user reads, and a PasswordTcp wrapper (mode 0750, group of the service
# user). Returns the parameters Get-LamassuPeerAuthPlan takes, as a hashtable.
function New-LamassuDeployment {
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Password)
    $root = Join-Path $Server.BaseDirectory $Name
    $package = New-LamassuPackageTree -Path (Join-Path $root 'package') -NodeModules (Join-Path $repositoryRoot 'tests' 'node' 'node_modules')
    Invoke-PostgresAdmin $Server -Sql "DROP DATABASE IF EXISTS `"$lamassuUser`" WITH (FORCE)", "DROP ROLE IF EXISTS `"$lamassuUser`"",
        "CREATE ROLE `"$lamassuUser`" LOGIN PASSWORD '$Password' IN ROLE `"$passwordLoginGroup`"", "CREATE DATABASE `"$lamassuUser`" OWNER `"$lamassuUser`""
    $passwordFile = Join-Path $root 'db-password'
    Set-Content -LiteralPath $passwordFile -Value $Password
    & chown $lamassuUser $passwordFile
    & chmod 0400 $passwordFile
    $wrapper = Join-Path $root 'lamassu-env'
    New-LamassuEnvWrapper $wrapper -PackagePath $package -Mode PasswordTcp -DatabaseUser $lamassuUser -DatabaseName $lamassuUser -Port $Server.Port `
        -PasswordFile $passwordFile -Hostname lamassu.example -NodeDirectory /usr/bin -ErrorAction Stop
    & chown "root:$(& id -gn $lamassuUser)" $wrapper
    & chmod 0750 $wrapper
    @{
        PackagePath = $package; WrapperPath = $wrapper; ServiceUser = $lamassuUser; DatabaseUser = $lamassuUser; DatabaseName = $lamassuUser
        SocketDirectory = $Server.SocketDirectory; Port = $Server.Port
    }
}

function Stop-TestPostgres {
    param([string] $BaseDirectory)
    if (-not (Test-Path -LiteralPath $BaseDirectory)) { return }
    $data = Join-Path $BaseDirectory 'data'
    if (Test-Path -LiteralPath (Join-Path $data 'postmaster.pid')) {
        & runuser -u postgres -- "$postgresBin/pg_ctl" -D $data stop -m fast -w *> $null
    }
    Remove-Item -LiteralPath $BaseDirectory -Recurse -Force
}

function Invoke-AsPostgres {
    param([string] $Program)
    $output = & runuser -u postgres -- "$postgresBin/$Program" @args 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$Program failed ($LASTEXITCODE): $output" }
}

# SQL statements run one by one as the postgres superuser (root is mapped to it), or as root's own role.
function Invoke-PostgresAdmin {
    param($Server, [string[]] $Sql, [string] $Database = 'postgres', [string] $User = 'postgres')
    foreach ($statement in $Sql) {
        $output = & "$postgresBin/psql" -h $Server.SocketDirectory -p $Server.Port -U $User -d $Database -X -q -v ON_ERROR_STOP=1 -c $statement 2>&1
        if ($LASTEXITCODE -ne 0) { throw "psql failed on '$statement': $output" }
    }
}

# A new database on the test server holding the shipped LNbits sample (samples/lnbits-sample.sql); returns its
# peer-auth URL (as root: role postgres).
function New-PostgresLnbitsDatabase {
    param($Server, [string] $Name)
    Invoke-PostgresAdmin $Server -Sql "CREATE DATABASE `"$Name`""
    Invoke-PostgresAdmin $Server -Database $Name -Sql (Get-Content -Raw (Join-Path $repositoryRoot 'samples' 'lnbits-sample.sql'))
    "postgresql://postgres@localhost:$($Server.Port)/$Name`?host=$([uri]::EscapeDataString($Server.SocketDirectory))"
}

# A deployed lamassu-server package as LamassuOps reads it (see tests/LamassuOps.Tests/Lamassu/LamassuPackageTree.cs):
# v10 (lib/constants.js at the root) or v12 (packages/server and packages/typesafe-db), with or without the
# DATABASE_URL patch, node_modules/pg with the pg-connection-string version asked for, and migration files.
function New-LamassuPackageTree {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [switch] $V12,
        [switch] $DatabaseUrlPatch,
        [string] $PgConnectionStringVersion = '2.6.2',
        [string[]] $Migration = @(),
        # A real node_modules (node-postgres installed) to link in, instead of package.json stand-ins for pg.
        [string] $NodeModules
    )
    $template = '`postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@${POSTGRES_HOST}:${POSTGRES_PORT}/${POSTGRES_DB}`'
    $url = if ($DatabaseUrlPatch) { "process.env.DATABASE_URL || $template" } else { $template }
    $variables = 'USER', 'PASSWORD', 'HOST', 'PORT', 'DB' | ForEach-Object { "const POSTGRES_$_ = process.env.POSTGRES_$_" }
    $constants = @("'use strict'") + $variables + @("const PSQL_URL = $url", 'module.exports = { PSQL_URL }') -join "`n"
    $server = if ($V12) { Join-Path $Path 'packages' 'server' } else { $Path }

    if ($V12) {
        Write-TreeFile $Path 'package.json' '{ "name": "lamassu-server", "version": "12.0.0", "workspaces": ["packages/*"] }'
        Write-TreeFile $server 'package.json' '{ "name": "lamassu-server-core", "version": "12.0.0" }'
        Write-TreeFile $Path 'packages/typesafe-db/package.json' '{ "name": "typesafe-db", "version": "12.0.0", "main": "dist/db.js" }'
        Write-TreeFile $Path 'packages/typesafe-db/dist/db.js' (@('"use strict";', 'const pg_1 = require("pg");') + $variables +
            @("const connectionString = $url;", 'exports.pool = new pg_1.Pool({ connectionString });') -join "`n")
    }
    else {
        Write-TreeFile $Path 'package.json' '{ "name": "lamassu-server", "version": "10.1.0" }'
    }
    Write-TreeFile $server 'lib/constants.js' $constants
    if ($NodeModules) { $null = New-Item -ItemType SymbolicLink -Path (Join-Path $Path 'node_modules') -Target $NodeModules }
    else {
        Write-TreeFile $Path 'node_modules/pg/package.json' '{ "name": "pg", "version": "8.11.3" }'
        Write-TreeFile $Path 'node_modules/pg-connection-string/package.json' "{ `"name`": `"pg-connection-string`", `"version`": `"$PgConnectionStringVersion`" }"
    }
    foreach ($file in $Migration) { Write-TreeFile $server "migrations/$file" 'exports.up = function (next) { next() }' }
    $Path
}

function Write-TreeFile {
    param([string] $Root, [string] $RelativePath, [string] $Text)
    $file = Join-Path $Root $RelativePath
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $file)
    Set-Content -LiteralPath $file -Value $Text -NoNewline
}

# lamassu-migrate's state as node-migrate's postgres store keeps it: table migrations, row id = 1.
function Set-LamassuMigrationState {
    param($Server, [string] $Database, [string] $LastRun, [hashtable[]] $Migration)
    $json = @{ lastRun = $LastRun; migrations = @($Migration) } | ConvertTo-Json -Compress -Depth 4
    Invoke-PostgresAdmin $Server -Database $Database -User root -Sql 'DROP TABLE IF EXISTS migrations', 'CREATE TABLE migrations (id serial PRIMARY KEY, data json NOT NULL)',
        "INSERT INTO migrations (id, data) VALUES (1, '$($json.Replace("'", "''"))')"
}
