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

    It 'reads the same accounts from PostgreSQL over the socket' {
        $pg = Start-TestPostgres
        try {
            $url = New-PostgresLnbitsDatabase $pg -Name 'lamassuops-lnbits-pester'

            $fromPostgres = @(Get-LnbitsSignerAccount $url -ErrorAction Stop)
            $fromSqlite = @(Get-LnbitsSignerAccount $lnbits)

            $fromPostgres.ClientPubkey | Should -Be $fromSqlite.ClientPubkey
            @(Get-LnbitsSignerAccount $url | Test-BunkerPairing -BunkerDatabase $bunker).Count | Should -Be 10
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
