#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The Bunker cmdlets as an operator types them, on real SQLite files built from samples/nsecbunker-sample.sql:
    every switch (also -Switch:$false, which must behave as absent), -WhatIf and $WhatIfPreference (nothing written,
    not even a hidden file), and one non-terminating error per bad item while the good ones are still processed.
    Needs sqlite3 on PATH.
#>

BeforeDiscovery {
    # Each switch with what it is expected to change; the command runs on a fresh sample for every case.
    $switchCases = @(
        @{ Command = 'Get-BunkerPairing'; Switch = 'IncludeSecret' }
        @{ Command = 'Get-BunkerPairing'; Switch = 'IncludeDangling' }
        @{ Command = 'Get-BunkerPairing'; Switch = 'IncludeUnredeemed' }
        @{ Command = 'Remove-StaleSigningCondition'; Switch = 'StaleOnly' }
        @{ Command = 'Remove-StaleSigningCondition'; Switch = 'IncludeManualOverride' }
        @{ Command = 'Remove-StaleSigningCondition'; Switch = 'NoBackup' }
        @{ Command = 'Remove-StaleSigningCondition'; Switch = 'AcceptPermissionLoss'; Upstream = $true }
        @{ Command = 'Remove-BunkerSigningLog'; Switch = 'NoBackup' }
        @{ Command = 'Remove-BunkerRequest'; Switch = 'NoBackup' }
    )
    $changingCommands = @('Backup-BunkerDatabase', 'Restore-BunkerDatabase', 'Remove-StaleSigningCondition', 'Remove-BunkerSigningLog', 'Remove-BunkerRequest')
    $allCommands = @('Get-BunkerPairing', 'Get-BunkerSigningCondition', 'Test-BunkerDatabase') + $changingCommands
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # What every command needs beside -Path to run without a prompt in this (non-interactive) session.
    function Get-RequiredArgument {
        param([string] $Command, [string] $Directory)
        switch ($Command) {
            'Restore-BunkerDatabase' { @{ BackupPath = New-SampleBackup $Directory; Confirm = $false } }
            { $_ -like 'Remove-*' } { @{ Confirm = $false } }
            default { @{} }
        }
    }

    # A backup of the sample in a directory of its own next to $Directory, for Restore-BunkerDatabase.
    function New-SampleBackup {
        param([string] $Directory)
        $backupDirectory = "$Directory-backup"
        $null = New-Item -ItemType Directory -Path $backupDirectory -Force
        $backup = Join-Path $backupDirectory 'nsecbunker.db.bak'
        if (-not (Test-Path $backup)) {
            New-SampleBunkerDatabase -Path $backup
            sqlite3 $backup 'DELETE FROM Request;'
        }
        $backup
    }

    # Runs a command on a fresh sample and describes what it did in a form two runs can be compared by:
    # output (without the per-run directory and timestamps), error ids, the database's dump and the file names.
    function Invoke-OnSample {
        param([string] $Command, [hashtable] $Arguments = @{}, [switch] $Upstream)
        $database = New-SampleBunkerDirectory
        $directory = Split-Path $database
        if ($Upstream) {
            sqlite3 $database 'ALTER TABLE SigningCondition DROP COLUMN expiresAt; ALTER TABLE SigningCondition DROP COLUMN revokedAt;'
        }
        $required = Get-RequiredArgument $Command $directory
        $output = & $Command -Path $database @required @Arguments -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $json = $output | Select-Object * -ExcludeProperty CreatedBefore, CreatedAt | ConvertTo-Json -Depth 5 -Compress -WarningAction Ignore
        [pscustomobject]@{
            Output = ConvertTo-Comparable $json $directory
            Count  = @($output).Count
            Errors = @($failures | ForEach-Object FullyQualifiedErrorId)
            Dump   = (sqlite3 $database .dump) -join "`n"
            Files  = @(Get-ChildItem -LiteralPath $directory -Force -Name | ForEach-Object { ConvertTo-Comparable $_ $directory })
            Result = $output
        }
    }

    function ConvertTo-Comparable {
        param([string] $Text, [string] $Directory)
        ($Text ?? '').Replace($Directory, '<dir>') -replace '\.\d{8}T\d{9}Z\.', '.<time>.'
    }

    # Every name under a directory, hidden ones included, with each file's hash and timestamp.
    function Get-FullListing {
        param([string] $Directory)
        Get-ChildItem -LiteralPath $Directory -Force -Recurse | Sort-Object FullName | ForEach-Object {
            $hash = if ($_.PSIsContainer) { 'directory' } else { (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash }
            '{0} {1} {2}' -f $_.FullName.Substring($Directory.Length), $hash, $_.LastWriteTimeUtc.Ticks
        }
    }
}

Describe 'Switch -<Switch> of <Command>' -ForEach $switchCases {
    BeforeAll {
        $absent = Invoke-OnSample $Command -Upstream:([bool] $Upstream)
        $present = Invoke-OnSample $Command @{ $Switch = $true } -Upstream:([bool] $Upstream)
        $off = Invoke-OnSample $Command @{ $Switch = $false } -Upstream:([bool] $Upstream)
    }

    It '-<Switch>:$false behaves exactly as if it were absent' {
        $off.Output | Should -Be $absent.Output
        $off.Errors | Should -Be $absent.Errors
        $off.Dump | Should -Be $absent.Dump
        $off.Files | Should -Be $absent.Files
    }

    It '-<Switch> changes what the command does' {
        $changed = ($present.Output -ne $absent.Output) -or ($present.Dump -ne $absent.Dump) -or
            ("$($present.Files)" -ne "$($absent.Files)") -or ("$($present.Errors)" -ne "$($absent.Errors)")
        $changed | Should -BeTrue
    }
}

Describe 'What each switch does on the sample' {
    It '-IncludeSecret shows the whole token; without it the token is masked' {
        $masked = (Invoke-OnSample Get-BunkerPairing).Result[0].Token
        $shown = (Invoke-OnSample Get-BunkerPairing @{ IncludeSecret = $true }).Result[0].Token

        $shown | Should -Match '^[0-9a-f]{64}$'
        $masked | Should -Match '\*{4}$'
        $masked | Should -Not -Match $shown
    }

    It '-IncludeDangling and -IncludeUnredeemed add pairings' {
        $plain = (Invoke-OnSample Get-BunkerPairing).Count

        (Invoke-OnSample Get-BunkerPairing @{ IncludeDangling = $true }).Count | Should -BeGreaterThan $plain
        (Invoke-OnSample Get-BunkerPairing @{ IncludeUnredeemed = $true }).Count | Should -BeGreaterThan $plain
    }

    It '-StaleOnly removes fewer rows than the default, -IncludeManualOverride more, and both together are refused' {
        $default = (Invoke-OnSample Remove-StaleSigningCondition).Result.Removed
        $staleOnly = (Invoke-OnSample Remove-StaleSigningCondition @{ StaleOnly = $true }).Result.Removed
        $everything = (Invoke-OnSample Remove-StaleSigningCondition @{ IncludeManualOverride = $true }).Result.Removed
        $database = New-SampleBunkerDirectory
        $before = Get-DirectoryState (Split-Path $database)

        $staleOnly | Should -BeLessThan $default
        $everything | Should -BeGreaterThan $default
        # A contradiction of parameters, not a bad item: it stops the command before any database is opened.
        { Remove-StaleSigningCondition -Path $database -StaleOnly -IncludeManualOverride -Confirm:$false -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'StripScopeConflict,*'
        Get-DirectoryState (Split-Path $database) | Should -Be $before
    }

    It '-NoBackup of <_> leaves no backup; without it one verified backup is beside the database' -ForEach 'Remove-StaleSigningCondition', 'Remove-BunkerSigningLog', 'Remove-BunkerRequest' {
        $withBackup = Invoke-OnSample $_
        $noBackup = Invoke-OnSample $_ @{ NoBackup = $true }

        $withBackup.Files | Should -Be @('nsecbunker.db', 'nsecbunker.db.<time>.bak')
        (sqlite3 $withBackup.Result.BackupPath 'PRAGMA integrity_check;') | Should -Be 'ok'
        $noBackup.Files | Should -Be @('nsecbunker.db')
        $noBackup.Result.BackupPath | Should -BeNullOrEmpty
        $noBackup.Dump | Should -Be $withBackup.Dump
    }

    It 'on the upstream schema the strip is refused unless -AcceptPermissionLoss' {
        $refused = Invoke-OnSample Remove-StaleSigningCondition -Upstream
        $accepted = Invoke-OnSample Remove-StaleSigningCondition @{ AcceptPermissionLoss = $true } -Upstream

        $refused.Errors | Should -BeLike 'UpstreamSchemaStripRefused,*'
        $refused.Files | Should -Be @('nsecbunker.db')
        $accepted.Errors | Should -BeNullOrEmpty
        $accepted.Result.Removed | Should -BeGreaterThan 0
    }

    It '-OlderThan takes PowerShell TimeSpan syntax, and its error recommends that syntax' {
        $database = New-SampleBunkerDirectory
        $failure = $null
        try {
            Remove-BunkerRequest -Path $database -OlderThan 0:00:10 -Confirm:$false -ErrorAction Stop
        }
        catch {
            $failure = $_
        }

        $failure.FullyQualifiedErrorId | Should -BeLike 'RequestAgeTooShort,*'
        $failure.ErrorDetails.RecommendedAction | Should -Match '-OlderThan 1:00:00'
        $failure.ErrorDetails.RecommendedAction | Should -Not -Match '\b1h\b'
        # The syntax recommended is syntax PowerShell accepts.
        (Remove-BunkerRequest -Path $database -OlderThan 1:00:00 -NoBackup -Confirm:$false).Removed | Should -Be 1
        (Remove-BunkerRequest -Path $database -OlderThan (New-TimeSpan -Minutes 5) -NoBackup -Confirm:$false).Removed | Should -Be 0
    }

    It 'a missing -BackupDirectory is reported with a fix that names -BackupDirectory, not -Destination' {
        $database = New-SampleBunkerDirectory
        $failure = $null
        try {
            Remove-StaleSigningCondition -Path $database -BackupDirectory (Join-Path $TestDrive 'no-such-dir') -Confirm:$false -ErrorAction Stop
        }
        catch {
            $failure = $_
        }

        $failure.FullyQualifiedErrorId | Should -BeLike 'BackupDestinationDirectoryNotFound,*'
        $failure.ErrorDetails.RecommendedAction | Should -Match '-BackupDirectory'
        $failure.ErrorDetails.RecommendedAction | Should -Not -Match '-Destination'
    }
}

Describe '-WhatIf of <_> on the sample' -ForEach $changingCommands {
    BeforeEach {
        $database = New-SampleBunkerDirectory
        $directory = Split-Path $database
        $required = Get-RequiredArgument $_ $directory
        $required.Remove('Confirm')
        $before = Get-FullListing $directory
    }

    It '-WhatIf writes nothing, not even a hidden file' {
        $result = & $_ -Path $database @required -WhatIf -ErrorAction Stop

        Get-FullListing $directory | Should -Be $before
        $result | Should -BeNullOrEmpty
    }

    It '$WhatIfPreference = $true writes nothing' {
        $WhatIfPreference = $true
        try {
            & $_ -Path $database @required -ErrorAction Stop
        }
        finally {
            $WhatIfPreference = $false
        }

        Get-FullListing $directory | Should -Be $before
    }

    It '-WhatIf wins over -Force and -Confirm:$false' {
        $force = if ((Get-Command $_).Parameters.ContainsKey('Force')) { @{ Force = $true } } else { @{} }

        & $_ -Path $database @required @force -Confirm:$false -WhatIf -ErrorAction Stop

        Get-FullListing $directory | Should -Be $before
    }

    It '-WhatIf:$false acts (as absent would) even when $WhatIfPreference is $true' {
        $WhatIfPreference = $true
        try {
            $result = & $_ -Path $database @required -WhatIf:$false -Confirm:$false -ErrorAction Stop
        }
        finally {
            $WhatIfPreference = $false
        }

        $result | Should -Not -BeNullOrEmpty
        Get-FullListing $directory | Should -Not -Be $before
    }
}

Describe '-WhatIf -BackupDirectory of <_>' -ForEach ($changingCommands -like 'Remove-*') {
    It 'writes nothing into the backup directory either' {
        $database = New-SampleBunkerDirectory
        $directory = Split-Path $database
        $backupDirectory = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $backupDirectory
        $before = Get-FullListing $directory

        & $_ -Path $database -BackupDirectory $backupDirectory -WhatIf -ErrorAction Stop

        Get-FullListing $directory | Should -Be $before
        @(Get-ChildItem -LiteralPath $backupDirectory -Force).Count | Should -Be 0
    }
}

Describe 'Bad items of <_>' -ForEach $allCommands {
    BeforeAll {
        $command = $_
        $database = New-SampleBunkerDirectory
        $directory = Split-Path $database
        $notSqlite = Join-Path $directory 'notes.db'
        Set-Content -LiteralPath $notSqlite -Value 'not a database'
        $subdirectory = Join-Path $directory 'old.db'
        $null = New-Item -ItemType Directory -Path $subdirectory
        $required = Get-RequiredArgument $command $directory
        $missing = Join-Path $directory 'missing.db'
        # Restore-BunkerDatabase restores onto a missing path (a new machine): for it, a missing file is no error.
        $badItems = @(
            if ($command -ne 'Restore-BunkerDatabase') { @{ Path = $missing; Id = 'BunkerDatabaseNotFound'; Category = 'ObjectNotFound' } }
            @{ Path = $notSqlite; Id = $(if ($command -eq 'Restore-BunkerDatabase') { 'RestoreTargetNotDatabase' } else { 'NotSqliteDatabase' })
                Category = $(if ($command -eq 'Restore-BunkerDatabase') { 'InvalidOperation' } else { 'InvalidData' }) }
            @{ Path = $subdirectory; Id = 'BunkerPathIsDirectory'; Category = 'InvalidArgument' }
            @{ Path = (Join-Path $directory 'nothing-matches-*.db'); Id = 'PathNotFound'; Category = 'ObjectNotFound' }
            @{ Path = 'Env:/PATH'; Id = 'PathNotFileSystem'; Category = 'InvalidArgument' }
        )
        # From inside the directory: were Env:/PATH taken for ./PATH, it would show up here (and not in the repository).
        Push-Location -LiteralPath $directory
        $results = @(& $command -Path (@($badItems.Path) + $database) @required -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
    }

    AfterAll {
        Pop-Location
    }

    It 'reports one non-terminating error per bad item, each with its id and category' {
        $failures.Count | Should -Be $badItems.Count
        for ($i = 0; $i -lt $badItems.Count; $i++) {
            $failures[$i].FullyQualifiedErrorId | Should -Be "$($badItems[$i].Id),$((Get-Command $command).ImplementingType.FullName)"
            $failures[$i].CategoryInfo.Category | Should -Be $badItems[$i].Category
            $failures[$i].Exception.Message | Should -Not -Match '\bat \w+\.\w+\(' -Because 'no stack trace'
            $failures[$i].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }
    }

    It 'still processes the good database after them' {
        $results | Should -Not -BeNullOrEmpty
        @($results.Path | Select-Object -Unique) | Should -Be @($database)
    }

    It 'writes nothing beside the bad items' {
        Test-Path -LiteralPath $missing | Should -BeFalse
        @(Get-ChildItem -LiteralPath $directory -Force -Filter 'PATH*') | Should -BeNullOrEmpty
        Get-Content -LiteralPath $notSqlite | Should -Be 'not a database'
        @(Get-ChildItem -LiteralPath $subdirectory -Force).Count | Should -Be 0
    }

    It '-ErrorAction Stop makes the first bad item <Id> catchable, before the good database is touched' -ForEach @(
        @{ Kind = 'wildcard'; Id = 'PathNotFound' }
        @{ Kind = 'provider'; Id = 'PathNotFileSystem' }
    ) {
        $item = if ($Kind -eq 'wildcard') { Join-Path $directory 'nothing-matches-*.db' } else { 'Env:/PATH' }
        $before = Get-DirectoryState $directory
        $caught = $null

        try {
            & $command -Path $item, $database @required -ErrorAction Stop
        }
        catch {
            $caught = $_
        }

        $caught.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        Get-DirectoryState $directory | Should -Be $before
    }

    It '-LiteralPath Env:/PATH is PathNotFileSystem too, not a file named PATH' {
        $null = & $command -LiteralPath 'Env:/PATH' @required -ErrorVariable literalFailures -ErrorAction SilentlyContinue

        $literalFailures.Count | Should -Be 1
        $literalFailures[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFileSystem,*'
        $literalFailures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}
