#Requires -Version 7.4
<#
    One table of argument cases, run through pwsh (a child `pwsh -NonInteractive`, as a scheduled job runs it) and
    through lamassuops (no terminal), with the same outcome: the same values bound (read back from the output), or
    the same error id. lamassuops hosts the real PowerShell engine, so this proves the translation of its command
    line, not a second binder.
#>

BeforeDiscovery {
    # Each case: the pwsh command (after `$db`, `$dir` and `$socketDir` are set), the same as lamassuops arguments,
    # and the output properties whose values must agree when both succeed.
    $cases = @(
        @{ Name = 'ValidateRange below the minimum'; Pwsh = 'Test-PeerAuth -SocketDirectory $socketDir -Port 0'; Cli = @('Test-PeerAuth', '--socket-directory', '{socketDir}', '--port', '0') }
        @{ Name = 'ValidateRange above the maximum'; Pwsh = 'Test-PeerAuth -SocketDirectory $socketDir -Port 65536'; Cli = @('Test-PeerAuth', '--socket-directory', '{socketDir}', '--port', '65536') }
        @{ Name = 'ValidateRange inside'; Pwsh = 'Test-PeerAuth -SocketDirectory $socketDir -Port 6543 -User lamassu'; Cli = @('Test-PeerAuth', '--socket-directory', '{socketDir}', '--port', '6543', '--user', 'lamassu'); Compare = 'Port', 'User', 'Succeeded', 'Diagnosis' }
        @{ Name = 'ValidateSet outside the set'; Pwsh = 'Get-BunkerSigningCondition -LiteralPath $db -Classification Bogus'; Cli = @('Get-BunkerSigningCondition', '--literal-path', '{db}', '--classification', 'Bogus') }
        @{ Name = 'ValidateSet in another case'; Pwsh = 'Get-BunkerSigningCondition -LiteralPath $db -Classification manualoverride'; Cli = @('Get-BunkerSigningCondition', '--literal-path', '{db}', '--classification', 'manualoverride'); Compare = 'Id', 'Classification' }
        @{ Name = 'a wildcard that matches nothing'; Pwsh = 'Get-BunkerPairing -Path (Join-Path $dir "none*.db")'; Cli = @('Get-BunkerPairing', '{dir}/none*.db') }
        @{ Name = 'a missing mandatory parameter'; Pwsh = 'Restore-BunkerDatabase -LiteralPath $db'; Cli = @('Restore-BunkerDatabase', '--literal-path', '{db}') }
        @{ Name = '-Force with -Confirm still asks'; Pwsh = 'Remove-BunkerRequest -LiteralPath $db -Force -Confirm -NoBackup'; Cli = @('Remove-BunkerRequest', '--literal-path', '{db}', '--force', '--confirm', '--no-backup') }
        @{ Name = 'a TimeSpan PowerShell cannot read'; Pwsh = 'Remove-BunkerRequest -LiteralPath $db -OlderThan 1h -Force -NoBackup'; Cli = @('Remove-BunkerRequest', '--literal-path', '{db}', '--older-than', '1h', '--force', '--no-backup') }
        @{ Name = 'a TimeSpan of days'; Pwsh = 'Remove-BunkerRequest -LiteralPath $db -OlderThan 36500.00:00:00 -Force -NoBackup'; Cli = @('Remove-BunkerRequest', '--literal-path', '{db}', '--older-than', '36500.00:00:00', '--force', '--no-backup'); Compare = 'RequestsBefore', 'Removed' }
        @{ Name = 'a TimeSpan of seconds'; Pwsh = 'Remove-BunkerRequest -LiteralPath $db -OlderThan 1.00:00:00 -Force -NoBackup'; Cli = @('Remove-BunkerRequest', '--literal-path', '{db}', '--older-than', '1.00:00:00', '--force', '--no-backup'); Compare = 'RequestsBefore', 'Removed' }
        @{ Name = 'a :$false switch is off'; Pwsh = 'Get-BunkerPairing -LiteralPath $db -IncludeSecret:$false -IncludeDangling:$false'; Cli = @('Get-BunkerPairing', '--literal-path', '{db}', '--include-secret:false', '--include-dangling:false'); Compare = 'KeyUserId', 'Token', 'State' }
        @{ Name = 'a switch is on'; Pwsh = 'Get-BunkerPairing -LiteralPath $db -IncludeSecret -IncludeDangling'; Cli = @('Get-BunkerPairing', '--literal-path', '{db}', '--include-secret', '--include-dangling'); Compare = 'KeyUserId', 'Token', 'State' }
        @{ Name = 'a repair against an LNbits database that is not there'; Pwsh = 'Repair-BunkerPairing -BunkerDatabase $db -LnbitsDatabase (Join-Path $dir "none.sqlite3") -WhatIf'; Cli = @('Repair-BunkerPairing', '--bunker-database', '{db}', '--lnbits-database', '{dir}/none.sqlite3', '--what-if') }
        @{ Name = 'a comparison without its mandatory -After'; Pwsh = 'Compare-BunkerPairing -Before $db'; Cli = @('Compare-BunkerPairing', '--before', '{db}') }
        @{ Name = 'a peer-auth mode outside the set'; Pwsh = 'Enable-LamassuPeerAuth -PackagePath $dir -WrapperPath $db -ServiceUser lamassu -Mode PasswordTcp -WhatIf'; Cli = @('Enable-LamassuPeerAuth', '--package-path', '{dir}', '--wrapper-path', '{db}', '--service-user', 'lamassu', '--mode', 'PasswordTcp', '--what-if') }
        @{ Name = 'no password removal without a probe'; Pwsh = 'Disable-LamassuPasswordLogin lamassu -SocketDirectory $socketDir -Force'; Cli = @('Disable-LamassuPasswordLogin', 'lamassu', '--socket-directory', '{socketDir}', '--force') }
        @{ Name = 'a Nix module change without its role'; Pwsh = 'New-LamassuNixModuleChange $dir'; Cli = @('New-LamassuNixModuleChange', '{dir}') }
        @{ Name = 'an unknown parameter'; Pwsh = 'Get-BunkerPairing -LiteralPath $db -NoSuchThing'; Cli = @('Get-BunkerPairing', '--literal-path', '{db}', '--no-such-thing') }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # A fresh directory with a fresh sample database for each side of each case: a case changes only its own.
    function New-CaseDirectory {
        $db = New-SampleBunkerDirectory
        @{ db = $db; dir = (Split-Path $db); socketDir = (Join-Path (Split-Path $db) 'no-server') }
    }

    function Get-Outcome {
        param($Objects, [string] $ErrorId, [string[]] $Compare)
        if ($ErrorId) { return "error $ErrorId" }
        if (-not $Compare) { return "ok $(@($Objects).Count) objects" }
        $values = foreach ($object in $Objects) {
            ($Compare | ForEach-Object { "$($_)=$("$($object[$_] ?? $object.$_)".ToLowerInvariant())" }) -join ' '
        }
        "ok $($values -join '; ')"
    }

    $pwshPath = if ($env:LAMASSUOPS_PWSH) { $env:LAMASSUOPS_PWSH } else { (Get-Command pwsh).Source }
}

Describe 'pwsh and lamassuops bind alike' -ForEach @(@{ AllCases = $cases }) {
    BeforeAll {
        # Every case's pwsh side in one child pwsh -NonInteractive (a process start per case costs seconds).
        $pwshCases = foreach ($case in $AllCases) {
            $paths = New-CaseDirectory
            "`$db = '$($paths.db)'; `$dir = '$($paths.dir)'; `$socketDir = '$($paths.socketDir)'
            `$outcomes['$($case.Name.Replace("'", "''"))'] = try { @{ Objects = @($($case.Pwsh)); ErrorId = `$null } } catch { @{ Objects = @(); ErrorId = `$_.FullyQualifiedErrorId.Split(',')[0] } }"
        }
        $script = "`$ErrorActionPreference = 'Stop'; `$WarningPreference = 'SilentlyContinue'; `$ProgressPreference = 'SilentlyContinue'
            Import-Module '$($manifestPath.Replace("'", "''"))'
            `$outcomes = @{}
            $($pwshCases -join "`n")
            `$outcomes | ConvertTo-Json -Depth 4 -Compress -EnumsAsStrings"
        $fromPwsh = & $pwshPath -NoProfile -NonInteractive -Command $script | ConvertFrom-Json -AsHashtable
    }

    It '<Name>' -ForEach $cases {
        $paths = New-CaseDirectory
        $arguments = $Cli | ForEach-Object { $_.Replace('{db}', $paths.db).Replace('{dir}', $paths.dir).Replace('{socketDir}', $paths.socketDir) }
        $fromCli = Invoke-Lamassuops $arguments

        $pwshOutcome = Get-Outcome $fromPwsh[$Name].Objects $fromPwsh[$Name].ErrorId $Compare
        $cliOutcome = Get-Outcome $fromCli.Objects $fromCli.ErrorId $Compare

        $cliOutcome | Should -Be $pwshOutcome
        if ($Compare) { $pwshOutcome | Should -Match '=' -Because 'a case that compares values must produce some' }
        if ($fromCli.ErrorId) { $fromCli.ExitCode | Should -BeIn 1, 2 } else { $fromCli.ExitCode | Should -Be 0 }
    }
}
