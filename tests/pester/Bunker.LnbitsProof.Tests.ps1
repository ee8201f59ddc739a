#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    -LnbitsDatabase on Remove-BunkerRequest, Remove-BunkerSigningLog and Restore-BunkerDatabase in pwsh, on the shipped
    samples (alice and heidi are the Healthy LNbits pairings): a change that would break one is rolled back, one that
    keeps them commits, -WhatIf changes nothing; LNbits on SQLite and on the PostgreSQL this suite starts; lamassuops.
    Needs sqlite3 on PATH.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'Lamassu.Support.ps1')

    # A sample bunker and the sample LNbits database in a new directory, and an empty directory for backups.
    function New-PairedInstance {
        $bunker = New-SampleBunkerDirectory
        $lnbits = Join-Path (Split-Path $bunker) 'lnbits.sqlite3'
        New-SampleLnbitsDatabase -Path $lnbits
        $backups = Join-Path (Split-Path $bunker) 'backups'
        $null = New-Item -ItemType Directory -Path $backups
        [pscustomobject]@{ Bunker = $bunker; Lnbits = $lnbits; Backups = $backups }
    }

    # A trigger that revokes alice's KeyUser whenever a row of $Table is deleted.
    function Add-BreakingTrigger {
        param([string] $Database, [string] $Table)
        sqlite3 $Database "CREATE TRIGGER break_alice AFTER DELETE ON $Table BEGIN UPDATE KeyUser SET revokedAt = 1781960327000 WHERE id = (SELECT keyUserId FROM Token WHERE clientName = 'LNbits alice'); END;"
        if ($LASTEXITCODE -ne 0) { throw "sqlite3 could not add the trigger to $Database" }
    }

    function Get-FileSha {
        param([string] $Path)
        (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash
    }
}

AfterAll {
    Remove-Module LamassuOps -Force -ErrorAction Ignore
}

