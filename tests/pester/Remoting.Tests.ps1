#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    Many instances, several hosts, over real PowerShell remoting: sshd on 127.0.0.1 (tests/pester/Remoting.Support.ps1)
    as four "hosts": 'full' (the packaged module on its PSModulePath, lamassuops on its PATH), 'bare' (pwsh, no module),
    'nopwsh' (SSH only, no powershell subsystem) and 'closed' (a port nothing listens on). Runs as the user whose key
    sshd accepts (root in CI) with openssh-server installed (bash tests/prepare.sh).
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'Remoting.Support.ps1')

    $client = New-TestSshClient -Directory (Join-Path $TestDrive 'ssh')
    $moduleRoot = Split-Path (Split-Path (Split-Path $manifestPath))
    $emptyModules = Join-Path $TestDrive 'no-modules'
    $bin = Join-Path $TestDrive 'bin'
    $null = New-Item -ItemType Directory -Path $emptyModules, $bin
    $cli = Get-LamassuopsPath
    Set-Content -LiteralPath (Join-Path $bin 'lamassuops') -Value "#!/bin/sh`nexec '$cli' `"`$@`""
    chmod +x (Join-Path $bin 'lamassuops')
    $null = & $cli --version # publishes out/cli now, not inside a remote session
    $hosts = @(
        Start-TestSshHost -Client $client -Name full -ModulePath $moduleRoot -BinPath $bin
        Start-TestSshHost -Client $client -Name bare -ModulePath $emptyModules
        Start-TestSshHost -Client $client -Name nopwsh -ModulePath $emptyModules -NoPowerShell
    )
    $full, $bare, $nopwsh = $hosts
    $closedPort = Get-FreeTcpPort
    $user = [Environment]::UserName
    $ssh = @{ KeyFilePath = $client.KeyFilePath; SshOption = $client.Options }

    # Instances, as an inventory gives them: a name, a host (none: this machine), the SSH user and port, the database.
    function New-FleetInstance([string] $Name, $SshHost, [string] $Database) {
        [pscustomobject]@{ Name = $Name; Instance = $Name; Host = $SshHost ? '127.0.0.1' : $null; User = $SshHost ? $user : $null; Port = $SshHost.Port; BunkerDatabase = $Database }
    }
    # What a Test-BunkerDatabase result says, to compare runs (remote results are deserialised).
    function Get-TestSummary($Result) {
        "$($Result.Path) $($Result.Status) $($Result.SchemaVariant) $($Result.AppliedMigrationCount) $(($Result.Checks | ForEach-Object { "$($_.Name)=$($_.Status)" }) -join ',')"
    }
}

AfterAll {
    Stop-TestSshHost -SshHost $hosts
    Remove-Module LamassuOps -Force -ErrorAction Ignore
}

