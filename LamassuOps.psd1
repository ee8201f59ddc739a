@{
    RootModule           = 'LamassuOps.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f3a4e-8d2c-4f61-9a7e-3c1d2b6e9f40'
    Author               = 'LamassuOps'
    CompanyName          = 'LamassuOps'
    Copyright            = '(c) LamassuOps. All rights reserved.'
    Description          = 'Operations tooling for self-hosted Bitcoin nodes on nix-bitcoin: lamassu-server on PostgreSQL peer authentication, and nsecbunkerd (Nostr NIP-46 signer) databases paired with LNbits.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    TypesToProcess       = @('types/LamassuOps.Types.ps1xml')
    FormatsToProcess     = @('formats/Bunker.Format.ps1xml', 'formats/Lamassu.Format.ps1xml', 'formats/Lnbits.Format.ps1xml', 'formats/Fleet.Format.ps1xml', 'formats/Remoting.Format.ps1xml')
    CmdletsToExport      = @(
        'Get-BunkerPairing'
        'Get-BunkerSigningCondition'
        'Test-BunkerDatabase'
        'Backup-BunkerDatabase'
        'Restore-BunkerDatabase'
        'Remove-StaleSigningCondition'
        'Remove-BunkerSigningLog'
        'Remove-BunkerRequest'
        'ConvertFrom-PostgresUrl'
        'Test-PeerAuth'
        'Assert-PeerAuth'
        'New-LamassuEnvWrapper'
        'Get-LamassuPeerAuthReadiness'
        'Get-LamassuMigrationStatus'
        'Get-LamassuPeerAuthPlan'
        'Enable-LamassuPeerAuth'
        'Disable-LamassuPasswordLogin'
        'New-LamassuNixModuleChange'
        'Get-LnbitsSignerAccount'
        'Test-BunkerPairing'
        'Compare-BunkerPairing'
        'Repair-BunkerPairing'
        'Import-LamassuOpsInventory'
        'Get-LamassuOpsInstance'
        'Get-LamassuOpsHealth'
        'Test-LamassuOpsInstance'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('Bitcoin', 'nix-bitcoin', 'lamassu', 'nsecbunker', 'Nostr', 'PostgreSQL', 'SQLite', 'Linux')
        }
    }
}
