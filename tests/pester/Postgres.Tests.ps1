#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The PostgreSQL and lamassu cmdlets as an operator uses them, against a real PostgreSQL 15 this suite starts in
    BeforeAll (tests/pester/Lamassu.Support.ps1) and stops in AfterAll, and lamassu package trees laid out like
    deployed ones. Runs as root with postgresql-15 installed (bash tests/prepare.sh); without it the suite fails.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'Lamassu.Support.ps1')
    $pg = Start-TestPostgres
    $socket = @{ SocketDirectory = $pg.SocketDirectory; Port = $pg.Port }
    # A socket URL as lamassu's EncodedSocketHost wrapper builds it: the directory %2F-encoded as the host.
    function Get-SocketUrl([string] $User, [string] $Database) {
        "postgresql://$User@$([uri]::EscapeDataString($pg.SocketDirectory)):$($pg.Port)/$Database"
    }
    $rootUrl = Get-SocketUrl root root
    $badUrl = 'postgres://lamassu:@/run/postgresql:5432/lamassu'
    $password = 's3cret-Passw0rd'
}

AfterAll {
    Stop-TestPostgres -BaseDirectory $pg.BaseDirectory
    Remove-Module LamassuOps -Force -ErrorAction Ignore
}

Describe 'ConvertFrom-PostgresUrl' {
    It 'takes a socket URL apart: the socket file, the port from the authority, what it defaulted' {
        $info = ConvertFrom-PostgresUrl "postgresql://root@%2Fsome%2Fdir:6543/lamassu?sslmode=disable"

        $info.Host | Should -Be '/some/dir'
        $info.Port | Should -Be 6543
        $info.SocketPath | Should -Be '/some/dir/.s.PGSQL.6543'
        $info.IsUnixSocket | Should -BeTrue
        $info.Username | Should -Be 'root'
        $info.Database | Should -Be 'lamassu'
        $info.Parameters.Name | Should -Be 'sslmode'
        $info.NpgsqlConnectionString | Should -Match 'Host=/some/dir;Port=6543'
    }

    It 'round-trips through its own output by property name, also deserialized' {
        $info = ConvertFrom-PostgresUrl 'postgres://lamassu@%2Frun%2Fpostgresql:5433/lamassu'
        $deserialized = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($info))

        ($info | ConvertFrom-PostgresUrl).NpgsqlConnectionString | Should -Be $info.NpgsqlConnectionString
        ($deserialized | ConvertFrom-PostgresUrl).NpgsqlConnectionString | Should -Be $info.NpgsqlConnectionString
    }

    It 'masks the password everywhere unless -IncludeSecret, also with -IncludeSecret:$false' {
        $url = "postgresql://lamassu:$password@127.0.0.1:5432/lamassu?password=$password"

        foreach ($masked in (ConvertFrom-PostgresUrl $url), (ConvertFrom-PostgresUrl $url -IncludeSecret:$false)) {
            ($masked | Format-List * | Out-String) + ($masked | Out-String) + ($masked | ConvertTo-Json -Depth 4) | Should -Not -Match $password
            $masked.Password | Should -Not -BeNullOrEmpty
        }
        $shown = ConvertFrom-PostgresUrl $url -IncludeSecret
        $shown.Password | Should -Be $password
        $shown.Url | Should -Be $url
        $shown.NpgsqlConnectionString | Should -Match ([regex]::Escape("Password=$password"))
    }

    It 'converts each URL of the pipeline; a bad one is one non-terminating error with its id, the others still come' {
        $infos = @($rootUrl, $badUrl, (Get-SocketUrl $serviceUser $serviceUser) | ConvertFrom-PostgresUrl -ErrorVariable failures -ErrorAction SilentlyContinue)

        $infos.Username | Should -Be 'root', $serviceUser
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'PostgresUrlUnencodedSocketPath,LamassuOps.Commands.ConvertFromPostgresUrlCommand'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failures[0].ErrorDetails.RecommendedAction + $failures[0].Exception.Message | Should -Match '%2F'
        $failures[0].ScriptStackTrace + ($failures[0] | Out-String) | Should -Not -Match '   at LamassuOps\.'
    }

    It '-ErrorAction Stop makes a bad URL catchable in try/catch' {
        $caught = $null
        try { ConvertFrom-PostgresUrl $badUrl -ErrorAction Stop } catch { $caught = $_ }

        $caught.FullyQualifiedErrorId | Should -Be 'PostgresUrlUnencodedSocketPath,LamassuOps.Commands.ConvertFromPostgresUrlCommand'
        $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'Test-PeerAuth on the real server' {
    It 'succeeds for the OS user running the tests, over the socket, and says so check by check' {
        $report = Test-PeerAuth @socket -ErrorAction Stop

        $report.Succeeded | Should -BeTrue
        $report.Diagnosis | Should -Be 'None'
        $report.OperatingSystemUser | Should -Be 'root'
        $report.AuthenticatedUser | Should -Be 'root'
        $report.OverSocket | Should -BeTrue
        $report.DatabaseOwner | Should -Be 'root'
        $report.ServerVersion | Should -Match '^15\.'
        $report.Checks.Count | Should -BeGreaterThan 3
        $report.Checks.Status | Should -Not -Contain 'Failed'
    }

    It '-Quiet answers $true or $false only; -Quiet:$false gives the report' {
        Test-PeerAuth @socket -Quiet | Should -BeExactly $true
        Test-PeerAuth @socket -User $missingRole -Quiet | Should -BeExactly $false
        (Test-PeerAuth @socket -Quiet:$false).GetType().Name | Should -Be 'PeerAuthReport'
    }

    It 'reports a role that does not exist with its diagnosis and the fix, without throwing' {
        $report = Test-PeerAuth @socket -User $missingRole -Database lamassu -ErrorAction Stop

        $report.Succeeded | Should -BeFalse
        $report.Diagnosis | Should -Be 'RoleMissing'
        $report.Message | Should -Match $missingRole
        $report.Fix | Should -Match "CREATE ROLE `"$missingRole`" LOGIN"
    }

    It 'tells a role the OS user may not use (peer mismatch) from a missing one' {
        $report = Test-PeerAuth @socket -User $serviceUser

        $report.Diagnosis | Should -Be 'PeerMismatch'
        $report.Fix | Should -Match "runuser -u $serviceUser"
    }

    It 'succeeds for the service user when run as that OS user, as its systemd unit would' {
        $command = "Import-Module '$manifestPath'; (Assert-PeerAuth -SocketDirectory '$($pg.SocketDirectory)' -Port $($pg.Port) -PassThru).AuthenticatedUser"
        # This very PowerShell: its executable, or dotnet and pwsh.dll where it runs as a dotnet tool.
        $pwsh = @([Environment]::ProcessPath)
        if ([IO.Path]::GetFileNameWithoutExtension($pwsh[0]) -eq 'dotnet') { $pwsh += Join-Path $PSHOME 'pwsh.dll' }
        $output = & runuser -u $serviceUser -- env HOME=/tmp @pwsh -NoProfile -NonInteractive -Command $command 2>&1

        $LASTEXITCODE | Should -Be 0
        $output | Should -Be $serviceUser
    }

    It 'tests the server a URL names: ConvertFrom-PostgresUrl | Test-PeerAuth binds Url by property name' {
        $reports = @($rootUrl, (Get-SocketUrl $missingRole lamassu) | ConvertFrom-PostgresUrl | Test-PeerAuth)

        $reports.Succeeded | Should -Be $true, $false
        $reports.Host | Should -Be $pg.SocketDirectory, $pg.SocketDirectory
        $reports.Port | Should -Be $pg.Port, $pg.Port
        $reports[1].Diagnosis | Should -Be 'RoleMissing'
    }

    It 'binds the same after an Export-Clixml/Import-Clixml round trip' {
        $file = Join-Path $TestDrive 'connection.clixml'
        ConvertFrom-PostgresUrl $rootUrl | Export-Clixml -LiteralPath $file

        $imported = Import-Clixml -LiteralPath $file
        $imported.pstypenames[0] | Should -Be 'Deserialized.LamassuOps.Core.Postgres.PostgresConnectionInfo'
        $report = $imported | Test-PeerAuth

        $report.Succeeded | Should -BeTrue
        $report.Host | Should -Be $pg.SocketDirectory
    }
}

Describe 'Assert-PeerAuth on the real server' {
    It 'is silent on success; -PassThru gives the report, -PassThru:$false does not' {
        Assert-PeerAuth @socket -ErrorAction Stop | Should -BeNullOrEmpty
        Assert-PeerAuth @socket -PassThru:$false -ErrorAction Stop | Should -BeNullOrEmpty
        (Assert-PeerAuth @socket -PassThru -ErrorAction Stop).Succeeded | Should -BeTrue
    }

    It 'fails with PeerAuthRoleMissing, the fix as the recommended action, catchable with -ErrorAction Stop' {
        $caught = $null
        try { Assert-PeerAuth @socket -User $missingRole -Database lamassu -ErrorAction Stop } catch { $caught = $_ }

        $caught.FullyQualifiedErrorId | Should -Be 'PeerAuthRoleMissing,LamassuOps.Commands.AssertPeerAuthCommand'
        $caught.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $caught.Exception.Message | Should -Match $missingRole
        $caught.ErrorDetails.RecommendedAction | Should -Match 'CREATE ROLE'
    }

    It 'is a gate: the first failing URL of a pipeline stops it, even under -ErrorAction SilentlyContinue' {
        $caught = $null
        try {
            $rootUrl, (Get-SocketUrl $missingRole lamassu), $rootUrl | ConvertFrom-PostgresUrl |
                Assert-PeerAuth -PassThru -OutVariable passed -ErrorAction SilentlyContinue
        }
        catch { $caught = $_ }

        $caught.FullyQualifiedErrorId | Should -Be 'PeerAuthRoleMissing,LamassuOps.Commands.AssertPeerAuthCommand'
        @($passed).Count | Should -Be 1
    }

    It 'never shows the password of a URL it was given' {
        $url = (Get-SocketUrl root root) -replace '^postgresql://root@', "postgresql://root:$password@"

        $report = Assert-PeerAuth -DatabaseUrl $url -PassThru -ErrorAction Stop -WarningVariable warnings -WarningAction SilentlyContinue
        ($report | Format-List * | Out-String) + ($warnings | Out-String) | Should -Not -Match $password
        $report.Succeeded | Should -BeTrue
    }
}

Describe 'The lamassu cmdlets on package trees' {
    BeforeAll {
        $v10 = New-LamassuPackageTree -Path (Join-Path $TestDrive 'v10') -DatabaseUrlPatch -Migration '001-initial.js', '002-cashbox.js'
        $v12 = New-LamassuPackageTree -Path (Join-Path $TestDrive 'v12') -V12 -PgConnectionStringVersion '2.6.2' -Migration '001-initial.js'
        $old = New-LamassuPackageTree -Path (Join-Path $TestDrive 'old') -PgConnectionStringVersion '2.5.0'
        $wrapperDirectory = Join-Path $TestDrive 'wrappers'
        $null = New-Item -ItemType Directory -Path $wrapperDirectory
        $wrapper = @{ DatabaseUser = $serviceUser; Hostname = 'lamassu.example'; NodeDirectory = '/usr/bin' } + $socket
    }

    It 'Get-LamassuPeerAuthReadiness recommends the mode each package supports' {
        $readiness = @($v10, $v12, $old | Get-LamassuPeerAuthReadiness -ErrorAction Stop)

        $readiness.Layout | Should -Be 'V10Root', 'V12Packages', 'V10Root'
        $readiness.RecommendedMode | Should -Be 'DatabaseUrl', 'EncodedSocketHost', 'PasswordTcp'
        $readiness[1].TypesafeDbReadsDatabaseUrl | Should -BeFalse
        $readiness[2].PgConnectionStrings.Version | Should -Be '2.5.0'
    }

    It 'Get-LamassuPeerAuthReadiness: a missing package is one error with its id; the others are read' {
        $missing = Join-Path $TestDrive 'no-such-package'

        $readiness = @(Get-LamassuPeerAuthReadiness -PackagePath $v10, $missing, $v12 -ErrorVariable failures -ErrorAction SilentlyContinue)

        $readiness.PackagePath | Should -Be $v10, $v12
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'LamassuPackageNotFound,LamassuOps.Commands.GetLamassuPeerAuthReadinessCommand'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be $missing
    }

    It 'New-LamassuEnvWrapper writes the wrapper; -PassThru gives the same text that is on disk' {
        $path = Join-Path $wrapperDirectory 'lamassu-env'

        $result = New-LamassuEnvWrapper $path -PackagePath $v10 @wrapper -PassThru -ErrorAction Stop

        $result.Written | Should -BeTrue
        $result.Mode | Should -Be 'DatabaseUrl'
        [IO.File]::ReadAllText($path) | Should -BeExactly $result.Text
        $result.Text | Should -Match ([regex]::Escape("host=$($pg.SocketDirectory)"))
        New-LamassuEnvWrapper $path -PackagePath $v10 @wrapper -PassThru:$false -Force:$true | Should -BeNullOrEmpty
    }

    It 'New-LamassuEnvWrapper -WhatIf composes byte for byte the wrapper it would write, and writes nothing' {
        $written = Join-Path $wrapperDirectory 'written-env'
        $planned = Join-Path $wrapperDirectory 'planned-env'
        $null = New-LamassuEnvWrapper $written -PackagePath $v12 @wrapper -ErrorAction Stop
        $before = Get-DirectoryState $wrapperDirectory

        $result = New-LamassuEnvWrapper $planned -PackagePath $v12 @wrapper -PassThru -WhatIf -ErrorAction Stop

        $result.Written | Should -BeFalse
        [Text.Encoding]::UTF8.GetBytes($result.Text) | Should -Be ([IO.File]::ReadAllBytes($written))
        Test-Path -LiteralPath $planned | Should -BeFalse
        Get-DirectoryState $wrapperDirectory | Should -Be $before
    }

    It 'New-LamassuEnvWrapper refuses to replace a wrapper without -Force (also -Force:$false), with its id' {
        $path = Join-Path $wrapperDirectory 'existing-env'
        Set-Content -LiteralPath $path -Value 'keep me'
        $caught = $null

        try { New-LamassuEnvWrapper $path -PackagePath $v10 @wrapper -Force:$false -ErrorAction Stop } catch { $caught = $_ }

        $caught.FullyQualifiedErrorId | Should -Be 'WrapperFileExists,LamassuOps.Commands.NewLamassuEnvWrapperCommand'
        $caught.CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-Content -LiteralPath $path | Should -Be 'keep me'
    }

    It 'Get-LamassuPeerAuthReadiness | New-LamassuEnvWrapper -WhatIf binds PackagePath by property name' {
        $before = Get-DirectoryState $wrapperDirectory

        $results = @(Get-LamassuPeerAuthReadiness $v10, $v12 | New-LamassuEnvWrapper (Join-Path $wrapperDirectory 'piped-env') @wrapper -PassThru -WhatIf)

        $results.PackagePath | Should -Be $v10, $v12
        $results.Mode | Should -Be 'DatabaseUrl', 'EncodedSocketHost'
        Get-DirectoryState $wrapperDirectory | Should -Be $before
    }

    It 'New-LamassuEnvWrapper -Mode PasswordTcp puts no password in the wrapper, only the file to read it from' {
        $secretFile = Join-Path $TestDrive 'db-password'
        Set-Content -LiteralPath $secretFile -Value $password

        $result = New-LamassuEnvWrapper (Join-Path $wrapperDirectory 'tcp-env') -PackagePath $old @wrapper -Mode PasswordTcp -PasswordFile $secretFile -PassThru -WhatIf

        $result.Text | Should -Match ([regex]::Escape($secretFile))
        ($result | Format-List * | Out-String) | Should -Not -Match $password
    }
}

Describe 'Get-LamassuMigrationStatus on the real server' {
    BeforeAll {
        $package = New-LamassuPackageTree -Path (Join-Path $TestDrive 'migrating') -V12 -Migration '001-initial.js', '002-cashbox.js', '004-new.js'
        $recorded = @{ title = '001-initial.js'; timestamp = 1700000000123 }, @{ title = '002-cashbox.js'; timestamp = 1700000060123 },
            @{ title = '003-removed-upstream.js'; timestamp = 1700000120123 }
        Set-LamassuMigrationState $pg -Database lamassu -LastRun '003-removed-upstream.js' -Migration $recorded
    }

    It 'lists applied, pending and missing migrations of the package against lamassu''s table' {
        $status = Get-LamassuMigrationStatus $package @socket -ErrorAction Stop

        $status.Migrations.Title | Should -Be '001-initial.js', '002-cashbox.js', '003-removed-upstream.js', '004-new.js'
        $status.Migrations.State | Should -Be 'Applied', 'Applied', 'Missing', 'Pending'
        $status.Applied, $status.Pending, $status.Missing | Should -Be 2, 1, 1
        $status.UpToDate | Should -BeFalse
        $status.ServerVersionSupported | Should -BeTrue
        $status.LastRun | Should -Be '003-removed-upstream.js'
    }

    It 'Get-LamassuPeerAuthReadiness | Get-LamassuMigrationStatus binds PackagePath by property name' {
        $status = Get-LamassuPeerAuthReadiness $package | Get-LamassuMigrationStatus @socket -ErrorAction Stop

        $status.PackagePath | Should -Be $package
        $status.Pending | Should -Be 1
    }

    It 'reads the database a URL names, also from ConvertFrom-PostgresUrl by property name' {
        $byUrl = Get-LamassuMigrationStatus $package -DatabaseUrl (Get-SocketUrl root lamassu) -ErrorAction Stop
        $piped = ConvertFrom-PostgresUrl (Get-SocketUrl root lamassu) | Get-LamassuMigrationStatus -PackagePath $package -ErrorAction Stop

        $byUrl.Database, $piped.Database | Should -Be 'lamassu', 'lamassu'
        $piped.Missing | Should -Be 1
    }

    It 'a database lamassu-migrate never ran on has every migration pending' {
        $status = Get-LamassuMigrationStatus $package @socket -Database root -ErrorAction Stop

        $status.MigrationsTableExists | Should -BeFalse
        $status.Pending | Should -Be 3
    }

    It 'fails with the peer-auth diagnosis when it cannot log in, catchable with -ErrorAction Stop' {
        $caught = $null
        try { Get-LamassuMigrationStatus $package @socket -User $missingRole -ErrorAction Stop } catch { $caught = $_ }

        $caught.FullyQualifiedErrorId | Should -Be 'PeerAuthRoleMissing,LamassuOps.Commands.GetLamassuMigrationStatusCommand'
        $caught.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $caught.ErrorDetails.RecommendedAction | Should -Match 'CREATE ROLE'
    }

    It 'a package without a migrations folder is LamassuMigrationsFolderNotFound' {
        $bare = New-LamassuPackageTree -Path (Join-Path $TestDrive 'bare')

        { Get-LamassuMigrationStatus $bare @socket -ErrorAction Stop } | Should -Throw -ErrorId 'LamassuMigrationsFolderNotFound,*'
    }
}
