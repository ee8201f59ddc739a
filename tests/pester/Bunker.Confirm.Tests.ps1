#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    -Confirm, -Force, $ConfirmPreference and NonInteractive together, as a service or a cron job meets them: every case
    runs in a child `pwsh -NonInteractive`, where a confirmation prompt fails with an error instead of waiting. So
    "prompts" below means: the command tried to ask, failed with ConfirmationNotPossible (PowerShell's NonInteractive
    reason in its message), and the database is byte-for-byte as it was.
    Needs sqlite3 on PATH.
#>

BeforeDiscovery {
    # ConfirmImpact High: PowerShell asks by default.
    $highImpactCases = @(
        @{ Setup = ''; Flags = ''; Expect = 'prompts' }
        @{ Setup = ''; Flags = '-Confirm'; Expect = 'prompts' }
        @{ Setup = ''; Flags = '-Force'; Expect = 'acts' }
        @{ Setup = ''; Flags = '-Force:$false'; Expect = 'prompts' }
        @{ Setup = ''; Flags = '-Force -Confirm'; Expect = 'prompts' }
        @{ Setup = ''; Flags = '-Force -Confirm:$false'; Expect = 'acts' }
        @{ Setup = ''; Flags = '-Confirm:$false'; Expect = 'acts' }
        @{ Setup = '$ConfirmPreference = ''None'''; Flags = ''; Expect = 'acts' }
        @{ Setup = '$ConfirmPreference = ''None'''; Flags = '-Confirm'; Expect = 'prompts' }
        @{ Setup = '$ConfirmPreference = ''None'''; Flags = '-Force -Confirm'; Expect = 'prompts' }
        @{ Setup = ''; Flags = '-Force -WhatIf'; Expect = 'does nothing' }
    )
    $highImpactCommands = @('Remove-StaleSigningCondition', 'Remove-BunkerSigningLog', 'Remove-BunkerRequest', 'Restore-BunkerDatabase')
    # Backup-BunkerDatabase is ConfirmImpact Medium: it asks only when asked to, or when $ConfirmPreference is Medium or Low.
    $backupCases = @(
        @{ Setup = ''; Flags = ''; Expect = 'acts' }
        @{ Setup = ''; Flags = '-Confirm'; Expect = 'prompts' }
        @{ Setup = ''; Flags = '-Confirm:$false'; Expect = 'acts' }
        @{ Setup = '$ConfirmPreference = ''Low'''; Flags = ''; Expect = 'prompts' }
        @{ Setup = '$ConfirmPreference = ''Medium'''; Flags = ''; Expect = 'prompts' }
        @{ Setup = '$ConfirmPreference = ''Low'''; Flags = '-Confirm:$false'; Expect = 'acts' }
        @{ Setup = '$ConfirmPreference = ''None'''; Flags = '-Confirm'; Expect = 'prompts' }
    )
    $commandCases = @($highImpactCommands | ForEach-Object { @{ Command = $_; Cases = $highImpactCases } }) +
        @{ Command = 'Backup-BunkerDatabase'; Cases = $backupCases }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')

    # Runs every case of one command in one child `pwsh -NonInteractive`, each on its own sample database, and returns
    # per case: Outcome (done, prompted or the error id) and whether its directory changed.
    function Invoke-NonInteractiveCase {
        param([string] $Command, [hashtable[]] $Cases)
        $runs = foreach ($case in $Cases) {
            $database = New-SampleBunkerDirectory
            $extra = if ($Command -eq 'Restore-BunkerDatabase') { " -BackupPath '$(New-RestoreSource)'" } else { '' }
            [pscustomobject]@{
                Case      = $case
                Directory = Split-Path $database
                Before    = Get-DirectoryState (Split-Path $database)
                Script    = "$($case.Setup); $Command -LiteralPath '$database'$extra $($case.Flags) -ErrorAction Stop"
            }
        }
        $child = Join-Path $TestDrive "confirm-$([guid]::NewGuid().ToString('N')).ps1"
        @(
            "Import-Module '$manifestPath' -ErrorAction Stop"
            'function Get-Outcome([scriptblock] $Run) {'
            '    $outcome = try { $null = & $Run; ''done'' }'
            '    catch { if ($_.FullyQualifiedErrorId -like ''ConfirmationNotPossible,*'' -and $_.Exception.Message -match ''NonInteractive'') { ''prompted'' } else { $_.FullyQualifiedErrorId } }'
            '    "outcome: $outcome"'
            '}'
            $runs | ForEach-Object { "Get-Outcome { $($_.Script) }" }
        ) | Set-Content -LiteralPath $child
        $output = @(& $pwsh -NoProfile -NonInteractive -File $child 2>&1 | ForEach-Object { "$_" })
        # "What if:" lines go to the same stdout.
        $outcomes = @($output | Where-Object { $_ -like 'outcome: *' } | ForEach-Object { $_.Substring('outcome: '.Length) })
        if ($LASTEXITCODE -ne 0 -or $outcomes.Count -ne $runs.Count) { throw "The child pwsh failed: $output" }
        for ($i = 0; $i -lt $runs.Count; $i++) {
            $runs[$i] | Add-Member Outcome $outcomes[$i]
            $runs[$i] | Add-Member Changed ("$(Get-DirectoryState $runs[$i].Directory)" -ne "$($runs[$i].Before)")
        }
        $runs
    }

    function New-RestoreSource {
        $directory = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $directory
        $backup = Join-Path $directory 'nsecbunker.db.bak'
        New-SampleBunkerDatabase -Path $backup
        sqlite3 $backup 'DELETE FROM Request;'
        $backup
    }
}