Describe 'Prunes with -LnbitsDatabase' {
    It 'Remove-BunkerRequest commits when every Healthy pairing stays Healthy' {
        $instance = New-PairedInstance

        $output = @(Remove-BunkerRequest $instance.Bunker -LnbitsDatabase $instance.Lnbits -BackupDirectory $instance.Backups -Force -Verbose 4>&1)
        $verbose = ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message

        ($output | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Removed | Should -Be 1
        $verbose | Where-Object { $_ -like 'Checked inside the transaction: 2 Healthy LNbits pairing(s)*still Healthy; KeyUser*' } | Should -HaveCount 1
        @(Test-BunkerPairing $instance.Bunker $instance.Lnbits | Where-Object Verdict -eq Healthy).Username | Sort-Object | Should -Be @('alice', 'heidi')
    }

    It '<Command> is rolled back when a trigger breaks a pairing, and the verified backup is kept and named' -ForEach @(
        @{ Command = 'Remove-BunkerRequest'; Table = 'Request' }
        @{ Command = 'Remove-BunkerSigningLog'; Table = 'SigningLog' }
    ) {
        $instance = New-PairedInstance
        Add-BreakingTrigger -Database $instance.Bunker -Table $Table
        $before = Get-FileSha $instance.Bunker

        $caught = $null
        try { & $Command $instance.Bunker -LnbitsDatabase $instance.Lnbits -BackupDirectory $instance.Backups -Force -ErrorAction Stop }
        catch { $caught = $_ }

        $caught.FullyQualifiedErrorId | Should -BeLike 'LnbitsPairingBroken,*'
        $caught.Exception.Message | Should -BeLike '*alice*would be Revoked*'
        $caught.Exception.Message | Should -Not -BeLike '*heidi*'
        Get-FileSha $instance.Bunker | Should -Be $before
        $backup = @(Get-ChildItem -LiteralPath $instance.Backups -File)
        $backup.Count | Should -Be 1
        $caught.Exception.Message | Should -BeLike "*kept: '$($backup[0].FullName)'*"
        sqlite3 $backup[0].FullName 'PRAGMA integrity_check' | Should -Be 'ok'
    }

    It 'checks an LNbits on PostgreSQL the same way' {
        $pg = Start-TestPostgres
        try {
            $url = New-PostgresLnbitsDatabase $pg -Name 'lamassuops-lnbits-proof-pester'
            $instance = New-PairedInstance
            Add-BreakingTrigger -Database $instance.Bunker -Table 'Request'
            $before = Get-FileSha $instance.Bunker

            { Remove-BunkerRequest $instance.Bunker -LnbitsDatabase $url -NoBackup -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'LnbitsPairingBroken,*'
            Get-FileSha $instance.Bunker | Should -Be $before

            sqlite3 $instance.Bunker 'DROP TRIGGER break_alice;'
            (Remove-BunkerRequest $instance.Bunker -LnbitsDatabase $url -NoBackup -Force).Removed | Should -Be 1
        }
        finally {
            Stop-TestPostgres -BaseDirectory $pg.BaseDirectory
        }
    }

    It '-WhatIf with -LnbitsDatabase changes nothing and writes no backup' {
        $instance = New-PairedInstance
        $backup = (Backup-BunkerDatabase $instance.Bunker -Destination (Join-Path $TestDrive "whatif-$([guid]::NewGuid().ToString('N')).bak")).BackupPath
        $state = Get-DirectoryState (Split-Path $instance.Bunker)

        Remove-BunkerRequest $instance.Bunker -LnbitsDatabase $instance.Lnbits -WhatIf | Should -BeNullOrEmpty
        Remove-BunkerSigningLog $instance.Bunker -LnbitsDatabase $instance.Lnbits -WhatIf | Should -BeNullOrEmpty
        Restore-BunkerDatabase $instance.Bunker $backup -LnbitsDatabase $instance.Lnbits -WhatIf | Should -BeNullOrEmpty

        Get-DirectoryState (Split-Path $instance.Bunker) | Should -Be $state
        @(Get-ChildItem -LiteralPath $instance.Backups).Count | Should -Be 0
    }

    It 'a wrong -LnbitsDatabase fails before anything is written' {
        $instance = New-PairedInstance
        $state = Get-DirectoryState (Split-Path $instance.Bunker)

        { Remove-BunkerRequest $instance.Bunker -LnbitsDatabase (Join-Path $TestDrive 'none.sqlite3') -BackupDirectory $instance.Backups -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'LnbitsDatabaseNotFound,*'

        Get-DirectoryState (Split-Path $instance.Bunker) | Should -Be $state
        @(Get-ChildItem -LiteralPath $instance.Backups).Count | Should -Be 0
    }
}

Describe 'Restore-BunkerDatabase -LnbitsDatabase' {
    It 'refuses a backup in which a Healthy pairing is revoked, keeping the safety copy' {
        $instance = New-PairedInstance
        $backup = (Backup-BunkerDatabase $instance.Bunker -Destination (Join-Path $instance.Backups 'old.bak')).BackupPath
        sqlite3 $backup "UPDATE Token SET revokedAt = 1781960327000 WHERE clientName = 'LNbits heidi';"
        $before = Get-FileSha $instance.Bunker

        $caught = $null
        try { Restore-BunkerDatabase $instance.Bunker $backup -LnbitsDatabase $instance.Lnbits -Force -ErrorAction Stop }
        catch { $caught = $_ }

        $caught.FullyQualifiedErrorId | Should -BeLike 'LnbitsPairingBroken,*'
        $caught.Exception.Message | Should -BeLike '*heidi*would be Revoked*'
        Get-FileSha $instance.Bunker | Should -Be $before
        $safetyCopy = @(Get-ChildItem -LiteralPath (Split-Path $instance.Bunker) -Filter '*.pre-restore.bak')
        $safetyCopy.Count | Should -Be 1
        $caught.Exception.Message | Should -BeLike "*kept: '$($safetyCopy[0].FullName)'*"
    }

    It 'restores a backup that keeps every Healthy pairing' {
        $instance = New-PairedInstance
        $backup = (Backup-BunkerDatabase $instance.Bunker -Destination (Join-Path $instance.Backups 'good.bak')).BackupPath
        sqlite3 $instance.Bunker 'DELETE FROM Request;'

        $restore = Restore-BunkerDatabase $instance.Bunker $backup -LnbitsDatabase $instance.Lnbits -Force

        $restore.Verified | Should -BeTrue
        sqlite3 $instance.Bunker 'SELECT count(*) FROM Request;' | Should -Be '1'
    }
}

Describe 'lamassuops --lnbits-database' {
    It 'rolls back a prune that breaks a pairing and commits one that keeps them' {
        $instance = New-PairedInstance
        Add-BreakingTrigger -Database $instance.Bunker -Table 'Request'
        $before = Get-FileSha $instance.Bunker

        $broken = Invoke-Lamassuops -Arguments @('Remove-BunkerRequest', $instance.Bunker, '--lnbits-database', $instance.Lnbits, '--backup-directory', $instance.Backups, '--force')

        $broken.ExitCode | Should -Not -Be 0
        $broken.ErrorId | Should -Be 'LnbitsPairingBroken'
        Get-FileSha $instance.Bunker | Should -Be $before

        sqlite3 $instance.Bunker 'DROP TRIGGER break_alice;'
        $kept = Invoke-Lamassuops -Arguments @('Remove-BunkerRequest', $instance.Bunker, '--lnbits-database', $instance.Lnbits, '--no-backup', '--force')
        $kept.ExitCode | Should -Be 0
        $kept.Objects[0].Removed | Should -Be 1
    }
}
