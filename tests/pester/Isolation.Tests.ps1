#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    LamassuOps keeps its dependencies (Npgsql 10, Microsoft.Data.Sqlite 10, SQLitePCLRaw 2.1.13 and its native
    e_sqlite3) in a load context of its own, so a session that also loads other versions of them (another module,
    Add-Type -Path) uses both. Proven in real pwsh: other versions are published from NuGet at test time
    (tests/pester/isolation/OtherVersions.csproj, cached in out/test-cache/ or $env:LAMASSUOPS_TEST_CACHE), and each
    scenario runs tests/pester/isolation/Use-BothVersions.ps1 in a fresh pwsh (assemblies cannot be unloaded), which
    returns what it saw as JSON. Needs dotnet (and NuGet reachable on the first run) and sqlite3.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    $isolationDirectory = Join-Path $PSScriptRoot 'isolation'
    $rid = [Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    $dependencyDirectory = Join-Path $module.ModuleBase 'dependencies'
    $nativeSqliteFile = if ($IsWindows) { 'e_sqlite3.dll' } elseif ($IsMacOS) { 'libe_sqlite3.dylib' } else { 'libe_sqlite3.so' }
    $moduleNativeSqlite = Join-Path $dependencyDirectory 'runtimes' $rid 'native' $nativeSqliteFile

    # The other versions as a flat folder (dotnet publish for this platform puts the native library beside the
    # assemblies, where a module shipping its own would), published again only when the project changes.
    function Get-OtherVersionsDirectory {
        $project = Join-Path $isolationDirectory 'OtherVersions.csproj'
        $cache = if ($env:LAMASSUOPS_TEST_CACHE) { $env:LAMASSUOPS_TEST_CACHE } else { Join-Path $repositoryRoot 'out' 'test-cache' }
        $directory = Join-Path $cache 'isolation' $rid
        $stamp = Join-Path $directory 'OtherVersions.csproj.sha256'
        $projectHash = (Get-FileHash -LiteralPath $project -Algorithm SHA256).Hash
        if ((Get-Content -LiteralPath $stamp -ErrorAction Ignore) -ne $projectHash) {
            $log = dotnet publish $project -c Release -r $rid --no-self-contained -o $directory `
                --artifacts-path (Join-Path $cache 'isolation-build') -nologo -v:quiet 2>&1
            if ($LASTEXITCODE -ne 0) { throw "dotnet publish of $project failed:`n$($log -join "`n")" }
            Set-Content -LiteralPath $stamp -Value $projectHash
        }
        $directory
    }

    # pwsh itself (under the .NET tool the process is dotnet, running $PSHOME/pwsh.dll).
    $pwshCommand = @([Environment]::ProcessPath)
    if ([IO.Path]::GetFileNameWithoutExtension($pwshCommand[0]) -eq 'dotnet') { $pwshCommand += Join-Path $PSHOME 'pwsh.dll' }

    # One scenario of Use-BothVersions.ps1 in a fresh pwsh, on a new sample bunker database; its JSON as an object.
    function Invoke-IsolationScenario {
        param([string] $Scenario)
        $bunkerDatabase = New-SampleBunkerDirectory
        $errors = Join-Path $TestDrive "$Scenario.stderr"
        $json = & $pwshCommand[0] @($pwshCommand | Select-Object -Skip 1) -NoProfile -NonInteractive `
            -File (Join-Path $isolationDirectory 'Use-BothVersions.ps1') -Scenario $Scenario -ManifestPath $manifestPath `
            -BunkerDatabase $bunkerDatabase -OtherVersionsDirectory $otherVersions `
            -OtherDatabase (Join-Path (Split-Path $bunkerDatabase) 'other.db') 2>$errors
        if ($LASTEXITCODE -ne 0) { throw "Scenario $Scenario failed (exit $LASTEXITCODE): $(Get-Content -Raw $errors)" }
        ($json -join "`n") | ConvertFrom-Json
    }

    # The module's results in a scenario, as JSON, to compare with LamassuOps used alone.
    function ConvertTo-ModuleResultJson {
        param($ModuleResult)
        [ordered] @{ Pairings = $ModuleResult.Pairings; NpgsqlConnectionString = $ModuleResult.NpgsqlConnectionString } |
            ConvertTo-Json -Depth 5
    }

    # Whether a file holds that text (SQLite's source id is compiled into its library).
    function Test-FileContainsText {
        param([string] $Path, [string] $Text)
        [Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($Path)).Contains($Text)
    }

    $otherVersions = Get-OtherVersionsDirectory
    $otherNativeSqlite = Join-Path $otherVersions $nativeSqliteFile
    $moduleAlone = Invoke-IsolationScenario -Scenario ModuleOnly
}

AfterAll {
    Remove-Module LamassuOps -Force -ErrorAction Ignore
}

