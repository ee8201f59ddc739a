<#
    Run in a fresh pwsh by tests/pester/Isolation.Tests.ps1 (assemblies cannot be unloaded, so each order needs its
    own process). Loads other versions of Npgsql, Microsoft.Data.Sqlite and SQLitePCLRaw (with their own native
    e_sqlite3) into PowerShell's default load context and uses them, before or after importing and using LamassuOps,
    then writes what it saw as one JSON document to standard output.

    -Scenario OthersFirst  the other versions are loaded and used, then LamassuOps, then the other versions again
    -Scenario ModuleFirst  LamassuOps is imported and used, then the other versions are loaded and used
    -Scenario ModuleOnly   LamassuOps alone: the results every other scenario must match
    -Scenario Reimport     LamassuOps imported, imported again with -Force, removed and imported again, used each time
#>
param(
    [Parameter(Mandatory)] [ValidateSet('OthersFirst', 'ModuleFirst', 'ModuleOnly', 'Reimport')] [string] $Scenario,
    [Parameter(Mandatory)] [string] $ManifestPath,
    [Parameter(Mandatory)] [string] $BunkerDatabase,
    [string] $OtherVersionsDirectory,
    [string] $OtherDatabase
)

$ErrorActionPreference = 'Stop'
$otherAssemblies = @('Npgsql', 'Microsoft.Data.Sqlite', 'SQLitePCLRaw.core', 'SQLitePCLRaw.provider.e_sqlite3', 'SQLitePCLRaw.batteries_v2')

function Import-OtherVersions {
    foreach ($name in $otherAssemblies) {
        $null = [Reflection.Assembly]::LoadFrom((Join-Path $OtherVersionsDirectory "$name.dll"))
    }
}

# The type of that name from the assembly of the other versions (a type literal could resolve to either copy).
function Get-OtherType {
    param([string] $Assembly, [string] $TypeName)
    $loaded = [AppDomain]::CurrentDomain.GetAssemblies() |
        Where-Object { $_.GetName().Name -eq $Assembly -and $_.Location -eq (Join-Path $OtherVersionsDirectory "$Assembly.dll") }
    $loaded.GetType($TypeName, $true)
}

# A query on a SQLite file through a Microsoft.Data.Sqlite connection type: which SQLite answered, and the rows.
function Invoke-SqliteQuery {
    param([type] $ConnectionType, [string] $Database, [string[]] $Statements)
    $connection = [Activator]::CreateInstance($ConnectionType, "Data Source=$Database")
    try {
        $connection.Open()
        foreach ($statement in $Statements) {
            $command = $connection.CreateCommand()
            $command.CommandText = $statement
            $null = $command.ExecuteNonQuery()
        }
        $command = $connection.CreateCommand()
        $command.CommandText = 'SELECT sqlite_version(), sqlite_source_id(), (SELECT group_concat(name, '','') FROM (SELECT name FROM used ORDER BY id))'
        $reader = $command.ExecuteReader()
        $null = $reader.Read()
        [ordered] @{ Version = $reader.GetString(0); SourceId = $reader.GetString(1); Names = $reader.GetString(2) }
        $reader.Dispose()
    }
    finally {
        $connection.Dispose()
    }
}

# Uses the other versions: a row written to and read back from a real SQLite file, and an Npgsql connection string.
function Use-OtherVersions {
    param([string] $Name)
    $sqlite = Invoke-SqliteQuery -ConnectionType (Get-OtherType 'Microsoft.Data.Sqlite' 'Microsoft.Data.Sqlite.SqliteConnection') -Database $OtherDatabase -Statements @(
        'CREATE TABLE IF NOT EXISTS used (id INTEGER PRIMARY KEY, name TEXT NOT NULL)'
        "INSERT INTO used (name) VALUES ('$Name')"
    )
    $builder = [Activator]::CreateInstance((Get-OtherType 'Npgsql' 'Npgsql.NpgsqlConnectionStringBuilder'), 'Host=/run/postgresql;Database=lamassu;Username=isolation')
    $sqlite.NpgsqlHost = $builder.Host
    $sqlite.NpgsqlDatabase = $builder.Database
    $sqlite.NpgsqlConnectionString = $builder.ConnectionString
    $sqlite
}

