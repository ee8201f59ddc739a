#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The packaged module under a real PowerShell (pwsh 7.4+, Pester 5): what the xunit suite cannot check without a
    PowerShell runtime. Run by ./build.ps1 (-Task Pester, or All when Pester is installed), or directly:

        ./build.ps1 -Task Package
        Invoke-Pester ./tests/pester -Output Detailed

    The module tested is $env:LAMASSUOPS_MODULE_MANIFEST, else the newest out/LamassuOps/<version>/LamassuOps.psd1.
    The -WhatIf and pipeline tests build a sample nsecbunkerd database from samples/nsecbunker-sample.sql with
    sqlite3; they are skipped where either is missing.
#>

BeforeDiscovery {
    $repositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
    $exportedCmdlets = (Import-PowerShellDataFile (Join-Path $repositoryRoot 'LamassuOps.psd1')).CmdletsToExport
    $sampleSql = Join-Path $repositoryRoot 'samples' 'nsecbunker-sample.sql'
    $canBuildSample = (Test-Path $sampleSql) -and [bool](Get-Command sqlite3 -ErrorAction Ignore)
    $changingBunkerCmdlets = @('Remove-StaleSigningCondition', 'Remove-BunkerSigningLog', 'Remove-BunkerRequest', 'Backup-BunkerDatabase')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

AfterAll {
    Remove-Module LamassuOps -Force -ErrorAction Ignore
}

Describe 'The module' {
    It 'has a valid manifest' {
        $manifest = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop

        $manifest.Name | Should -Be 'LamassuOps'
        $manifest.PowerShellVersion | Should -Be ([version] '7.4')
        $manifest.CompatiblePSEditions | Should -Be @('Core')
    }

    It 'imports without warnings (approved verbs only)' {
        $importWarnings | Should -BeNullOrEmpty
    }

    It 'exports exactly the cmdlets of its manifest' {
        $exported = (Get-Command -Module LamassuOps -CommandType Cmdlet).Name | Sort-Object
        $declared = (Import-PowerShellDataFile $manifestPath).CmdletsToExport | Sort-Object

        $exported | Should -Be $declared
    }

    It 'loads LamassuOps.Core and its dependencies into its own load context' {
        $null = ConvertFrom-PostgresUrl 'postgresql:///lamassu?host=/run/postgresql'

        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'LamassuOps.Core' }
        @($core).Count | Should -Be 1
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core).Name | Should -Be 'LamassuOps'
        $core.Location | Should -Be (Join-Path $module.ModuleBase 'dependencies' 'LamassuOps.Core.dll')
        $npgsql = [AppDomain]::CurrentDomain.GetAssemblies() |
            Where-Object { $_.GetName().Name -eq 'Npgsql' -and $_.Location -like (Join-Path $module.ModuleBase '*') }
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($npgsql).Name | Should -Be 'LamassuOps'
    }
}

Describe '-WhatIf on a sample nsecbunkerd database' -Skip:(-not $canBuildSample) {
    BeforeEach {
        $database = New-SampleBunkerDirectory
        $directory = Split-Path $database
        $before = Get-DirectoryState $directory
    }

    It '<_> -WhatIf changes nothing, not even a backup file' -ForEach $changingBunkerCmdlets {
        & $_ -Path $database -WhatIf -ErrorAction Stop

        Get-DirectoryState $directory | Should -Be $before
    }

    It 'Restore-BunkerDatabase -WhatIf leaves the database as it was' {
        $backup = Join-Path $TestDrive "backup-$([guid]::NewGuid().ToString('N')).db"
        New-SampleBunkerDatabase -Path $backup
        sqlite3 $backup 'DELETE FROM SigningCondition;'

        Restore-BunkerDatabase -Path $database -BackupPath $backup -WhatIf -ErrorAction Stop

        Get-DirectoryState $directory | Should -Be $before
    }

    It 'Get-BunkerPairing | Remove-StaleSigningCondition -WhatIf binds the database by property name and changes nothing' {
        $pairings = @(Get-BunkerPairing -Path $database -ErrorAction Stop)
        $pairings.Count | Should -BeGreaterThan 0
        $pairings[0].Path | Should -Be $database

        $pairings | Remove-StaleSigningCondition -WhatIf -ErrorAction Stop

        Get-DirectoryState $directory | Should -Be $before
    }

    It 'binds deserialized output too, as after remoting' {
        $serialized = [System.Management.Automation.PSSerializer]::Serialize(@(Get-BunkerPairing -Path $database))
        $deserialized = [System.Management.Automation.PSSerializer]::Deserialize($serialized)

        $deserialized | Remove-StaleSigningCondition -WhatIf -ErrorAction Stop

        Get-DirectoryState $directory | Should -Be $before
    }
}

