#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The Bunker cmdlets chained as an operator chains them, by value and by property name, over many databases at once,
    also after an Export-Clixml / Import-Clixml round trip (what remoting and saved reports give back). Real SQLite
    files built from samples/nsecbunker-sample.sql; needs sqlite3 on PATH.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # A directory of three sample databases (a.db, b.db, c.db); returns the directory.
    function New-SampleFleet {
        $directory = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $directory
        foreach ($name in 'a', 'b', 'c') { New-SampleBunkerDatabase -Path (Join-Path $directory "$name.db") }
        $directory
    }

    # Objects as they come back from Export-Clixml / Import-Clixml (deserialized property bags, not the .NET types).
    function ConvertTo-RoundTripped {
        param([Parameter(ValueFromPipeline)] $InputObject)
        begin { $items = [System.Collections.Generic.List[object]]::new() }
        process { $items.Add($InputObject) }
        end {
            $file = Join-Path $TestDrive "$([guid]::NewGuid().ToString('N')).clixml"
            $items | Export-Clixml -LiteralPath $file
            Import-Clixml -LiteralPath $file
            Remove-Item -LiteralPath $file
        }
    }

    function Get-SigningConditionKey {
        param([Parameter(ValueFromPipeline)] $Row)
        process { '{0}#{1}' -f $Row.Path, $Row.Id }
    }
}

Describe 'Pipelines across the Bunker cmdlets' {
    BeforeEach {
        $directory = New-SampleFleet
        $databases = @(Get-ChildItem -LiteralPath $directory -Filter *.db | Sort-Object Name)
        $before = Get-DirectoryState $directory
    }

    It 'Get-ChildItem *.db | Get-BunkerPairing binds each file by PSPath' {
        $pairings = @(Get-ChildItem (Join-Path $directory '*.db') | Get-BunkerPairing -WarningAction SilentlyContinue)
        $direct = @(Get-BunkerPairing -LiteralPath $databases.FullName -WarningAction SilentlyContinue)

        $pairings.Count | Should -Be $direct.Count
        @($pairings.Path | Sort-Object -Unique) | Should -Be @($databases.FullName)
    }

    It 'path strings bind by value: ''a.db'', ''b.db'' | Get-BunkerPairing' {
        $pairings = @($databases.FullName | Get-BunkerPairing -WarningAction SilentlyContinue)

        @($pairings.Path | Sort-Object -Unique) | Should -Be @($databases.FullName)
    }

    It '… | Get-BunkerPairing | Get-BunkerSigningCondition gives each pairing''s rows (Path, KeyName, ClientPubkey by property name; round trip: <RoundTrip>)' -ForEach @(
        @{ RoundTrip = $false }, @{ RoundTrip = $true }
    ) {
        $pairings = @(Get-ChildItem (Join-Path $directory '*.db') | Get-BunkerPairing -WarningAction SilentlyContinue)
        $expected = @($pairings | ForEach-Object {
                Get-BunkerSigningCondition -LiteralPath $_.Path -KeyName $_.KeyName -ClientPubkey $_.ClientPubkey
            } | Get-SigningConditionKey | Sort-Object)
        if ($RoundTrip) { $pairings = @($pairings | ConvertTo-RoundTripped) }

        $rows = @($pairings | Get-BunkerSigningCondition)

        $expected.Count | Should -BeGreaterThan 0
        @($rows | Get-SigningConditionKey | Sort-Object) | Should -Be $expected
        Get-DirectoryState $directory | Should -Be $before
    }

    It '… | Get-BunkerPairing | Remove-StaleSigningCondition -WhatIf changes none of the databases (round trip: <RoundTrip>)' -ForEach @(
        @{ RoundTrip = $false }, @{ RoundTrip = $true }
    ) {
        $pairings = @(Get-ChildItem (Join-Path $directory '*.db') | Get-BunkerPairing -WarningAction SilentlyContinue)
        if ($RoundTrip) { $pairings = @($pairings | ConvertTo-RoundTripped) }

        $result = $pairings | Remove-StaleSigningCondition -WhatIf -ErrorAction Stop

        $result | Should -BeNullOrEmpty
        Get-DirectoryState $directory | Should -Be $before
    }

    It 'many databases in one pipeline: each is stripped, once, however many pairings it sent' {
        $pairings = @(Get-ChildItem (Join-Path $directory '*.db') | Get-BunkerPairing -WarningAction SilentlyContinue)
        $pairings.Count | Should -BeGreaterThan $databases.Count

        $removals = @($pairings | Remove-StaleSigningCondition -NoBackup -Confirm:$false -ErrorAction Stop -Verbose 4>&1 |
                Tee-Object -Variable everything | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $once = @($everything | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'already handled in this pipeline' })

        @($removals.Path) | Should -Be @($databases.FullName)
        $removals | ForEach-Object { $_.Removed | Should -BeGreaterThan 0 }
        $once.Count | Should -Be ($pairings.Count - $databases.Count)
        foreach ($database in $databases) {
            @(Get-BunkerSigningCondition -LiteralPath $database.FullName -Classification PolicyCopy).Count | Should -Be 0
        }
    }

    It 'Test-BunkerDatabase | Backup-BunkerDatabase backs up each database it tested (round trip: <RoundTrip>)' -ForEach @(
        @{ RoundTrip = $false }, @{ RoundTrip = $true }
    ) {
        $tests = @(Test-BunkerDatabase -LiteralPath $databases.FullName)
        $tests | ForEach-Object { $_.Passed | Should -BeTrue }
        if ($RoundTrip) { $tests = @($tests | ConvertTo-RoundTripped) }

        $backups = @($tests | Backup-BunkerDatabase -ErrorAction Stop)

        @($backups.Path) | Should -Be @($databases.FullName)
        foreach ($backup in $backups) {
            $backup.Verified | Should -BeTrue
            Split-Path $backup.BackupPath | Should -Be $directory
            (sqlite3 $backup.BackupPath 'SELECT count(*) FROM SigningCondition;') | Should -Be (sqlite3 $backup.Path 'SELECT count(*) FROM SigningCondition;')
        }
    }

    It 'Backup-BunkerDatabase | Restore-BunkerDatabase -WhatIf binds Path and BackupPath and changes nothing (round trip: <RoundTrip>)' -ForEach @(
        @{ RoundTrip = $false }, @{ RoundTrip = $true }
    ) {
        $backups = @(Backup-BunkerDatabase -LiteralPath $databases.FullName -ErrorAction Stop)
        if ($RoundTrip) { $backups = @($backups | ConvertTo-RoundTripped) }
        $afterBackup = Get-DirectoryState $directory

        $backups | Restore-BunkerDatabase -WhatIf -ErrorAction Stop

        Get-DirectoryState $directory | Should -Be $afterBackup
    }

    It 'Backup-BunkerDatabase | Restore-BunkerDatabase -Force restores each database from its own backup' {
        $backups = @(Backup-BunkerDatabase -LiteralPath $databases.FullName -ErrorAction Stop)
        foreach ($database in $databases) { sqlite3 $database.FullName 'DELETE FROM SigningCondition;' }

        $restores = @($backups | Restore-BunkerDatabase -Force -ErrorAction Stop)

        $restores.Count | Should -Be $databases.Count
        foreach ($database in $databases) {
            (sqlite3 $database.FullName 'SELECT count(*) FROM SigningCondition;') | Should -BeGreaterThan 0
        }
    }

    It 'Get-ChildItem | Test-BunkerDatabase reports a bad file and goes on with the rest' {
        Set-Content -LiteralPath (Join-Path $directory 'b.db') -Value 'not a database'

        $results = @(Get-ChildItem (Join-Path $directory '*.db') | Test-BunkerDatabase -ErrorVariable failures -ErrorAction SilentlyContinue)

        @($results.Path) | Should -Be @((Join-Path $directory 'a.db'), (Join-Path $directory 'c.db'))
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'NotSqliteDatabase,*'
        $failures[0].TargetObject | Should -Be (Join-Path $directory 'b.db')
    }
}

