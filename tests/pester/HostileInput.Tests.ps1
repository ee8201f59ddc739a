#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The pwsh twin of the bad-input table test (tests/LamassuOps.Tests/Cli/HostileInputTableTests.cs, the full
    command surface through lamassuops): a representative subset through the module in pwsh. Each hostile input
    fails with its error id, no file changes, and nothing is left behind; a restore never loses pairings unless
    -AcceptPairingLoss names that risk; passwords are masked completely. Needs sqlite3 and mkfifo.
#>

BeforeDiscovery {
    $pathCases = @(
        foreach ($command in 'Get-BunkerPairing', 'Test-BunkerDatabase', 'Remove-StaleSigningCondition', 'Restore-BunkerDatabase') {
            @{ Command = $command; Kind = 'fifo'; ErrorId = 'PathNotRegularFile' }
            @{ Command = $command; Kind = 'loop'; ErrorId = 'PathNotRegularFile' }
            @{ Command = $command; Kind = 'directory'; ErrorId = 'BunkerPathIsDirectory' }
            @{ Command = $command; Kind = 'hot'; ErrorId = 'BunkerDatabaseNeedsRecovery' }
        }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # A directory holding a sample database, a verified backup of it, and each kind of hostile path.
    function New-HostileDirectory {
        $database = New-SampleBunkerDirectory
        $directory = Split-Path $database
        $backupDirectory = "$directory-backup"
        $null = New-Item -ItemType Directory -Path $backupDirectory
        $backup = (Backup-BunkerDatabase -Path $database -Destination (Join-Path $backupDirectory 'nsecbunker.bak') -Confirm:$false).BackupPath
        $odd = "$directory-odd"
        $null = New-Item -ItemType Directory -Path $odd, (Join-Path $odd 'directory')
        mkfifo (Join-Path $odd 'fifo')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $odd 'loop') -Target (Join-Path $odd 'loop2')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $odd 'loop2') -Target (Join-Path $odd 'loop')
        # An interrupted write: the database copied with its -journal while a transaction is open.
        $hot = Join-Path $odd 'hot'
        $script = "PRAGMA cache_size = 1; BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) " +
            "INSERT INTO Request (id, createdAt, requestId, remotePubkey, method) SELECT hex(randomblob(16)), 0, 'r', 'p', 'ping' FROM n;`n" +
            ".shell cp '$database' '$hot'`n.shell cp '$database-journal' '$hot-journal'`nROLLBACK;"
        $script | sqlite3 $database
        [pscustomobject]@{ Database = $database; Backup = $backup; Odd = $odd; Directory = $directory; BackupDirectory = $backupDirectory }
    }

    function Get-State {
        param($Place)
        # The odd directory's names only: hashing its FIFO would block.
        @($Place.Directory, $Place.BackupDirectory) | ForEach-Object { Get-DirectoryState $_; (Get-ChildItem -Force -LiteralPath $_).Name }
        (Get-ChildItem -Force -LiteralPath $Place.Odd).Name
        Get-FileHash -LiteralPath (Join-Path $Place.Odd 'hot'), (Join-Path $Place.Odd 'hot-journal') | ForEach-Object Hash
    }

    function Get-Arguments {
        param([string] $Command, $Place)
        switch ($Command) {
            'Restore-BunkerDatabase' { @{ BackupPath = $Place.Backup; Force = $true } }
            'Remove-StaleSigningCondition' { @{ Force = $true } }
            default { @{} }
        }
    }
}

Describe 'A hostile -Path' {
    It '<Command> on a <Kind> fails with <ErrorId> and changes nothing' -ForEach $pathCases {
        $place = New-HostileDirectory
        $before = Get-State $place
        $arguments = Get-Arguments $Command $place

        $output = & $Command -LiteralPath (Join-Path $place.Odd $Kind) @arguments -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $output | Should -BeNullOrEmpty
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        Get-State $place | Should -Be $before
    }
}