Describe 'Errors' {
    It 'a missing database is an error with its own id that -ErrorAction Stop makes catchable' {
        $missing = Join-Path $TestDrive 'no-such-nsecbunker.db'
        $caught = $null

        try {
            Get-BunkerPairing -LiteralPath $missing -ErrorAction Stop
        }
        catch {
            $caught = $_
        }

        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'BunkerDatabaseNotFound,*'
        $caught.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $caught.TargetObject | Should -Be $missing
        Test-Path $missing | Should -BeFalse
    }

    It 'a bad URL fails with PostgresUrlUnencodedSocketPath' {
        { ConvertFrom-PostgresUrl 'postgres://lamassu:@/run/postgresql:5432/lamassu' -ErrorAction Stop } |
            Should -Throw -ErrorId 'PostgresUrlUnencodedSocketPath,*'
    }

    It 'one bad item does not stop the others (non-terminating per database)' -Skip:(-not $canBuildSample) {
        $database = Join-Path $TestDrive 'good.db'
        New-SampleBunkerDatabase -Path $database

        $results = @(Get-BunkerPairing -LiteralPath (Join-Path $TestDrive 'missing.db'), $database -ErrorVariable failures -ErrorAction SilentlyContinue)

        $results.Count | Should -BeGreaterThan 0
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'BunkerDatabaseNotFound,*'
    }
}

Describe 'ConvertFrom-PostgresUrl' {
    It 'takes a peer-authentication socket URL apart' {
        $info = ConvertFrom-PostgresUrl 'postgresql://lamassu@/lamassu?host=/run/postgresql'

        $info.Host | Should -Be '/run/postgresql'
        $info.Port | Should -Be 5432
        $info.Username | Should -Be 'lamassu'
        $info.Database | Should -Be 'lamassu'
        $info.IsUnixSocket | Should -BeTrue
        $info.SocketPath | Should -Be '/run/postgresql/.s.PGSQL.5432'
        $info.NpgsqlConnectionString | Should -Match 'Host=/run/postgresql'
    }

    It 'round-trips through its own output by property name, also deserialized' {
        $info = ConvertFrom-PostgresUrl 'postgres://lamassu@%2Frun%2Fpostgresql:5433/lamassu'
        $deserialized = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($info))

        ($info | ConvertFrom-PostgresUrl).NpgsqlConnectionString | Should -Be $info.NpgsqlConnectionString
        ($deserialized | ConvertFrom-PostgresUrl).NpgsqlConnectionString | Should -Be $info.NpgsqlConnectionString
    }

    It 'never shows a password unless -IncludeSecret' {
        $masked = ConvertFrom-PostgresUrl 'postgresql://lamassu:s3cret-password@127.0.0.1/lamassu'
        $shown = ConvertFrom-PostgresUrl 'postgresql://lamassu:s3cret-password@127.0.0.1/lamassu' -IncludeSecret

        ($masked | Format-List * | Out-String) | Should -Not -Match 's3cret-password'
        $shown.Password | Should -Be 's3cret-password'
    }
}
