#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The LNbits cross-check in pwsh on the shipped samples: Get-LnbitsSignerAccount and Test-BunkerPairing, alone and in
    pipelines, on SQLite and on the PostgreSQL this suite starts (peer auth), and lamassuops' exit code.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'Lamassu.Support.ps1')
    $bunker = New-SampleBunkerDirectory
    $lnbits = Join-Path (Split-Path $bunker) 'lnbits.sqlite3'
    New-SampleLnbitsDatabase -Path $lnbits
}

AfterAll {
    Remove-Module LamassuOps -Force -ErrorAction Ignore
}

Describe 'Get-LnbitsSignerAccount' {
    It 'lists the signer accounts with a derived client pubkey and no nsec' {
        $accounts = @(Get-LnbitsSignerAccount $lnbits)

        $accounts.Count | Should -Be 9
        ($accounts | Where-Object Username -eq 'alice').ClientPubkey | Should -Match '^[0-9a-f]{64}$'
        ($accounts | Where-Object Username -eq 'olivia').Readable | Should -BeFalse
        ($accounts | Format-List * | Out-String) | Should -Not -Match 'nsec1'
    }

    It 'refuses a connection string with a keyword libpq does not know, naming the file form' {
        Push-Location TestDrive:/
        try {
            $before = @(Get-ChildItem -Recurse -Force TestDrive:/).Count
            $failure = { Get-LnbitsSignerAccount 'lnbits=database.sqlite3' -ErrorAction Stop } | Should -Throw -PassThru

            $failure.FullyQualifiedErrorId | Should -BeLike 'PostgresConnectionStringUnknownKeyword,*'
            $failure.ErrorDetails.RecommendedAction | Should -Match '\./lnbits='
            @(Get-ChildItem -Recurse -Force TestDrive:/).Count | Should -Be $before
        }
        finally {
            Pop-Location
        }
    }

    It 'reads the same accounts from PostgreSQL over the socket' {
        $pg = Start-TestPostgres
        try {
            $url = New-PostgresLnbitsDatabase $pg -Name 'lamassuops-lnbits-pester'

            $fromPostgres = @(Get-LnbitsSignerAccount $url -ErrorAction Stop)
            $fromSqlite = @(Get-LnbitsSignerAccount $lnbits)

            $fromPostgres.ClientPubkey | Should -Be $fromSqlite.ClientPubkey
            @(Get-LnbitsSignerAccount $url | Test-BunkerPairing -BunkerDatabase $bunker).Count | Should -Be 10

            # The same database as a libpq key=value connection string, a value in quotes; its password masked in what is shown.
            $keywords = "host='$($pg.SocketDirectory)' port=$($pg.Port) dbname=lamassuops-lnbits-pester user=postgres password='peer auth ignores it'"
            $fromKeywords = @(Get-LnbitsSignerAccount $keywords -ErrorAction Stop)
            $fromKeywords.ClientPubkey | Should -Be $fromSqlite.ClientPubkey
            $fromKeywords[0].LnbitsDatabase | Should -BeLike '*user=postgres password=****'
            @(Test-BunkerPairing -BunkerDatabase $bunker -LnbitsDatabase $keywords).Count | Should -Be 10
        }
        finally {
            Stop-TestPostgres -BaseDirectory $pg.BaseDirectory
        }
    }
}

Describe 'Test-BunkerPairing' {
    It 'Get-LnbitsSignerAccount | Test-BunkerPairing checks the instance once' {
        $verdicts = @(Get-LnbitsSignerAccount $lnbits | Test-BunkerPairing -BunkerDatabase $bunker)

        $verdicts.Count | Should -Be 10
        ($verdicts | Where-Object Username -eq 'alice').Verdict | Should -Be 'Healthy'
    }

    It 'Test-BunkerPairing | Where-Object Verdict -eq Dangling gives the dangling pairings with their repair' {
        $dangling = @(Test-BunkerPairing $bunker $lnbits | Where-Object Verdict -eq Dangling)

        $dangling.Username | Sort-Object | Should -Be @('grace', 'judy', 'zoe')
        $dangling | ForEach-Object { $_.Repair | Should -Not -BeNullOrEmpty; $_.RepairChangesIdentity | Should -BeFalse }
    }

    It 'binds Get-BunkerPairing output by Path' {
        @(Get-BunkerPairing $bunker 3>$null | Test-BunkerPairing -LnbitsDatabase $lnbits).Count | Should -Be 10
    }

    It 'lamassuops exits 1 when a pairing is not Healthy' {
        $result = Invoke-Lamassuops -Arguments @('Test-BunkerPairing', $bunker, $lnbits, '--summary')

        $result.ExitCode | Should -Be 1
        $result.Objects[0].Healthy | Should -Be 2
    }
}