Describe 'PowerShell remoting over SSH to the test hosts' {
    # Invoke-Command -HostName has no -ThrottleLimit (only its -ComputerName and -Session sets do): sessions opened with
    # New-PSSession -HostName take it.
    It 'Invoke-Command fans out to two hosts with -ThrottleLimit 2 over New-PSSession -HostName, and tells which has the module' {
        $targets = "$user@127.0.0.1:$($full.Port)", "$user@127.0.0.1:$($bare.Port)"
        $sessions = New-PSSession -HostName $targets -KeyFilePath $client.KeyFilePath -Options $client.Options
        try {
            $answers = @(Invoke-Command -Session $sessions -ThrottleLimit 2 -ScriptBlock {
                    [pscustomobject]@{ Version = $PSVersionTable.PSVersion.ToString(); Module = "$((Get-Module -ListAvailable LamassuOps).Version)" }
                })
        }
        finally { $sessions | Remove-PSSession }

        $answers.Count | Should -Be 2
        $answers.Version | Should -Be @($PSVersionTable.PSVersion.ToString(), $PSVersionTable.PSVersion.ToString())
        ($answers | Sort-Object Module).Module | Should -Be @('', $module.Version.ToString())
    }

    It 'a remote result comes back deserialised and still binds by property name here' {
        $db = New-SampleBunkerDirectory

        $remote = Invoke-Command -HostName 127.0.0.1 -Port $full.Port -UserName $user -KeyFilePath $client.KeyFilePath -Options $client.Options -ScriptBlock {
            Test-BunkerDatabase -LiteralPath $using:db
        }

        $remote.PSObject.TypeNames[0] | Should -Be 'Deserialized.LamassuOps.Core.Bunker.BunkerDatabaseTestResult'
        $again = $remote | Test-BunkerDatabase
        Get-TestSummary $again | Should -Be (Get-TestSummary $remote)
        ($remote | Out-String) | Should -Match 'SchemaVariant'
    }

    It 'a remote -WhatIf changes nothing there (bytes and mtime), and a strip no one can confirm is refused there' {
        $db = New-SampleBunkerDirectory
        $before = Get-DirectoryState (Split-Path $db)
        $connection = @{ HostName = '127.0.0.1'; Port = $full.Port; UserName = $user; KeyFilePath = $client.KeyFilePath; Options = $client.Options }

        $whatIf = @(Invoke-Command @connection -ScriptBlock { Remove-StaleSigningCondition -LiteralPath $using:db -WhatIf })
        $refused = Invoke-Command @connection -ScriptBlock {
            try { Remove-StaleSigningCondition -LiteralPath $using:db -ErrorAction Stop; 'changed' } catch { $_.FullyQualifiedErrorId }
        }

        $whatIf | Should -BeNullOrEmpty
        $refused | Should -Not -Be 'changed'
        Get-DirectoryState (Split-Path $db) | Should -Be $before
    }

    It 'without pwsh, ssh host lamassuops --json gives the same objects' {
        $db = New-SampleBunkerDirectory

        $json = ssh -p $full.Port -i $client.KeyFilePath -o "UserKnownHostsFile=$($client.KnownHosts)" -o BatchMode=yes "$user@127.0.0.1" `
            lamassuops Test-BunkerDatabase --literal-path $db --json
        $fromSsh = $json | ConvertFrom-Json

        $LASTEXITCODE | Should -Be 0
        Get-TestSummary $fromSsh | Should -Be (Get-TestSummary (Test-BunkerDatabase -LiteralPath $db))
    }
}

Describe 'Get-LamassuOpsHealth over local and remote instances' {
    It 'checks a remote instance on its host, in parallel with the local ones: the same rows as a local check, files unchanged' {
        $dbs = 1..3 | ForEach-Object { New-SampleBunkerDirectory }
        $states = $dbs | ForEach-Object { Get-DirectoryState (Split-Path $_) }
        $instances = @(
            New-FleetInstance 'local-1' $null $dbs[0]
            New-FleetInstance 'local-2' $null $dbs[1]
            New-FleetInstance 'full-1' $full $dbs[2]
            New-FleetInstance 'bare-1' $bare $dbs[0]
        )
        $asOf = [DateTimeOffset]::UtcNow

        $rows = @($instances | Get-LamassuOpsHealth -ThrottleLimit 2 -AsOf $asOf @ssh -ErrorVariable failures -ErrorAction SilentlyContinue)
        $here = @($instances | ForEach-Object { [pscustomobject]@{ Instance = $_.Name; BunkerDatabase = $_.BunkerDatabase } } |
                Select-Object -First 3 | Get-LamassuOpsHealth -AsOf $asOf)

        $summary = { param($row) "$($row.Instance) $($row.Status) $(($row.Findings | ForEach-Object { "$($_.Check)/$($_.Severity)" }) -join ',')" }
        ($rows | ForEach-Object { & $summary $_ } | Sort-Object) | Should -Be ($here | ForEach-Object { & $summary $_ } | Sort-Object)
        @($failures).Count | Should -Be 1
        $failures[0].TargetObject | Should -Be 'bare-1'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'LamassuOpsNotInstalled,*'
        $dbs | ForEach-Object { Get-DirectoryState (Split-Path $_) } | Should -Be $states
    }
}

Describe 'Any cmdlet given records of remote instances' {
    BeforeAll {
        # An inventory as an operator writes it: the SSH user and port of each remote instance are there. Its path.
        function New-TestInventory([hashtable[]] $Instances) {
            $path = Join-Path $TestDrive "fleet-$([guid]::NewGuid()).json"
            @{ instances = $Instances } | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $path
            $path
        }
        function Import-TestInventory([hashtable[]] $Instances) { Import-LamassuOpsInventory -Path (New-TestInventory $Instances) }
        function Get-PairingSummary($Pairing) { "$($Pairing.KeyName) $($Pairing.State) $($Pairing.ClientPubkey)" }
    }

    It 'runs them on their host, where their files are: the rows of a local run there, stamped; a host without the module is its error' {
        $dbs = 1..3 | ForEach-Object { New-SampleBunkerDirectory }
        $states = $dbs | ForEach-Object { Get-DirectoryState (Split-Path $_) }
        Import-TestInventory @(
            @{ name = 'here'; bunkerDatabase = $dbs[0] }
            @{ name = 'full-1'; host = '127.0.0.1'; user = $user; port = $full.Port; bunkerDatabase = $dbs[1] }
            @{ name = 'bare-1'; host = '127.0.0.1'; user = $user; port = $bare.Port; bunkerDatabase = $dbs[2] }
        )

        $pairings = @(Get-LamassuOpsInstance | Get-BunkerPairing -ThrottleLimit 2 @ssh -ErrorVariable failed -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $local = @(Get-BunkerPairing -LiteralPath $dbs[1] -WarningAction SilentlyContinue)

        ($pairings | Group-Object Instance | Sort-Object Name).Name | Should -Be 'full-1', 'here'
        $remote = @($pairings | Where-Object Instance -eq 'full-1')
        $remote[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.LamassuOps.Core.Bunker.BunkerPairing'
        ($remote | ForEach-Object { Get-PairingSummary $_ }) | Should -Be ($local | ForEach-Object { Get-PairingSummary $_ })
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'LamassuOpsNotInstalled,*'
        $failed[0].TargetObject | Should -Be 'bare-1'
        $dbs | ForEach-Object { Get-DirectoryState (Split-Path $_) } | Should -Be $states
    }

    It 'writes a remote warning once, with the instance name' {
        $db = New-SampleBunkerDirectory # its dangling token is a warning
        Import-TestInventory @(@{ name = 'full-1'; host = '127.0.0.1'; user = $user; port = $full.Port; bunkerDatabase = $db })

        $null = Get-LamassuOpsInstance | Get-BunkerPairing @ssh -WarningVariable warned -WarningAction SilentlyContinue

        @($warned).Count | Should -Be 1
        "$($warned[0])" | Should -BeLike "full-1: 1 redeemed token(s) in '$db' have no KeyUser*"
    }

    It 'carries -WhatIf and $WhatIfPreference there (nothing changes), and a strip with -Force strips there with its backup there' {
        $db = New-SampleBunkerDirectory
        $copy = New-SampleBunkerDirectory
        $before = Get-DirectoryState (Split-Path $db)
        Import-TestInventory @(@{ name = 'full-1'; host = '127.0.0.1'; user = $user; port = $full.Port; bunkerDatabase = $db })

        $whatIf = @(Get-LamassuOpsInstance | Remove-StaleSigningCondition -WhatIf @ssh)
        $WhatIfPreference = $true
        try { $preferred = @(Get-LamassuOpsInstance | Remove-StaleSigningCondition @ssh) }
        finally { $WhatIfPreference = $false }
        $unchanged = Get-DirectoryState (Split-Path $db)
        $stripped = @(Get-LamassuOpsInstance | Remove-StaleSigningCondition -Force @ssh)
        $here = Remove-StaleSigningCondition -LiteralPath $copy -Force

        $whatIf + $preferred | Should -BeNullOrEmpty
        $unchanged | Should -Be $before
        $stripped.Count | Should -Be 1
        $stripped[0].Instance | Should -Be 'full-1'
        "$($stripped[0].Removed) $($stripped[0].SigningConditionsAfter) $($stripped[0].Pairings)" | Should -Be "$($here.Removed) $($here.SigningConditionsAfter) $($here.Pairings)"
        Test-Path -LiteralPath $stripped[0].BackupPath | Should -BeTrue
        Split-Path $stripped[0].BackupPath | Should -Be (Split-Path $db)
    }

    It 'repairs the dangling pairings a remote Test-BunkerPairing found there: one run per instance, one backup, the verdicts Healthy' {
        $database = New-SampleBunkerDirectory
        $accounts = Join-Path (Split-Path $database) 'lnbits.sqlite3'
        New-SampleLnbitsDatabase -Path $accounts
        $backups = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $backups
        $backup = (Backup-BunkerDatabase -LiteralPath $database -Destination $backups -ErrorAction Stop).BackupPath
        # The wipe after the backup: alice's KeyUser and token deleted, as by hand in sqlite3.
        sqlite3 $database "PRAGMA foreign_keys = ON; DELETE FROM KeyUser WHERE id IN (SELECT keyUserId FROM Token WHERE clientName = 'LNbits alice'); DELETE FROM Token WHERE clientName = 'LNbits alice';"
        Import-TestInventory @(@{ name = 'full-1'; host = '127.0.0.1'; user = $user; port = $full.Port; bunkerDatabase = $database; lnbitsDatabase = $accounts })

        $dangling = @(Get-LamassuOpsInstance | Test-BunkerPairing @ssh | Where-Object Verdict -eq Dangling)
        $results = @($dangling | Repair-BunkerPairing -FromBackup $backup -BackupDirectory $backups -Force @ssh -ErrorAction Stop)

        $dangling.Count | Should -BeGreaterThan 1
        $dangling.Instance | Select-Object -Unique | Should -Be 'full-1'
        ($results | Where-Object Action -eq 'Repaired').Username | Sort-Object | Should -Be @('alice', 'grace')
        $results.Instance | Select-Object -Unique | Should -Be 'full-1'
        @($results.BackupPath | Where-Object { $_ } | Select-Object -Unique).Count | Should -Be 1
        (Test-BunkerPairing $database $accounts | Where-Object Username -in 'alice', 'grace').Verdict | Should -Be @('Healthy', 'Healthy')
    }

    It 'takes -HostName user@host:port on the command line, as Invoke-Command does, with no inventory' {
        $db = New-SampleBunkerDirectory
        Import-TestInventory @(@{ name = 'other' })

        $pairings = @(Get-BunkerPairing -LiteralPath $db -Instance far -HostName "$user@127.0.0.1:$($full.Port)" @ssh -WarningAction SilentlyContinue)

        $pairings.Count | Should -Be @(Get-BunkerPairing -LiteralPath $db -WarningAction SilentlyContinue).Count
        $pairings.Instance | Select-Object -Unique | Should -Be 'far'
        $pairings[0].PSComputerName | Should -Be '127.0.0.1'
    }

    It 'lamassuops runs a command for an instance on another host there: --host user@host:port, the same JSON objects, the file unchanged' {
        $db = New-SampleBunkerDirectory
        $before = Get-DirectoryState (Split-Path $db)

        $result = Invoke-Lamassuops @('Get-BunkerPairing', '--literal-path', $db, '--instance', 'far', '--host', "$user@127.0.0.1:$($full.Port)",
            '--key-file-path', $client.KeyFilePath, '--ssh-option', "UserKnownHostsFile=$($client.KnownHosts)")
        $here = Invoke-Lamassuops @('Get-BunkerPairing', '--literal-path', $db)

        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        ($result.Objects | ForEach-Object { Get-PairingSummary $_ }) | Should -Be ($here.Objects | ForEach-Object { Get-PairingSummary $_ })
        $result.Objects.Instance | Select-Object -Unique | Should -Be 'far'
        Get-DirectoryState (Split-Path $db) | Should -Be $before
    }

    It 'lamassuops Get-LamassuOpsHealth --inventory checks a remote instance there: the JSON of a local check, exit 1 for its findings' {
        $db = New-SampleBunkerDirectory # stale copies to strip: it needs attention
        $inventory = New-TestInventory @(@{ name = 'full-1'; host = '127.0.0.1'; user = $user; port = $full.Port; bunkerDatabase = $db })
        $asOf = [DateTimeOffset]::UtcNow.ToString('o')

        $remote = Invoke-Lamassuops @('Get-LamassuOpsHealth', '--inventory', $inventory, '--as-of', $asOf,
            '--key-file-path', $client.KeyFilePath, '--ssh-option', "UserKnownHostsFile=$($client.KnownHosts)")
        $here = Invoke-Lamassuops @('Get-LamassuOpsHealth', '--instance', 'full-1', '--bunker-database', $db, '--as-of', $asOf)

        $remote.ExitCode | Should -Be 1 -Because $remote.Stderr
        $remote.ErrorId | Should -BeNullOrEmpty
        $remote.Objects.Count | Should -Be 1
        $remote.Objects[0].PSObject.Properties.Name | Should -Not -Contain 'PSComputerName'
        ($remote.Objects[0] | ConvertTo-Json -Depth 8 -Compress) | Should -Be ($here.Objects[0] | ConvertTo-Json -Depth 8 -Compress)
    }
}

Describe 'Test-BunkerDatabase -FleetInstance' {
    It 'runs local and remote instances in parallel: the serial results, an error per failing instance naming it, the rest go on' {
        $dbs = 1..4 | ForEach-Object { New-SampleBunkerDirectory }
        $states = $dbs | ForEach-Object { Get-DirectoryState (Split-Path $_) }
        $instances = @(
            New-FleetInstance 'local-1' $null $dbs[0]
            New-FleetInstance 'local-2' $null $dbs[1]
            New-FleetInstance 'full-1' $full $dbs[2]
            New-FleetInstance 'full-2' $full $dbs[3]
            New-FleetInstance 'bare-1' $bare $dbs[0]
            New-FleetInstance 'missing' $null (Join-Path $TestDrive 'none.db')
            New-FleetInstance 'closed' ([pscustomobject]@{ Port = $closedPort }) $dbs[0]
        )

        $serial = @(Test-BunkerDatabase -FleetInstance $instances -ThrottleLimit 1 @ssh -ErrorVariable serialErrors -ErrorAction SilentlyContinue)
        $parallel = @(Test-BunkerDatabase -FleetInstance $instances -ThrottleLimit 2 @ssh -ErrorVariable parallelErrors -ErrorAction SilentlyContinue)

        $serial.Count | Should -Be 4
        ($parallel | ForEach-Object { Get-TestSummary $_ } | Sort-Object) | Should -Be ($serial | ForEach-Object { Get-TestSummary $_ } | Sort-Object)
        ($serial | ForEach-Object { Get-TestSummary $_ } | Sort-Object) | Should -Be ($dbs | ForEach-Object { Get-TestSummary (Test-BunkerDatabase -LiteralPath $_) } | Sort-Object)
        foreach ($errors in $serialErrors, $parallelErrors) {
            $byName = @{}
            $errors | ForEach-Object { $byName[$_.TargetObject] = $_ }
            $byName.Keys | Sort-Object | Should -Be @('bare-1', 'closed', 'missing')
            $byName['bare-1'].FullyQualifiedErrorId | Should -BeLike 'LamassuOpsNotInstalled,*'
            $byName['bare-1'].ErrorDetails.RecommendedAction | Should -Match 'Install-PSResource LamassuOps'
            $byName['missing'].FullyQualifiedErrorId | Should -BeLike 'BunkerDatabaseNotFound,*'
            $byName['missing'].Exception.Message | Should -BeLike 'missing: *'
            $byName['closed'].FullyQualifiedErrorId | Should -BeLike 'InstanceUnreachable,*'
            $byName['closed'].ErrorDetails.RecommendedAction | Should -Match "ssh -p $closedPort"
            $byName['closed'].Exception.Message | Should -Match "closed: .*port ${closedPort}: Connection refused"
            ($errors | Out-String) | Should -Not -Match '   at '
        }
        $dbs | ForEach-Object { Get-DirectoryState (Split-Path $_) } | Should -Be $states
    }

    It 'writes one progress record per instance under a parent record' {
        $instances = 1..3 | ForEach-Object { New-FleetInstance "atm-$_" $null (New-SampleBunkerDirectory) }
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument($manifestPath).AddStatement().
                AddCommand('Test-BunkerDatabase').AddParameter('FleetInstance', $instances).AddParameter('ThrottleLimit', 2)
            $results = $ps.Invoke()
            $progress = @($ps.Streams.Progress)
        }
        finally { $ps.Dispose() }

        $results.Count | Should -Be 3
        $parents = @($progress | Where-Object Activity -EQ 'Test-BunkerDatabase on 3 instances')
        $parents[-1].RecordType | Should -Be 'Completed'
        $parents.PercentComplete | Should -Contain 100
        foreach ($name in 'atm-1', 'atm-2', 'atm-3') {
            $mine = @($progress | Where-Object Activity -EQ $name)
            $mine.StatusDescription | Should -Be @('Running', 'Done')
            $mine.ParentActivityId | Sort-Object -Unique | Should -Be $parents[0].ActivityId
            $mine[-1].RecordType | Should -Be 'Completed'
        }
    }

    It 'stops promptly mid-fan-out (<Form>): fewer results, no ssh left running, every database unchanged' -ForEach @(
        @{ Form = '-FleetInstance'; Command = 'Test-BunkerDatabase -FleetInstance $Instance -ThrottleLimit 2 @Ssh' }
        # Records of remote instances from the pipeline: run on their hosts once the pipeline ends, on the same fan-out.
        @{ Form = 'the pipeline'; Command = '$Instance | ForEach-Object { [pscustomobject]@{ Instance = $_.Name; Host = "$($_.User)@$($_.Host):$($_.Port)"; BunkerDatabase = $_.BunkerDatabase } } | Test-BunkerDatabase -ThrottleLimit 2 @Ssh' }
    ) {
        $dbs = 1..4 | ForEach-Object { New-SampleBunkerDirectory }
        $states = $dbs | ForEach-Object { Get-DirectoryState (Split-Path $_) }
        $instances = foreach ($i in 1..24) { New-FleetInstance "full-$i" $full $dbs[$i % 4] }
        $ps = [powershell]::Create()
        try {
            # One script, not a batch of statements: a stopped batch can crash pwsh when disposed (its next statement
            # reads a variable of the closed runspace on a thread-pool thread).
            $null = $ps.AddScript("param(`$Manifest, `$Instance, `$Ssh) Import-Module `$Manifest; $Command").
                AddArgument($manifestPath).AddArgument($instances).AddArgument($ssh)
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $noInput = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $noInput.Complete()
            $running = $ps.BeginInvoke($noInput, $output)
            $deadline = [datetime]::UtcNow.AddSeconds(120)
            while ($output.Count -lt 1 -and -not $running.IsCompleted -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $output.Count | Should -BeGreaterThan 0
            $stopWatch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $stopWatch.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $ps.Dispose() }

        $stopWatch.Elapsed.TotalSeconds | Should -BeLessThan 15
        $output.Count | Should -BeLessThan 24
        Start-Sleep -Milliseconds 500
        @(Get-Process ssh -ErrorAction Ignore | Where-Object { $_.CommandLine -match "-p $($full.Port)\b|:$($full.Port)\b|Port=$($full.Port)\b" }) | Should -BeNullOrEmpty
        $dbs | ForEach-Object { Get-DirectoryState (Split-Path $_) } | Should -Be $states
    }
}

Describe 'Test-LamassuOpsInstance' {
    It 'tells each host apart: the module and its version, no module, no remoting, no SSH; instances bind by property name' {
        $instances = @(
            New-FleetInstance 'here' $null $null
            New-FleetInstance 'full' $full $null
            New-FleetInstance 'bare' $bare $null
            New-FleetInstance 'nopwsh' $nopwsh $null
            New-FleetInstance 'closed' ([pscustomobject]@{ Port = $closedPort }) $null
        )

        $tests = @($instances | Test-LamassuOpsInstance @ssh -ThrottleLimit 2)
        $byName = @{}
        $tests | ForEach-Object { $byName[$_.Name] = $_ }

        $byName.Keys | Sort-Object | Should -Be @('bare', 'closed', 'full', 'here', 'nopwsh')
        $byName['here'].Readiness | Should -Be 'Ready'
        $byName['full'].Readiness | Should -Be 'Ready'
        $byName['full'].ModuleVersion | Should -Be $module.Version.ToString()
        $byName['full'].PowerShellVersion | Should -Be $PSVersionTable.PSVersion.ToString()
        $byName['full'].LamassuopsPath | Should -Be (Join-Path $bin 'lamassuops')
        $byName['full'].Port | Should -Be $full.Port
        $byName['bare'].Readiness | Should -Be 'ModuleMissing'
        $byName['bare'].ModuleInstalled | Should -BeFalse
        $byName['bare'].Remoting | Should -BeTrue
        $byName['bare'].LamassuopsPath | Should -BeNullOrEmpty
        $byName['bare'].Finding | Should -Match 'no LamassuOps module.*Install-PSResource LamassuOps'
        $byName['nopwsh'].Readiness | Should -Be 'RemotingUnavailable'
        $byName['nopwsh'].Reachable | Should -BeTrue
        $byName['nopwsh'].Finding | Should -Match 'Subsystem powershell'
        $byName['closed'].Readiness | Should -Be 'Unreachable'
        $byName['closed'].Reachable | Should -BeFalse
        $byName['closed'].Finding | Should -Match "port ${closedPort}: Connection refused"
        ($tests | Out-String) | Should -Match 'Readiness'
    }

    It 'lamassuops Test-LamassuOpsInstance exits 1 for a host that needs attention, with the same objects' {
        $result = Invoke-Lamassuops @('Test-LamassuOpsInstance', 'bare', '--host', '127.0.0.1', '--port', "$($bare.Port)", '--user', $user,
            '--key-file-path', $client.KeyFilePath, '--ssh-option', "UserKnownHostsFile=$($client.KnownHosts)")

        $result.ExitCode | Should -Be 1
        $result.Objects.Count | Should -Be 1
        $result.Objects[0].Readiness | Should -Be 'ModuleMissing'
        $result.Objects[0].Name | Should -Be 'bare'
    }
}
