#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    Long work on a large database (the sample with 200,000 extra SigningCondition policy copies, as years of
    nsecbunkerd photocopying leave): progress records, and a strip stopped from another thread as Ctrl+C stops it,
    which must end promptly and leave the database as it was. Each command runs in its own [powershell] instance, so
    its progress stream can be read and its pipeline stopped. Needs sqlite3 on PATH.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    $extraRows = 200000
    $largeTemplate = Join-Path $TestDrive 'large-template.db'
    New-SampleBunkerDatabase -Path $largeTemplate
    # Copies of policy row 2 (KeyUser 1's sign_event kind 1), which the strip classifies as redundant policy copies.
    sqlite3 $largeTemplate @"
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $extraRows)
INSERT INTO SigningCondition (method, kind, content, keyUserKeyName, allowed, keyUserId, createdAt)
SELECT s.method, s.kind, s.content, s.keyUserKeyName, s.allowed, s.keyUserId, s.createdAt FROM SigningCondition s, n WHERE s.id = 2;
"@
    $largeRows = [long] (sqlite3 $largeTemplate 'SELECT count(*) FROM SigningCondition;')

    # A copy of the large database in a directory of its own; returns its path.
    function New-LargeBunkerDatabase {
        $directory = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $directory
        $database = Join-Path $directory 'nsecbunker.db'
        Copy-Item -LiteralPath $largeTemplate -Destination $database
        $database
    }

    # A [powershell] instance with the module imported, running $Script.
    function New-CommandInstance {
        param([string] $Script)
        $instance = [powershell]::Create()
        $null = $instance.AddScript("Import-Module '$manifestPath' -ErrorAction Stop; $Script")
        $instance
    }
}

Describe 'Progress on a database of 200,000+ rows' {
    It 'Backup-BunkerDatabase writes progress and completes it' {
        $database = New-LargeBunkerDatabase
        $instance = New-CommandInstance "Backup-BunkerDatabase -LiteralPath '$database'"

        $backup = $instance.Invoke()
        $progress = @($instance.Streams.Progress)
        $errors = @($instance.Streams.Error)
        $instance.Dispose()

        $errors | Should -BeNullOrEmpty
        $backup.TotalRows | Should -BeGreaterThan $largeRows
        $progress.Count | Should -BeGreaterOrEqual 2
        $progress | ForEach-Object { $_.Activity | Should -Be 'Backing up nsecbunker.db' }
        $progress[0].StatusDescription | Should -Match ([regex]::Escape($backup.BackupPath))
        $progress[-1].RecordType | Should -Be 'Completed'
    }

    It 'Remove-StaleSigningCondition classifies once, with rising progress, and completes it' {
        $database = New-LargeBunkerDatabase
        $instance = New-CommandInstance "Remove-StaleSigningCondition -LiteralPath '$database' -NoBackup -Force"

        $removal = $instance.Invoke()
        $progress = @($instance.Streams.Progress | Where-Object Activity -Like 'Stripping SigningCondition of *')
        $instance.Dispose()

        $removal.Removed | Should -BeGreaterThan $extraRows
        $classifying = @($progress | Where-Object { $_.RecordType -eq 'Processing' -and $_.StatusDescription -like 'classifying: *' })
        $classifying.Count | Should -BeGreaterThan 10
        $percents = @($classifying.PercentComplete)
        $percents | Should -Be @($percents | Sort-Object) -Because 'progress only rises, through the one classifying pass'
        $percents | ForEach-Object { $_ | Should -BeIn (0..99) }
        @($classifying | Where-Object StatusDescription -Like "classifying: $extraRows of *").Count | Should -Be 1 -Because 'the rows are classified once, not twice'
        $progress[-1].RecordType | Should -Be 'Completed'
    }
}

Describe 'A long strip stopped from another thread (as Ctrl+C stops it)' {
    It 'stopped while <Stage>, it ends within 10 s and the database is unchanged' -ForEach @(
        @{ Stage = 'planning'; Status = 'classifying: *'; Options = '' }
        @{ Stage = 'planning with -NoBackup'; Status = 'classifying: *'; Options = ' -NoBackup' }
    ) {
        $database = New-LargeBunkerDatabase
        $directory = Split-Path $database
        $hash = (Get-FileHash -LiteralPath $database -Algorithm SHA256).Hash
        $instance = New-CommandInstance "Remove-StaleSigningCondition -LiteralPath '$database' -Force$Options"
        $running = $instance.BeginInvoke()
        $waited = [System.Diagnostics.Stopwatch]::StartNew()
        while (-not ($instance.Streams.Progress | Where-Object StatusDescription -Like $Status) -and -not $running.IsCompleted -and $waited.Elapsed.TotalSeconds -lt 60) {
            Start-Sleep -Milliseconds 20
        }
        $running.IsCompleted | Should -BeFalse -Because "the strip must still be $Stage when it is stopped"

        $stopping = [System.Diagnostics.Stopwatch]::StartNew()
        $instance.Stop()
        $stopping.Stop()
        $state = $instance.InvocationStateInfo.State
        $instance.Dispose()

        $stopping.Elapsed.TotalSeconds | Should -BeLessThan 10
        $state | Should -Be 'Stopped'
        (Get-FileHash -LiteralPath $database -Algorithm SHA256).Hash | Should -Be $hash
        (sqlite3 $database 'SELECT count(*) FROM SigningCondition;') | Should -Be $largeRows
        # Nothing is left: the snapshot being classified is removed, and no backup was published before the confirmation.
        @(Get-ChildItem -LiteralPath $directory -Force | Where-Object Name -NE 'nsecbunker.db').Name | Should -BeNullOrEmpty
    }
}
