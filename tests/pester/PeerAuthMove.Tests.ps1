#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The move of lamassu-server to peer authentication in pwsh, against a real PostgreSQL 15 (tests/pester/Lamassu.Support.ps1)
    where the lamassu role logs in over TCP with a password (scram-sha-256), as nix-bitcoin sets it up today, and a
    dedicated OS user for the service: the plan, Enable-LamassuPeerAuth with its probe through the real node-postgres as
    that user, Disable-LamassuPasswordLogin, all by pipeline; -WhatIf; a failing probe rolled back; the Nix snippet.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'Lamassu.Support.ps1')
    $pg = Start-TestPostgres
    $password = 'move-Passw0rd'

    # The wrapper and its directory exactly (bytes, times, entries, inode, owner, mode).
    function Get-WrapperState([string] $Path) {
        $directory = Split-Path $Path
        (Get-ChildItem -LiteralPath $directory -Force | Sort-Object Name | ForEach-Object { $_.Name + ' ' + $_.LastWriteTimeUtc.Ticks }) -join "`n"
        (Get-FileHash -LiteralPath $Path).Hash
        & stat -c '%i %u:%g %a' $Path
    }
    function Get-PasswordHash { & "$postgresBin/psql" -h $pg.SocketDirectory -p $pg.Port -U postgres -d postgres -XAtq -c "SELECT coalesce(rolpassword, 'none') FROM pg_authid WHERE rolname = '$lamassuUser'" }
    # A password login over TCP, as lamassu does today: psql's output (the session user, or the server's refusal).
    function Test-PasswordLogin {
        $env:PGPASSWORD = $password
        try { & "$postgresBin/psql" -h 127.0.0.1 -p $pg.Port -U $lamassuUser -d $lamassuUser -XAtq -c 'SELECT current_user' 2>&1 }
        finally { Remove-Item Env:PGPASSWORD }
    }
}

AfterAll {
    Stop-TestPostgres -BaseDirectory $pg.BaseDirectory
    Remove-Module LamassuOps -Force -ErrorAction Ignore
}

Describe 'Get-LamassuPeerAuthPlan | Enable-LamassuPeerAuth | Disable-LamassuPasswordLogin' {
    BeforeEach {
        $deployment = New-LamassuDeployment -Server $pg -Name "move-$(New-Guid)" -Password $password
    }

    It 'plans the move from a password over TCP: what is done, what is ready, with the commands' {
        $plan = Get-LamassuPeerAuthPlan @deployment -ErrorAction Stop

        $plan.Mode | Should -Be 'EncodedSocketHost'
        $plan.WrapperMode | Should -Be 'PasswordTcp'
        $plan.RolePassword | Should -Be 'Set'
        $plan.DatabaseOwner | Should -Be $lamassuUser
        $plan.PasswordRules.Rule | Should -Be "host sameuser +$passwordLoginGroup 127.0.0.1 255.255.255.255 scram-sha-256"
        $plan.Steps.Status | Should -Be 'Done', 'Done', 'Done', 'Done', 'Ready', 'Ready', 'Ready'
        $plan.Steps[4].Command | Should -Match '^Enable-LamassuPeerAuth '
        $plan.CanProceed | Should -BeTrue
        ($plan | Format-List | Out-String) + ($plan.Steps | Format-Table | Out-String) | Should -Not -Match $password
    }

    It '-WhatIf changes no file and no role' {
        $before = Get-WrapperState $deployment.WrapperPath
        $hash = Get-PasswordHash

        $change = Get-LamassuPeerAuthPlan @deployment | Enable-LamassuPeerAuth -NodeDirectory /usr/bin -WhatIf

        $change.Written | Should -BeFalse
        $change.Probe | Should -BeNullOrEmpty
        Get-WrapperState $deployment.WrapperPath | Should -Be $before
        Get-PasswordHash | Should -Be $hash
    }

    It 'moves by pipeline: the probe as the service user, then the password goes; TCP with it fails, peer over the socket works' {
        Test-PasswordLogin | Should -Be $lamassuUser

        $removal = Get-LamassuPeerAuthPlan @deployment | Enable-LamassuPeerAuth -NodeDirectory /usr/bin -Confirm:$false -OutVariable change |
            Disable-LamassuPasswordLogin -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue

        $change.Probe.Passed | Should -BeTrue
        $change.Probe.OperatingSystemUser | Should -Be $lamassuUser
        $change.BackupPath | Should -Exist
        $removal.PasswordRemoved | Should -BeTrue
        $removal.ProbeId | Should -Be $change.ProbeId
        $removal.RemainingPasswordRules.Count | Should -Be 1
        $warnings -join "`n" | Should -Match ([regex]::Escape("\password `"$lamassuUser`""))
        Get-PasswordHash | Should -Be 'none'
        Test-PasswordLogin | Should -Match 'password authentication failed'
        & runuser -u $lamassuUser -- "$postgresBin/psql" -h $pg.SocketDirectory -p $pg.Port -d $lamassuUser -XAtq -c 'SELECT current_user' | Should -Be $lamassuUser
        (Get-LamassuPeerAuthPlan @deployment).Steps.Status[4, 5] | Should -Be 'Done', 'Done'
    }

    It 'puts the old wrapper back when the probe fails; the error is the diagnosis' {
        & chmod 0755 $deployment.WrapperPath
        $before = Get-WrapperState $deployment.WrapperPath
        $caught = $null

        try { Enable-LamassuPeerAuth @deployment -ServiceUser $serviceUser -NodeDirectory /usr/bin -Confirm:$false -ErrorAction Stop } catch { $caught = $_ }

        $caught.FullyQualifiedErrorId | Should -Be 'PeerAuthPeerMismatch,LamassuOps.Commands.EnableLamassuPeerAuthCommand'
        $caught.Exception.Message | Should -Match 'The old wrapper was put back'
        $caught.ErrorDetails.RecommendedAction | Should -Match "lamassu $serviceUser $lamassuUser"
        Get-WrapperState $deployment.WrapperPath | Should -Be $before
    }

    It 'keeps the password without a passing probe' {
        $hash = Get-PasswordHash
        $caught = $null

        try { Disable-LamassuPasswordLogin $lamassuUser -SocketDirectory $pg.SocketDirectory -Port $pg.Port -Confirm:$false -ErrorAction Stop } catch { $caught = $_ }

        $caught.FullyQualifiedErrorId | Should -Be 'PasswordLoginProbeRequired,LamassuOps.Commands.DisableLamassuPasswordLoginCommand'
        Get-PasswordHash | Should -Be $hash
    }

    It 'gives the NixOS module change as a snippet that parses and the list of what to delete' {
        $change = Get-LamassuPeerAuthPlan @deployment | New-LamassuNixModuleChange
        $file = Join-Path $TestDrive 'lamassu-peer.nix'
        Set-Content -LiteralPath $file -Value $change.Snippet

        & nix-instantiate --parse $file *> $null
        $LASTEXITCODE | Should -Be 0
        $change.Snippet | Should -Match 'ensureDBOwnership = true;'
        $change.Delete | Should -Contain 'makePasswordSecret lamassu-db-password in nix-bitcoin.generateSecretsCmds.lamassu'
    }
}