Describe 'Repair-BunkerPairing and Compare-BunkerPairing' {
    BeforeEach {
        $database = New-SampleBunkerDirectory
        $directory = Split-Path $database
        $accounts = Join-Path $directory 'lnbits.sqlite3'
        New-SampleLnbitsDatabase -Path $accounts
        $backups = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $backups
        $backup = (Backup-BunkerDatabase -LiteralPath $database -Destination $backups -ErrorAction Stop).BackupPath
        # The wipe after the backup: alice's KeyUser and token deleted, as by hand in sqlite3.
        sqlite3 $database "PRAGMA foreign_keys = ON; DELETE FROM KeyUser WHERE id IN (SELECT keyUserId FROM Token WHERE clientName = 'LNbits alice'); DELETE FROM Token WHERE clientName = 'LNbits alice';"
    }

    It 'Test-BunkerPairing | Where-Object Verdict -eq Dangling | Repair-BunkerPairing -FromBackup -WhatIf lists the repairs and changes nothing' {
        $state = Get-DirectoryState $directory
        $backupState = Get-DirectoryState $backups

        $results = @(Test-BunkerPairing $database $accounts | Where-Object Verdict -eq Dangling | Repair-BunkerPairing -FromBackup $backup -WhatIf)

        ($results | Where-Object Username -eq 'alice').Method | Should -Be 'CopiedFromBackup'
        ($results | Where-Object Username -eq 'grace').Method | Should -Be 'RecreatedKeyUser'
        ($results | Where-Object Action -eq 'WouldRepair').Username | Sort-Object | Should -Be @('alice', 'grace')
        ($results | Where-Object Action -eq 'NotRepairable').Username | Sort-Object | Should -Be @('judy', 'zoe')
        $results | ForEach-Object { $_.IdentityUnchanged | Should -BeTrue; $_.Reason | Should -Not -BeNullOrEmpty }
        Get-DirectoryState $directory | Should -Be $state
        Get-DirectoryState $backups | Should -Be $backupState
    }

    It 'repairs through the pipeline with -Force after a verified backup, and Compare-BunkerPairing shows only what the repair wrote' {
        $results = @(Test-BunkerPairing $database $accounts | Where-Object Verdict -eq Dangling |
            Repair-BunkerPairing -FromBackup $backup -BackupDirectory $backups -Force -Confirm:$false -ErrorAction Stop)

        ($results | Where-Object Action -eq 'Repaired').Username | Sort-Object | Should -Be @('alice', 'grace')
        $safety = @($results.BackupPath | Where-Object { $_ } | Select-Object -Unique)
        $safety.Count | Should -Be 1
        Test-Path -LiteralPath $safety[0] | Should -BeTrue
        $verdicts = @(Test-BunkerPairing $database $accounts)
        ($verdicts | Where-Object Username -in 'alice', 'grace', 'heidi').Verdict | Should -Be @('Healthy', 'Healthy', 'Healthy')

        $changes = @(Compare-BunkerPairing $safety[0] $database -LnbitsDatabase $accounts)
        ($changes | Where-Object { $_.PSObject.Properties['Change'] }).Change | Sort-Object | Should -Be @('Added', 'Changed')
        ($changes | Where-Object { $_.PSObject.Properties['Changed'] -and $_.Changed }).Username | Sort-Object | Should -Be @('alice', 'grace')
    }

    It 'lamassuops Compare-BunkerPairing and Repair-BunkerPairing --json' {
        $compare = Invoke-Lamassuops -Arguments @('Compare-BunkerPairing', $backup, $database, '--lnbits-database', $accounts)
        $repair = Invoke-Lamassuops -Arguments @('Repair-BunkerPairing', $database, $accounts, '--from-backup', $backup, '--backup-directory', $backups, '--force')

        $compare.ExitCode | Should -Be 1
        ($compare.Objects | Where-Object Username -eq 'alice').After | Should -Be 'Dangling'
        $repair.ExitCode | Should -Be 0
        ($repair.Objects | Where-Object Action -eq 'Repaired').Username | Sort-Object | Should -Be @('alice', 'grace')
        $repair.Stderr + ($repair.Objects | ConvertTo-Json -Depth 4) | Should -Not -Match 'nsec1'
    }
}