Describe '<Command> in pwsh -NonInteractive' -ForEach $commandCases {
    BeforeAll {
        $runs = Invoke-NonInteractiveCase $Command $Cases
    }

    It '<Setup> <Command> <Flags> <Expect>' -ForEach $Cases {
        $run = $runs | Where-Object { $_.Case.Setup -eq $Setup -and $_.Case.Flags -eq $Flags }

        switch ($Expect) {
            'prompts' {
                $run.Outcome | Should -Be 'prompted' -Because "$($run.Script) must ask (and so fail without a terminal)"
                $run.Changed | Should -BeFalse
            }
            'acts' {
                $run.Outcome | Should -Be 'done' -Because "$($run.Script) must not ask"
                $run.Changed | Should -BeTrue
            }
            'does nothing' {
                $run.Outcome | Should -Be 'done'
                $run.Changed | Should -BeFalse
            }
        }
    }
}

Describe 'A host without a user interface' {
    It 'a needed confirmation is ConfirmationNotPossible for each database, and none is changed' {
        $databases = @(New-SampleBunkerDirectory; New-SampleBunkerDirectory)
        $before = $databases | ForEach-Object { Get-DirectoryState (Split-Path $_) }
        $instance = [powershell]::Create()
        $null = $instance.AddScript("Import-Module '$manifestPath' -ErrorAction Stop; Remove-BunkerRequest -LiteralPath '$($databases -join "', '")'")

        $null = $instance.Invoke()
        $failures = @($instance.Streams.Error)
        $instance.Dispose()

        $failures.Count | Should -Be 2
        $failures | ForEach-Object {
            $_.FullyQualifiedErrorId | Should -BeLike 'ConfirmationNotPossible,*'
            $_.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $_.ErrorDetails.RecommendedAction | Should -Match '-Force'
        }
        @($failures.TargetObject) | Should -Be $databases
        $databases | ForEach-Object { Get-DirectoryState (Split-Path $_) } | Should -Be $before
    }
}

Describe '-WhatIf writes nothing at all' {
    It 'Remove-StaleSigningCondition -WhatIf creates no working file: the directory itself is untouched (<_>)' -ForEach '-WhatIf', '$WhatIfPreference' {
        $database = New-SampleBunkerDirectory
        $directory = Split-Path $database
        $before = (Get-Item -LiteralPath $directory).LastWriteTimeUtc.Ticks, (Get-DirectoryState $directory)

        if ($_ -eq '-WhatIf') { $null = Remove-StaleSigningCondition -LiteralPath $database -WhatIf }
        else { $WhatIfPreference = $true; $null = Remove-StaleSigningCondition -LiteralPath $database; $WhatIfPreference = $false }

        (Get-Item -LiteralPath $directory).LastWriteTimeUtc.Ticks, (Get-DirectoryState $directory) | Should -Be $before
    }
}
