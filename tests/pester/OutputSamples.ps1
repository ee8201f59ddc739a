# Real objects of every type the cmdlets output, nested list items included, for the view tests: the Bunker types from
# the sample database, the others from the PostgreSQL server (Start-TestPostgres) and lamassu package trees.
# Returns a hashtable: type name -> objects of that type.
function Get-OutputSample {
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [string] $Directory)
    $database = Join-Path $Directory 'nsecbunker.db'
    New-SampleBunkerDatabase -Path $database
    $backups = Join-Path $Directory 'backups'
    $null = New-Item -ItemType Directory -Path $backups
    $socket = @{ SocketDirectory = $Server.SocketDirectory; Port = $Server.Port }
    $package = New-LamassuPackageTree -Path (Join-Path $Directory 'lamassu') -V12 -Migration '001-initial.js', '002-cashbox.js'
    Set-LamassuMigrationState $Server -Database lamassu -LastRun '001-initial.js' -Migration @{ title = '001-initial.js'; timestamp = 1700000000123 },
        @{ title = '000-removed-upstream.js'; timestamp = 1700000000000 }

    # A deployment's prisma/migrations folder with one migration the sample database has not applied.
    $migrations = Join-Path $Directory 'migrations'
    $null = New-Item -ItemType Directory -Path (Join-Path $migrations '20990101000000_future')
    Set-Content -LiteralPath (Join-Path $migrations '20990101000000_future' 'migration.sql') -Value 'SELECT 1;'

    # A lifetime cap on policy rule 1, so Remove-BunkerSigningLog keeps the signing log rows it counts.
    sqlite3 $database 'UPDATE PolicyRule SET maxUsageCount = 100 WHERE id = 1;'

    $lnbits = Join-Path $Directory 'lnbits.sqlite3'
    New-SampleLnbitsDatabase -Path $lnbits
    $backup = Backup-BunkerDatabase -LiteralPath $database -Destination $backups -ErrorAction Stop
    # The move to peer authentication on a deployment as nix-bitcoin has it today (a password over TCP).
    $deployment = New-LamassuDeployment -Server $Server -Name 'samples-lamassu' -Password 'sample-Passw0rd'
    $plan = Get-LamassuPeerAuthPlan @deployment -ErrorAction Stop
    $change = $plan | Enable-LamassuPeerAuth -NodeDirectory /usr/bin -Force -Confirm:$false -ErrorAction Stop
    # An inventory of one instance: the sample bunker with its LNbits.
    $inventory = Join-Path $Directory 'fleet.json'
    @{ instances = @(@{ name = 'sample'; bunkerDatabase = $database; lnbitsDatabase = $lnbits; tags = @('eu') }) } |
        ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $inventory
    $objects = @(
        Get-LamassuOpsInstance -Inventory $inventory -ErrorAction Stop
        Get-LamassuOpsHealth -Inventory $inventory -ErrorAction Stop
        Get-LnbitsSignerAccount $lnbits -ErrorAction Stop
        Test-BunkerPairing $database $lnbits -ErrorAction Stop
        Test-BunkerPairing $database $lnbits -Summary -ErrorAction Stop
        Get-BunkerPairing -LiteralPath $database -IncludeDangling -IncludeUnredeemed -ErrorAction Stop
        Get-BunkerSigningCondition -LiteralPath $database -ErrorAction Stop
        Test-BunkerDatabase -LiteralPath $database -MigrationsPath $migrations -ErrorAction Stop
        $backup
        Compare-BunkerPairing $backup.BackupPath $database -LnbitsDatabase $lnbits -ErrorAction Stop
        sqlite3 $database "DELETE FROM Token WHERE clientName = 'LNbits alice';"
        Compare-BunkerPairing $backup.BackupPath $database -LnbitsDatabase $lnbits -ErrorAction Stop
        Repair-BunkerPairing $database $lnbits -FromBackup $backup.BackupPath -WhatIf -ErrorAction Stop
        Remove-BunkerRequest -LiteralPath $database -OlderThan 1:00:00 -BackupDirectory $backups -Force -Confirm:$false -ErrorAction Stop
        Remove-BunkerSigningLog -LiteralPath $database -OlderThan 1.00:00:00 -BackupDirectory $backups -Force -Confirm:$false -ErrorAction Stop
        Remove-StaleSigningCondition -LiteralPath $database -IncludeManualOverride -AcceptPermissionLoss -BackupDirectory $backups -Force -Confirm:$false -ErrorAction Stop
        Restore-BunkerDatabase -LiteralPath $database -BackupPath $backup.BackupPath -Force -Confirm:$false -ErrorAction Stop
        ConvertFrom-PostgresUrl "postgresql://lamassu:secret@%2Frun%2Fpostgresql/lamassu?sslmode=disable&application_name=lamassu-server" -ErrorAction Stop
        Test-PeerAuth @socket
        Test-PeerAuth @socket -User lamassuops-no-such-role
        Get-LamassuPeerAuthReadiness $package -ErrorAction Stop
        New-LamassuEnvWrapper (Join-Path $Directory 'lamassu-env') -PackagePath $package -DatabaseUser lamassu-server -Hostname lamassu.example -NodeDirectory /usr/bin -PassThru -WhatIf
        Get-LamassuMigrationStatus $package @socket -ErrorAction Stop
        Test-LamassuOpsInstance -Name here -ErrorAction Stop
        $plan
        $change
        $change | Disable-LamassuPasswordLogin -Force -Confirm:$false -ErrorAction Stop
        $plan | New-LamassuNixModuleChange -ErrorAction Stop
    )
    # Their list properties hold the nested types (tokens, checks, migrations, ...).
    $nested = foreach ($object in $objects) {
        foreach ($property in $object.PSObject.Properties) {
            if ($property.Value -is [System.Collections.IEnumerable] -and $property.Value -isnot [string]) { $property.Value }
        }
    }
    $samples = @{}
    foreach ($object in @($objects) + @($nested) | Where-Object { $_.GetType().FullName -like 'LamassuOps.*' }) {
        $name = $object.GetType().FullName
        if (-not $samples.ContainsKey($name)) { $samples[$name] = [System.Collections.Generic.List[object]]::new() }
        $samples[$name].Add($object)
    }
    $samples
}
