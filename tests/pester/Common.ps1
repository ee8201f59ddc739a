# Shared by every tests/pester/*.Tests.ps1: dot-source it in BeforeAll (`. (Join-Path $PSScriptRoot 'Common.ps1')`).
# It imports the packaged module under test ($env:LAMASSUOPS_MODULE_MANIFEST, else the newest out/LamassuOps/<version>)
# and defines the helpers the suites share.

$repositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
$manifestPath = if ($env:LAMASSUOPS_MODULE_MANIFEST) {
    $env:LAMASSUOPS_MODULE_MANIFEST
}
else {
    Get-ChildItem (Join-Path $repositoryRoot 'out' 'LamassuOps' '*' 'LamassuOps.psd1') -ErrorAction Ignore |
        Sort-Object { [version] $_.Directory.Name } |
        Select-Object -Last 1 -ExpandProperty FullName
}
if (-not $manifestPath) {
    throw 'No packaged module: run ./build.ps1 -Task Package first (or set LAMASSUOPS_MODULE_MANIFEST).'
}
$module = Import-Module $manifestPath -Force -PassThru -ErrorAction Stop -WarningVariable importWarnings -WarningAction SilentlyContinue

# A database built from the shipped sample (samples/nsecbunker-sample.sql) with sqlite3.
function New-SampleBunkerDatabase {
    param([string] $Path)
    Get-Content -Raw (Join-Path $repositoryRoot 'samples' 'nsecbunker-sample.sql') | sqlite3 $Path
    if ($LASTEXITCODE -ne 0) { throw "sqlite3 could not build the sample database at $Path" }
}

# An LNbits database built from the shipped sample (samples/lnbits-sample.sql, paired with the sample bunker) with sqlite3.
function New-SampleLnbitsDatabase {
    param([string] $Path)
    Get-Content -Raw (Join-Path $repositoryRoot 'samples' 'lnbits-sample.sql') | sqlite3 $Path
    if ($LASTEXITCODE -ne 0) { throw "sqlite3 could not build the sample LNbits database at $Path" }
}

# A new directory under $TestDrive holding a sample database; returns the database's path.
function New-SampleBunkerDirectory {
    $directory = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $directory
    $database = Join-Path $directory 'nsecbunker.db'
    New-SampleBunkerDatabase -Path $database
    $database
}

# What -WhatIf must leave alone: every file of a directory, byte for byte, with its timestamp.
function Get-DirectoryState {
    param([string] $Directory)
    Get-ChildItem -LiteralPath $Directory -File -Force | Sort-Object Name | ForEach-Object {
        '{0} {1} {2}' -f $_.Name, (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash, $_.LastWriteTimeUtc.Ticks
    }
}

# The lamassuops the tests run: $env:LAMASSUOPS_CLI when set, else the checkout's ./lamassuops.
function Get-LamassuopsPath {
    if ($env:LAMASSUOPS_CLI) { $env:LAMASSUOPS_CLI } else { Join-Path $repositoryRoot 'lamassuops' }
}

# lamassuops as a process, the way a shell script runs it: no terminal (stdin from nothing), --json output.
# Returns ExitCode, the JSON objects, Stderr and the ErrorId of its first 'lamassuops: <ErrorId>: ...' line.
function Invoke-Lamassuops {
    param([string[]] $Arguments)
    $cli = Get-LamassuopsPath
    $stderrFile = New-TemporaryFile
    try {
        $stdout = @($null | & $cli @Arguments --json 2>$stderrFile.FullName)
        $stderr = Get-Content -Raw -LiteralPath $stderrFile.FullName
        [pscustomobject]@{
            ExitCode = $LASTEXITCODE
            Objects  = @($stdout | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json })
            Stderr   = "$stderr"
            ErrorId  = if ("$stderr" -match '(?m)^lamassuops: (\w+):') { $Matches[1] } else { $null }
        }
    }
    finally {
        Remove-Item -LiteralPath $stderrFile.FullName -ErrorAction Ignore
    }
}

# A free TCP port on 127.0.0.1 (the kernel's choice): one nothing listens on, or that an sshd of the tests binds a moment later.
function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    try { $listener.Start(); $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