Describe 'Restore-BunkerDatabase and the pairings' {
    It 'refuses a backup without the live pairings even with -Force, and restores it with -AcceptPairingLoss' {
        $place = New-HostileDirectory
        sqlite3 $place.Backup 'DELETE FROM SigningCondition; DELETE FROM Token; DELETE FROM KeyUser;'
        $before = Get-State $place

        { Restore-BunkerDatabase -Path $place.Database -BackupPath $place.Backup -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'RestoreWouldLosePairings,*'
        Get-State $place | Should -Be $before
        $restore = Restore-BunkerDatabase -Path $place.Database -BackupPath $place.Backup -Force -AcceptPairingLoss

        $restore.PairingsRemoved | Should -Not -BeNullOrEmpty
        sqlite3 $place.Database 'SELECT count(*) FROM KeyUser;' | Should -Be '0'
    }

    It 'refuses the database itself under another name (a hard link) at once, leaving no safety copy' {
        $place = New-HostileDirectory
        $alias = Join-Path $place.Odd 'alias.db'
        ln $place.Database $alias
        $before = Get-State $place

        { Restore-BunkerDatabase -Path $place.Database -BackupPath $alias -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupIsTheDatabase,*'
        Get-State $place | Should -Be $before
    }
}

Describe 'Dangling links and missing columns' {
    It 'Restore-BunkerDatabase refuses a target that is a dangling symbolic link, creating nothing where it points' {
        $place = New-HostileDirectory
        $dangling = Join-Path $place.Odd 'dangling.db'
        $null = New-Item -ItemType SymbolicLink -Path $dangling -Target (Join-Path $place.Odd 'nowhere.db')
        $before = Get-State $place

        { Restore-BunkerDatabase -LiteralPath $dangling -BackupPath $place.Backup -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'PathNotRegularFile,*'
        Get-State $place | Should -Be $before
        Test-Path -LiteralPath (Join-Path $place.Odd 'nowhere.db') | Should -BeFalse
    }

    It '<_> refuses a database missing a column before it reads or warns anything' -ForEach 'Get-BunkerPairing', 'Get-BunkerSigningCondition' {
        $place = New-HostileDirectory
        sqlite3 $place.Database 'ALTER TABLE Token DROP COLUMN keyName;'
        $before = Get-State $place

        $output = & $_ -LiteralPath $place.Database -ErrorVariable failures -ErrorAction SilentlyContinue -WarningVariable warnings

        $output | Should -BeNullOrEmpty
        $warnings | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'BunkerSchemaUnreadable,*'
        $failures[0].Exception.Message | Should -Match 'Token\.keyName'
        Get-State $place | Should -Be $before
    }
}

Describe 'Other commands' {
    It 'New-LamassuEnvWrapper refuses a directory as -Path' {
        $place = New-HostileDirectory
        $package = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path (Join-Path $package 'lib')
        Set-Content -LiteralPath (Join-Path $package 'package.json') -Value '{ "name": "lamassu-server", "version": "10.1.0" }'

        { New-LamassuEnvWrapper -Path "$($place.Odd)/directory/" -PackagePath $package -DatabaseUser lamassu -Hostname h -NodeDirectory /usr/bin -ErrorAction Stop } |
            Should -Throw -ErrorId 'WrapperPathIsDirectory,*'
        Get-ChildItem -LiteralPath (Join-Path $place.Odd 'directory') -Force | Should -BeNullOrEmpty
    }

    It 'ConvertFrom-PostgresUrl masks a password completely' {
        $info = ConvertFrom-PostgresUrl -Url 'postgresql://lamassu:hunter2-very-secret@localhost/lamassu'

        $info.Password | Should -Be '****'
        "$($info.Url) $($info.NpgsqlConnectionString)" | Should -Not -Match 'hunt'
    }

    It 'ConvertFrom-PostgresUrl refuses an unencoded @ in the userinfo' {
        { ConvertFrom-PostgresUrl -Url 'postgresql://lamassu@x:hunter2@localhost/lamassu' -ErrorAction Stop } |
            Should -Throw -ErrorId 'PostgresUrlAmbiguousUserinfo,*'
    }
}