Describe 'LamassuOps beside other versions of its dependencies (<Scenario>)' -ForEach @(
    # Each use of the other versions, with the rows its SQLite file holds by then (each use adds one).
    @{ Scenario = 'OthersFirst'; OtherUses = [ordered] @{ OthersBefore = 'before'; OthersAfter = 'before,after' } }
    @{ Scenario = 'ModuleFirst'; OtherUses = [ordered] @{ OthersAfter = 'after' } }
) {
    BeforeAll {
        $result = Invoke-IsolationScenario -Scenario $Scenario
    }

    It 'runs the LamassuOps cmdlets as they run alone' {
        @($moduleAlone.Module.Pairings).Count | Should -BeGreaterThan 0
        ConvertTo-ModuleResultJson $result.Module | Should -Be (ConvertTo-ModuleResultJson $moduleAlone.Module)
    }

    It 'uses the other Microsoft.Data.Sqlite and its own native SQLite on a real file each time, reading back every row' {
        foreach ($use in $OtherUses.Keys) {
            $result.$use.Names | Should -Be $OtherUses[$use] -Because "$use wrote a row"
            Test-FileContainsText $otherNativeSqlite $result.$use.SourceId | Should -BeTrue -Because "$use ran on SQLite $($result.$use.Version)"
        }
    }

    It 'uses the other Npgsql each time' {
        foreach ($use in $OtherUses.Keys) {
            $result.$use.NpgsqlHost | Should -Be '/run/postgresql'
            $result.$use.NpgsqlDatabase | Should -Be 'lamassu'
            $result.$use.NpgsqlConnectionString | Should -Be 'Host=/run/postgresql;Database=lamassu;Username=isolation'
        }
    }

    It 'loads <_> twice: the other version in the default context, the module''s in LamassuOps' -ForEach @(
        'Npgsql', 'Microsoft.Data.Sqlite', 'SQLitePCLRaw.core', 'SQLitePCLRaw.provider.e_sqlite3'
    ) {
        $loaded = @($result.Assemblies | Where-Object Name -EQ $_ | Sort-Object LoadContext)
        $other = Join-Path $otherVersions "$_.dll"
        $ours = Join-Path $dependencyDirectory "$_.dll"

        $loaded.Count | Should -Be 2
        $loaded[0].LoadContext | Should -Be 'Default'
        $loaded[0].Location | Should -Be $other
        $loaded[0].Version | Should -Be ([Reflection.AssemblyName]::GetAssemblyName($other).Version.ToString())
        $loaded[1].LoadContext | Should -Be 'LamassuOps'
        $loaded[1].Location | Should -Be $ours
        $loaded[1].Version | Should -Be ([Reflection.AssemblyName]::GetAssemblyName($ours).Version.ToString())
        $loaded[0].Version | Should -Not -Be $loaded[1].Version
    }

    It 'loads LamassuOps.Core once, into its own context' {
        $core = @($result.Assemblies | Where-Object Name -EQ 'LamassuOps.Core')
        $core.Count | Should -Be 1
        $core[0].LoadContext | Should -Be 'LamassuOps'
        $core[0].Location | Should -Be (Join-Path $dependencyDirectory 'LamassuOps.Core.dll')
    }

    It 'maps two distinct native SQLite libraries, each answering its own connections' -Skip:(-not $IsLinux) {
        $result.NativeSqlite | Sort-Object | Should -Be (@($otherNativeSqlite, $moduleNativeSqlite) | Sort-Object)
        (Get-FileHash $otherNativeSqlite).Hash | Should -Not -Be (Get-FileHash $moduleNativeSqlite).Hash
        $result.OthersAfter.SourceId | Should -Not -Be $result.Module.Sqlite.SourceId
        Test-FileContainsText $moduleNativeSqlite $result.Module.Sqlite.SourceId | Should -BeTrue
        $result.Module.Sqlite.SourceId | Should -Be $moduleAlone.Module.Sqlite.SourceId
    }
}

Describe 'Importing LamassuOps again in one session' {
    BeforeAll {
        $result = Invoke-IsolationScenario -Scenario Reimport
    }

    It 'works after Import-Module -Force' {
        ConvertTo-ModuleResultJson $result.AfterForcedImport | Should -Be (ConvertTo-ModuleResultJson $moduleAlone.Module)
        $result.AfterForcedImport.Sqlite.Names | Should -Be 'first,forced'
    }

    It 'works after Remove-Module and Import-Module' {
        $result.CommandsAfterRemove | Should -Be 0
        ConvertTo-ModuleResultJson $result.AfterRemoveAndImport | Should -Be (ConvertTo-ModuleResultJson $moduleAlone.Module)
        $result.AfterRemoveAndImport.Sqlite.Names | Should -Be 'first,forced,again'
    }

    It 'keeps one LamassuOps load context with one LamassuOps.Core' {
        $result.LoadContexts | Should -Be 1
        @($result.Assemblies | Where-Object Name -EQ 'LamassuOps.Core').Count | Should -Be 1
    }
}
