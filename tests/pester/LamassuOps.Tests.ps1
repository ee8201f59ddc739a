#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The packaged module as a whole under pwsh 7.6.9 and Pester 5.7.1: the manifest, the import and its load
    context, -WhatIf and the runbook's pipeline on the sample database, errors per item. The cmdlets' own suites are
    Bunker.*.Tests.ps1, Postgres.Tests.ps1, Parity.Tests.ps1; tests/pester/run.ps1 runs them all (tests/run does).
    The module tested is $env:LAMASSUOPS_MODULE_MANIFEST, else the newest out/LamassuOps/<version>/LamassuOps.psd1.
#>

BeforeDiscovery {
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

Describe 'The lamassuops of the checkout' {
    It 'publishes out/cli only when a source is newer, not again on the next run (its own build output is not a source)' {
        $wrapper = Join-Path $repositoryRoot 'lamassuops'
        $null = & $wrapper --version 2>$null # publishes now if the sources changed
        $stderr = Join-Path $TestDrive 'wrapper.err'

        $version = & $wrapper --version 2>$stderr

        $LASTEXITCODE | Should -Be 0
        $version | Should -Be $module.Version.ToString()
        Get-Content -Raw -LiteralPath $stderr | Should -BeNullOrEmpty # no "lamassuops: publishing ..."
    }
}

Describe 'The start-up profile of lamassuops' {
    BeforeAll {
        $url = 'postgresql:///lamassu?host=/run/postgresql'
        # A child process sees these; each test sets its own and they are put back after.
        $saved = @{ XDG_CACHE_HOME = $env:XDG_CACHE_HOME; HOME = $env:HOME; LAMASSUOPS_NO_STARTUP_PROFILE = $env:LAMASSUOPS_NO_STARTUP_PROFILE }
    }

    AfterEach {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }

    It 'records each command''s profile in $XDG_CACHE_HOME/lamassuops, a directory private to the user, and uses it on the next run' {
        $env:XDG_CACHE_HOME = Join-Path $TestDrive 'xdg'

        $first = Invoke-Lamassuops ConvertFrom-PostgresUrl, --url, $url
        $second = Invoke-Lamassuops ConvertFrom-PostgresUrl, --url, $url

        $first.ExitCode, $second.ExitCode | Should -Be 0, 0
        $second.Objects[0].SocketPath | Should -Be $first.Objects[0].SocketPath
        $directory = Join-Path $env:XDG_CACHE_HOME 'lamassuops'
        (Get-ChildItem -LiteralPath $directory).Name | Should -Be 'convertfrom-postgresurl.jitprofile'
        (Get-Item -LiteralPath $directory).UnixMode | Should -Be 'drwx------'
        Get-Content -Raw -LiteralPath (Join-Path $directory 'convertfrom-postgresurl.jitprofile') | Should -Not -Match 'lamassu\?host' # method names, not arguments
    }

    It 'falls back to ~/.cache/lamassuops without XDG_CACHE_HOME' {
        $env:XDG_CACHE_HOME = $null
        $env:HOME = Join-Path $TestDrive 'home'

        (Invoke-Lamassuops ConvertFrom-PostgresUrl, --url, $url).ExitCode | Should -Be 0

        Join-Path $env:HOME '.cache' 'lamassuops' 'convertfrom-postgresurl.jitprofile' | Should -Exist
    }

    It 'leaves no profile for a name that is no command, nor any with LAMASSUOPS_NO_STARTUP_PROFILE=1' {
        $env:XDG_CACHE_HOME = Join-Path $TestDrive 'unknown'
        (Invoke-Lamassuops Get-NoSuchThing).ErrorId | Should -Be 'UnknownCommand'
        Get-ChildItem -LiteralPath (Join-Path $env:XDG_CACHE_HOME 'lamassuops') | Should -BeNullOrEmpty

        $env:XDG_CACHE_HOME = Join-Path $TestDrive 'opted-out'
        $env:LAMASSUOPS_NO_STARTUP_PROFILE = '1'
        (Invoke-Lamassuops ConvertFrom-PostgresUrl, --url, $url).ExitCode | Should -Be 0
        Join-Path $env:XDG_CACHE_HOME 'lamassuops' | Should -Not -Exist
    }

    It 'runs the command all the same where the cache cannot be written' {
        $env:XDG_CACHE_HOME = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'taken')
        $taken = Join-Path $env:XDG_CACHE_HOME 'lamassuops'
        Set-Content -LiteralPath $taken -Value 'not a directory'

        $result = Invoke-Lamassuops ConvertFrom-PostgresUrl, --url, $url

        $result.ExitCode | Should -Be 0
        $result.Objects[0].SocketPath | Should -Be '/run/postgresql/.s.PGSQL.5432'
        Get-Content -Raw -LiteralPath $taken | Should -Be "not a directory$([Environment]::NewLine)"
    }
}

Describe 'lamassuops and the host''s locale' {
    It 'writes the same tables and JSON under a German or Turkish locale as under C' {
        $database = New-SampleBunkerDirectory
        $cli = Get-LamassuopsPath
        $saved = @{ LANG = $env:LANG; LC_ALL = $env:LC_ALL }
        try {
            $outputs = foreach ($locale in 'C', 'de_DE.UTF-8', 'tr_TR.UTF-8') {
                $env:LANG = $env:LC_ALL = $locale
                $table = (& $cli Get-BunkerSigningCondition --path $database --as-of 2026-06-01T12:00:00Z) -join "`n"
                $json = (& $cli Get-BunkerPairing --path $database --as-of 2026-06-01T12:00:00Z --json) -join "`n"
                "$table`n$json"
            }
        }
        finally {
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }

        $outputs[0] | Should -Match '2026-' # dates are in the output being compared
        $outputs[1] | Should -BeExactly $outputs[0]
        $outputs[2] | Should -BeExactly $outputs[0]
    }
}

Describe 'lamassuops when stdout cannot be written' {
    It 'says OutputNotWritten once with a fix, exits 1 and shows no stack trace, for <Output>' -ForEach @(
        @{ Output = 'JSON lines'; Json = '--json' }
        @{ Output = 'a table'; Json = '' }
    ) {
        $database = New-SampleBunkerDirectory
        $cli = Get-LamassuopsPath
        $stderr = Join-Path $TestDrive 'full.err'

        # /dev/full fails every write with ENOSPC, as a full disk does.
        & bash -c '"$0" Get-BunkerSigningCondition --path "$1" $2 > /dev/full 2> "$3"' $cli $database $Json $stderr
        $exitCode = $LASTEXITCODE
        $text = Get-Content -Raw -LiteralPath $stderr

        $exitCode | Should -Be 1
        ([regex]::Matches($text, '(?m)^lamassuops: OutputNotWritten: ')).Count | Should -Be 1
        $text | Should -Match 'No space left on device'
        $text | Should -Match '(?m)^  fix: make room where stdout goes'
        $text | Should -Not -Match 'at LamassuOps\.|Unhandled exception|System\.IO\.IOException'
    }
}

Describe '-WhatIf on a sample nsecbunkerd database' {
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

    It 'one bad item does not stop the others (non-terminating per database)' {
        $database = Join-Path $TestDrive 'good.db'
        New-SampleBunkerDatabase -Path $database

        $results = @(Get-BunkerPairing -LiteralPath (Join-Path $TestDrive 'missing.db'), $database -ErrorVariable failures -ErrorAction SilentlyContinue)

        $results.Count | Should -BeGreaterThan 0
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'BunkerDatabaseNotFound,*'
    }
}
