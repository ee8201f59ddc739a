#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The fleet cmdlets in pwsh over several generated instances on this host (the sample bunker with its LNbits, a
    maintained one, a missing database, a corrupt file): the inventory (JSON and .psd1, bad entries, session state),
    instances piped into the other cmdlets, the Instance every output carries (Group-Object, Sort-Object, Export-Csv,
    Export-Clixml), the completers through TabExpansion2, the health view, and lamassuops --inventory with its exit code.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $fleet = Join-Path $TestDrive 'fleet'
    foreach ($name in 'sample', 'kept', 'corrupt') { $null = New-Item -ItemType Directory -Path (Join-Path $fleet $name) }
    New-SampleBunkerDatabase -Path (Join-Path $fleet 'sample' 'nsecbunker.db')
    New-SampleLnbitsDatabase -Path (Join-Path $fleet 'sample' 'lnbits.sqlite3')
    Set-Content -LiteralPath (Join-Path $fleet 'corrupt' 'nsecbunker.db') -Value 'not a database'
    # "kept": the sample after the maintenance the timer runs (backup, strip, prunes): nothing left to do.
    $kept = Join-Path $fleet 'kept' 'nsecbunker.db'
    New-SampleBunkerDatabase -Path $kept
    $null = Remove-StaleSigningCondition -LiteralPath $kept -NoBackup -Force -ErrorAction Stop
    $null = Remove-BunkerRequest -LiteralPath $kept -NoBackup -Force -ErrorAction Stop
    sqlite3 $kept 'DELETE FROM SigningLog;'
    $null = Backup-BunkerDatabase -LiteralPath $kept -ErrorAction Stop

    $inventory = Join-Path $fleet 'fleet.json'
    Set-Content -LiteralPath $inventory -Value @'
{ "instances": [
  { "name": "sample", "bunkerDatabase": "sample/nsecbunker.db", "lnbitsDatabase": "sample/lnbits.sqlite3", "tags": ["eu"] },
  { "name": "kept", "bunkerDatabase": "kept/nsecbunker.db", "tags": ["eu", "atm"] },
  { "name": "missing", "bunkerDatabase": "missing/nsecbunker.db", "tags": ["us"] },
  { "name": "corrupt", "bunkerDatabase": "corrupt/nsecbunker.db", "tags": ["us"] }
] }
'@
    function Get-FleetState { Get-ChildItem -LiteralPath $fleet -Directory | ForEach-Object { Get-DirectoryState $_.FullName } }
}

AfterAll {
    Remove-Module LamassuOps -Force -ErrorAction Ignore
}