Describe 'The strip''s line per KeyUser follows PowerShell''s verbose rule' {
    # It is put together only when it would be shown: a million-row strip would otherwise build 200,000 lines for nothing.
    It 'shows it for <Case>, and no line at all otherwise' -ForEach @(
        @{ Case = '-Verbose'; Shown = $true; Preference = 'SilentlyContinue'; Arguments = @{ Verbose = $true } }
        @{ Case = '$VerbosePreference Continue'; Shown = $true; Preference = 'Continue'; Arguments = @{} }
        @{ Case = '-Verbose:$false over $VerbosePreference Continue'; Shown = $false; Preference = 'Continue'; Arguments = @{ Verbose = $false } }
        @{ Case = 'neither'; Shown = $false; Preference = 'SilentlyContinue'; Arguments = @{} }
    ) {
        $database = Join-Path $TestDrive "$([guid]::NewGuid().ToString('N')).db"
        New-SampleBunkerDatabase -Path $database
        $VerbosePreference = $Preference

        $verbose = @(Remove-StaleSigningCondition -LiteralPath $database -NoBackup -Force @Arguments 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message

        @($verbose | Where-Object { $_ -match '^KeyUser \d+ .*: removes \d+ SigningCondition rows' }).Count -gt 0 | Should -Be $Shown
        if (-not $Shown) { $verbose | Should -BeNullOrEmpty }
    }
}