# Uses the imported LamassuOps: its cmdlets, and a query through the Microsoft.Data.Sqlite of its own load context.
function Use-LamassuOps {
    param([string] $Name = 'module')
    $pairings = Get-BunkerPairing -Path $BunkerDatabase -WarningAction SilentlyContinue |
        Select-Object KeyUserId, State, StateReason, ClientName, TokenId, PolicyName, SigningConditionCount
    $url = ConvertFrom-PostgresUrl 'postgresql://bob@db.example:5433/lamassu?sslmode=require'
    $moduleSqlite = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object {
        $_.GetName().Name -eq 'Microsoft.Data.Sqlite' -and [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name -eq 'LamassuOps'
    }
    if (-not $moduleSqlite) { throw 'LamassuOps used Microsoft.Data.Sqlite, but none is loaded in its LamassuOps load context.' }
    $probe = Join-Path (Split-Path $BunkerDatabase) 'module-probe.db'
    $sqlite = Invoke-SqliteQuery -ConnectionType $moduleSqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection', $true) -Database $probe -Statements @(
        'CREATE TABLE IF NOT EXISTS used (id INTEGER PRIMARY KEY, name TEXT NOT NULL)'
        "INSERT INTO used (name) VALUES ('$Name')"
    )
    [ordered] @{ Pairings = @($pairings); NpgsqlConnectionString = $url.NpgsqlConnectionString; Sqlite = $sqlite }
}

$result = [ordered] @{ Scenario = $Scenario }
switch ($Scenario) {
    'OthersFirst' {
        Import-OtherVersions
        $result.OthersBefore = Use-OtherVersions -Name 'before'
        Import-Module $ManifestPath
        $result.Module = Use-LamassuOps
        $result.OthersAfter = Use-OtherVersions -Name 'after'
    }
    'ModuleFirst' {
        Import-Module $ManifestPath
        $result.Module = Use-LamassuOps
        Import-OtherVersions
        $result.OthersAfter = Use-OtherVersions -Name 'after'
    }
    'ModuleOnly' {
        Import-Module $ManifestPath
        $result.Module = Use-LamassuOps
    }
    'Reimport' {
        Import-Module $ManifestPath
        $result.Module = Use-LamassuOps -Name 'first'
        Import-Module $ManifestPath -Force
        $result.AfterForcedImport = Use-LamassuOps -Name 'forced'
        Remove-Module LamassuOps
        $result.CommandsAfterRemove = @(Get-Command -Module LamassuOps).Count
        Import-Module $ManifestPath
        $result.AfterRemoveAndImport = Use-LamassuOps -Name 'again'
    }
}

$result.LoadContexts = @([Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'LamassuOps').Count

$reportedAssemblies = $otherAssemblies + 'LamassuOps', 'LamassuOps.Core'
$result.Assemblies = @([AppDomain]::CurrentDomain.GetAssemblies() |
    Where-Object { $_.GetName().Name -in $reportedAssemblies } |
    ForEach-Object {
        [ordered] @{
            Name        = $_.GetName().Name
            Version     = $_.GetName().Version.ToString()
            Location    = $_.Location
            LoadContext = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name
        }
    })
# The native SQLite libraries mapped into this process: /proc/self/maps names each mapped file.
$result.NativeSqlite = @(Get-Content /proc/self/maps |
    ForEach-Object { ($_ -split '\s+', 6)[5] } |
    Where-Object { $_ -match '[\\/](lib)?e_sqlite3\.(so|dylib|dll)$' } |
    Sort-Object -Unique)

$result | ConvertTo-Json -Depth 5