Describe 'The inventory' {
    It 'imports a JSON inventory into the session and lists it by name and tag' {
        $imported = @(Import-LamassuOpsInventory -Path $inventory -PassThru)

        $imported.Name | Should -Be 'sample', 'kept', 'missing', 'corrupt'
        (Get-LamassuOpsInstance).Name | Should -Be 'sample', 'kept', 'missing', 'corrupt'
        (Get-LamassuOpsInstance -Name 'c*', 'kept').Name | Should -Be 'kept', 'corrupt'
        (Get-LamassuOpsInstance -Tag atm).Name | Should -Be 'kept'
        (Get-LamassuOpsInstance sample).BunkerDatabase | Should -Be (Join-Path $fleet 'sample' 'nsecbunker.db')
    }

    It 'reads a .psd1 inventory as constants, with the same checks' {
        $psd1 = Join-Path $TestDrive 'fleet.psd1'
        Set-Content -LiteralPath $psd1 -Value @"
@{
    Instances = @(
        @{ Name = 'sample'; BunkerDatabase = '$(Join-Path $fleet 'sample' 'nsecbunker.db')'; Tags = 'eu', 'atm'; Port = 2222 }
        @{ Name = 'remote'; Host = 'node1.example'; User = 'operator' }
    )
}
"@
        $instances = @(Get-LamassuOpsInstance -Inventory $psd1)

        $instances.Name | Should -Be 'sample', 'remote'
        $instances[0].Tags | Should -Be 'eu', 'atm'
        $instances[0].Port | Should -Be 2222
        $instances[1].IsLocal | Should -BeFalse

        Set-Content -LiteralPath $psd1 -Value "@{`n  Instances = @(`n    @{ Name = 'x'; BunkerDatabase = `$(Get-Date) }`n  )`n}"
        { Get-LamassuOpsInstance -Inventory $psd1 -ErrorAction Stop } | Should -Throw -ErrorId 'InventoryUnreadable,LamassuOps.Commands.GetLamassuOpsInstanceCommand'
    }

    It 'refuses a bad entry with its line and key, and keeps the inventory imported before' {
        $bad = Join-Path $TestDrive 'bad.json'
        Set-Content -LiteralPath $bad -Value "{ `"instances`": [`n  { `"name`": `"a`" },`n  { `"name`": `"b`", `"port`": 0 }`n] }"
        $before = Get-FileHash -LiteralPath $bad

        $caught = { Import-LamassuOpsInventory -Path $bad -ErrorAction Stop } | Should -Throw -PassThru

        $caught.FullyQualifiedErrorId | Should -Be 'InventoryEntryInvalid,LamassuOps.Commands.ImportLamassuOpsInventoryCommand'
        $caught.Exception.Message | Should -BeLike "*bad.json line 3: the instance 'b' has the port 0*nothing was imported."
        $caught.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        $caught.ScriptStackTrace | Should -Not -Match 'LamassuOps.Core'
        (Get-FileHash -LiteralPath $bad).Hash | Should -Be $before.Hash
        (Get-LamassuOpsInstance).Name | Should -Be 'sample', 'kept', 'missing', 'corrupt'
    }

    It 'changes nothing with -WhatIf' {
        $other = Join-Path $TestDrive 'other.json'
        Set-Content -LiteralPath $other -Value '{ "instances": [ { "name": "other" } ] }'

        Import-LamassuOpsInventory -Path $other -WhatIf

        (Get-LamassuOpsInstance).Name | Should -Contain 'sample'
        { Get-LamassuOpsInstance -Name nope -ErrorAction Stop } | Should -Throw -ErrorId 'InstanceNotFound,LamassuOps.Commands.GetLamassuOpsInstanceCommand'
    }
}

Describe 'Instances in pipelines' {
    BeforeAll { Import-LamassuOpsInventory -Path $inventory }

    It 'bind by property name to the other cmdlets, and every output carries its Instance' {
        $state = Get-FleetState

        $tests = @(Get-LamassuOpsInstance -Name sample, kept | Test-BunkerDatabase)
        $pairings = @(Get-LamassuOpsInstance -Tag eu | Get-BunkerPairing)
        $verdicts = @(Get-LamassuOpsInstance sample | Test-BunkerPairing -Summary)
        $errors = @(Get-LamassuOpsInstance -Tag us | Test-BunkerDatabase -ErrorAction SilentlyContinue -ErrorVariable failed)

        $tests.Instance | Should -Be 'sample', 'kept'
        $tests.Path | Should -Be (Join-Path $fleet 'sample' 'nsecbunker.db'), $kept
        ($pairings | Group-Object Instance | Sort-Object Name).Name | Should -Be 'kept', 'sample'
        ($pairings | Sort-Object Instance, KeyUserId | Select-Object -First 1).Instance | Should -Be 'kept'
        $verdicts.Instance | Should -Be 'sample'
        $verdicts.Accounts | Should -Be 9
        $errors.Count | Should -Be 0
        $failed.Count | Should -Be 2
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'BunkerDatabaseNotFound,*'
        Get-FleetState | Should -Be $state
    }

    It 'run an instance on another host there, never here: unreachable, it is its error, its path here untouched, the local ones as before' {
        $state = Get-FleetState
        $samplePath = Join-Path $fleet 'sample' 'nsecbunker.db'
        # A path that exists here too: reading it would silently give this machine's rows as the remote instance's.
        # Its host, with the port as PowerShell's -HostName takes it, is one nothing listens on.
        $closed = Get-FreeTcpPort
        $far = [pscustomobject]@{ Name = 'far'; Instance = 'far'; Host = "127.0.0.1:$closed"; BunkerDatabase = $samplePath }

        $sample = Get-LamassuOpsInstance sample

        $pairings = @($sample, $far | Get-BunkerPairing -ErrorVariable failed -ErrorAction SilentlyContinue)
        $stripped = @($far | Remove-StaleSigningCondition -Force -ErrorVariable stripFailed -ErrorAction SilentlyContinue)

        $pairings.Count | Should -Be @(Get-BunkerPairing -LiteralPath $samplePath).Count
        $pairings.Instance | Select-Object -Unique | Should -Be 'sample'
        foreach ($refused in @($failed) + @($stripFailed)) {
            $refused.FullyQualifiedErrorId | Should -BeLike 'InstanceUnreachable,*'
            $refused.TargetObject | Should -Be 'far'
            $refused.Exception.Message | Should -BeLike "far: No PowerShell remoting session to 127.0.0.1:$($closed): ssh could not log in: *"
            $refused.ErrorDetails.RecommendedAction | Should -Match 'Test-LamassuOpsInstance'
        }
        @($failed).Count + @($stripFailed).Count | Should -Be 2
        $stripped.Count | Should -Be 0
        Get-FleetState | Should -Be $state
    }

    It 'run the result of an earlier stage there, never here, when the imported inventory places its Instance on another host' {
        $withFar = Join-Path $fleet 'with-far.json' # beside fleet.json: its paths are relative to it
        $closed = Get-FreeTcpPort
        $entries = (Get-Content -Raw -LiteralPath $inventory | ConvertFrom-Json).instances + [pscustomobject]@{ name = 'far'; host = '127.0.0.1'; port = $closed }
        @{ instances = @($entries) } | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $withFar
        $state = Get-FleetState
        Import-LamassuOpsInventory -Path $withFar
        try {
            $stamped = [pscustomobject]@{ Instance = 'far'; BunkerDatabase = (Join-Path $fleet 'sample' 'nsecbunker.db') }

            $pairings = @($stamped | Get-BunkerPairing -ErrorVariable failed -ErrorAction SilentlyContinue)
            $sample = @(Get-LamassuOpsInstance sample | Get-BunkerPairing)
        }
        finally { Import-LamassuOpsInventory -Path $inventory }

        $pairings.Count | Should -Be 0
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'InstanceUnreachable,*'
        $failed[0].Exception.Message | Should -BeLike "far: No PowerShell remoting session to 127.0.0.1:$($closed):*"
        $sample.Count | Should -BeGreaterThan 0
        Get-FleetState | Should -Be $state
    }

    It 'keeps the Instance through the next cmdlet, Export-Csv and Export-Clixml' {
        $conditions = @(Get-LamassuOpsInstance sample | Get-BunkerPairing -IncludeDangling | Get-BunkerSigningCondition)
        $csv = Join-Path $TestDrive 'pairings.csv'
        $clixml = Join-Path $TestDrive 'pairings.xml'

        Get-LamassuOpsInstance -Tag eu | Get-BunkerPairing | Export-Csv -LiteralPath $csv
        Get-LamassuOpsInstance -Tag eu | Get-BunkerPairing | Export-Clixml -LiteralPath $clixml

        $conditions.Count | Should -BeGreaterThan 0
        $conditions.Instance | Select-Object -Unique | Should -Be 'sample'
        (Import-Csv -LiteralPath $csv | Group-Object Instance | Sort-Object Name).Name | Should -Be 'kept', 'sample'
        $restored = Import-Clixml -LiteralPath $clixml
        ($restored | Select-Object -ExpandProperty Instance -Unique | Sort-Object) | Should -Be 'kept', 'sample'
        ($restored | Where-Object Instance -eq sample).Count | Should -Be @(Get-BunkerPairing -LiteralPath (Join-Path $fleet 'sample' 'nsecbunker.db')).Count
    }

    It 'carries no Instance when run without one' {
        $plain = @(Get-BunkerPairing -LiteralPath $kept)

        $plain[0].PSObject.Properties['Instance'] | Should -BeNullOrEmpty
    }
}

Describe 'Completers' {
    BeforeAll { Import-LamassuOpsInventory -Path $inventory }

    It 'offers instance names for -Name and -Instance' {
        $line = 'Get-LamassuOpsInstance -Name s'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be 'sample'
        $line = "Get-BunkerPairing -LiteralPath '$kept' -Instance "
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be 'sample', 'kept', 'missing', 'corrupt'
        $line = "Get-LamassuOpsHealth -Inventory '$inventory' -Name c"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be 'corrupt'
    }

    It 'offers the key names of the database on the command line for -KeyName' {
        $expected = @(sqlite3 $kept 'SELECT keyName FROM Key UNION SELECT keyName FROM KeyUser ORDER BY 1;')
        Push-Location (Split-Path $kept)
        try {
            $line = 'Get-BunkerPairing -Path ./nsecbunker.db -KeyName '
            $offered = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        }
        finally { Pop-Location }

        $expected.Count | Should -BeGreaterThan 0
        $offered | Should -Be $expected
        $line = "Get-BunkerSigningCondition -LiteralPath '$kept' -KeyName $($expected[0].Substring(0, 2))"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain $expected[0]
        $line = "Get-BunkerPairing -LiteralPath '$TestDrive/none.db' -KeyName "
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | Where-Object ResultType -eq ParameterValue).Count | Should -Be 0
    }
}

Describe 'Get-LamassuOpsHealth' {
    It 'gives one row per instance with its findings, the broken ones too, and changes nothing' {
        $state = Get-FleetState

        $rows = @(Get-LamassuOpsHealth -Inventory $inventory)

        # Checked in parallel: in any order.
        $rows.Instance | Sort-Object | Should -Be 'corrupt', 'kept', 'missing', 'sample'
        $byName = @{}; foreach ($row in $rows) { $byName[$row.Instance] = $row }
        $byName.kept.Status | Should -Be 'Healthy'
        $byName.kept.NeedsAttention | Should -BeFalse
        $byName.sample.Status | Should -Be 'Critical'
        $byName.sample.Findings.Check | Should -Contain 'StaleCopies'
        ($byName.sample.Findings | Where-Object Check -eq 'Pairings').Fix | Should -BeLike 'Test-BunkerPairing -BunkerDatabase *'
        ($byName.missing.Findings | Select-Object -First 1).Message | Should -BeLike '*(BunkerDatabaseNotFound)'
        ($byName.corrupt.Findings | Select-Object -First 1).Message | Should -BeLike '*(NotSqliteDatabase)'
        Get-FleetState | Should -Be $state
    }

    It 'reports the move to peer authentication of an instance with a lamassu package, wrapper and service user' {
        . (Join-Path $PSScriptRoot 'Lamassu.Support.ps1')
        $package = New-LamassuPackageTree -Path (Join-Path $TestDrive 'unready-lamassu')
        $wrapper = Join-Path $TestDrive 'lamassu-env'
        Set-Content -LiteralPath $wrapper -Value "#!/bin/sh`nexport POSTGRES_HOST=localhost"
        $before = Get-FileHash -LiteralPath $wrapper

        $row = [pscustomobject]@{ Instance = 'atm-move'; LamassuPackage = $package; LamassuWrapper = $wrapper; LamassuServiceUser = 'lamassuops-no-such-user' } |
            Get-LamassuOpsHealth

        $plan = @($row.Findings | Where-Object Check -EQ 'PeerAuthPlan')
        $plan.Severity | Sort-Object -Unique | Should -Be 'Warning'
        ($plan.Message -join ' ') | Should -Match "\(Service user exists\): There is no OS user 'lamassuops-no-such-user'"
        $row.Status | Should -Not -Be 'Healthy'
        (Get-FileHash -LiteralPath $wrapper).Hash | Should -Be $before.Hash
    }

    It 'takes instances from the pipeline and names one with -Instance' {
        Import-LamassuOpsInventory -Path $inventory

        (Get-LamassuOpsInstance -Tag us | Get-LamassuOpsHealth).Instance | Sort-Object | Should -Be 'corrupt', 'missing'
        (Get-LamassuOpsHealth -Instance kept).Status | Should -Be 'Healthy'
        (Get-LamassuOpsHealth -Tag atm -BackupMaxAge 0:00:00).Status | Should -Be 'Warning'
    }

    It 'exits non-zero from lamassuops --inventory while an instance needs attention, with JSON lines for jq' {
        $all = Invoke-Lamassuops -Arguments 'Get-LamassuOpsHealth', '--inventory', $inventory
        $kept = Invoke-Lamassuops -Arguments 'Get-LamassuOpsHealth', '--inventory', $inventory, '--name', 'kept'
        $statuses = & (Join-Path $repositoryRoot 'lamassuops') Get-LamassuOpsHealth --inventory $inventory --json 2>$null | jq -r '.Instance + " " + .Status'

        $all.ExitCode | Should -Be 1
        $all.Objects.Instance | Sort-Object | Should -Be 'corrupt', 'kept', 'missing', 'sample'
        $all.Stderr | Should -BeNullOrEmpty
        $kept.ExitCode | Should -Be 0
        $kept.Objects.Status | Should -Be 'Healthy'
        $statuses | Sort-Object | Should -Be 'corrupt Critical', 'kept Healthy', 'missing Critical', 'sample Critical'
    }
}
