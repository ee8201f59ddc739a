#Requires -Version 7.4
<#
    The module installed the way users install modules: the .nupkg that ./build.ps1 -Task Nupkg builds (the same
    Publish-ModuleNupkg of build/LamassuOps.Build.psm1), installed with Install-PSResource from a local file repository
    into an empty CurrentUser module path, then used by name (auto-loading, no Import-Module) in a fresh pwsh whose
    HOME and XDG folders are a temporary directory, so nothing of this machine's modules or repositories is seen.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $repositoryRoot 'build' 'LamassuOps.Build.psm1') -Force

    # Runs a script in a new pwsh whose HOME is $HomeDirectory and whose PSModulePath is pwsh's default. The XDG
    # variables are removed, not pointed elsewhere: pwsh reads XDG_DATA_HOME for the CurrentUser module folder but
    # Install-PSResource (1.2.0) always installs into $HOME/.local/share/powershell/Modules, and with XDG_DATA_HOME set
    # it keeps its repository list in ./PSResourceGet/ of the current directory.
    function Invoke-IsolatedPwsh {
        param([string] $HomeDirectory, [string] $Script, [string[]] $Arguments)
        $start = [System.Diagnostics.ProcessStartInfo]::new((Get-PwshPath))
        foreach ($argument in @('-NoProfile', '-NonInteractive', '-File', $Script) + $Arguments) {
            $start.ArgumentList.Add($argument)
        }
        $start.RedirectStandardOutput = $start.RedirectStandardError = $true
        $start.Environment['HOME'] = $HomeDirectory
        foreach ($inherited in 'PSModulePath', 'LAMASSUOPS_MODULE_MANIFEST', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME') {
            $null = $start.Environment.Remove($inherited)
        }
        $process = [System.Diagnostics.Process]::Start($start)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEnd()
        if (-not $process.WaitForExit(300000)) {
            $process.Kill($true)
            throw "The isolated pwsh did not finish in 5 minutes: $stderr"
        }
        [pscustomobject]@{ ExitCode = $process.ExitCode; Stdout = $stdout.Result; Stderr = $stderr }
    }

    $version = $module.Version.ToString()
    $repository = Join-Path $TestDrive 'repository'
    $nupkg = Publish-ModuleNupkg -ModuleDirectory $module.ModuleBase -RepositoryPath $repository

    $database = New-SampleBunkerDirectory
    $keyUserIds = @(sqlite3 $database 'SELECT id FROM KeyUser ORDER BY id' | ForEach-Object { [long] $_ })

    $userHome = Join-Path $TestDrive 'home'
    $null = New-Item -ItemType Directory -Path $userHome
    $session = Join-Path $TestDrive 'install-and-use.ps1'
    Set-Content -LiteralPath $session -Value @'
param([string] $Repository, [string] $Database, [string] $ReportPath)
$ErrorActionPreference = 'Stop'
$listedBefore = @(Get-Module -ListAvailable -Name LamassuOps).Count
Register-PSResourceRepository -Name LamassuOpsTest -Uri $Repository -Trusted
Install-PSResource -Name LamassuOps -Repository LamassuOpsTest -Scope CurrentUser
$loadedBeforeUse = [bool](Get-Module -Name LamassuOps)
$pairings = @(Get-BunkerPairing -Path $Database)
$loaded = Get-Module -Name LamassuOps
$core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'LamassuOps.Core' }
$help = Get-Help -Name Remove-StaleSigningCondition -Full
[pscustomobject]@{
    ListedBefore    = $listedBefore
    Installed       = @(Get-InstalledPSResource -Name LamassuOps | ForEach-Object { "$($_.Name) $($_.Version)" })
    LoadedBeforeUse = $loadedBeforeUse
    ModuleBase      = $loaded.ModuleBase
    CoreLocation    = @($core.Location)
    KeyUserIds      = @($pairings | Where-Object KeyUserId | ForEach-Object KeyUserId | Sort-Object)
    HelpSynopsis    = $help.Synopsis
    HelpParameters  = @($help.Parameters.Parameter.Name)
    HelpExamples    = @($help.Examples.Example).Count
} | ConvertTo-Json -Depth 3 | Set-Content -LiteralPath $ReportPath
'@
    $reportPath = Join-Path $TestDrive 'report.json'
    $run = Invoke-IsolatedPwsh -HomeDirectory $userHome -Script $session -Arguments @($repository, $database, $reportPath)
    $report = if ($run.ExitCode -eq 0) { Get-Content -Raw -LiteralPath $reportPath | ConvertFrom-Json } else { $null }
}

Describe 'The .nupkg built by Publish-ModuleNupkg' {
    It 'is <Name>.<version>.nupkg in the repository folder, with the module laid out as packaged' {
        $nupkg.FullName | Should -Be (Join-Path $repository "LamassuOps.$version.nupkg")
        $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg.FullName)
        try {
            $entries = $zip.Entries.FullName
        }
        finally {
            $zip.Dispose()
        }
        foreach ($file in 'LamassuOps.psd1', 'LamassuOps.dll', 'en-US/LamassuOps.dll-Help.xml', 'dependencies/LamassuOps.Core.dll') {
            $entries | Should -Contain $file
        }
    }
}

Describe 'Install-PSResource into an empty module path, then use by name' {
    It 'the isolated session ran to the end' {
        $run.Stderr | Should -BeNullOrEmpty
        $run.ExitCode | Should -Be 0
    }

    It 'saw no LamassuOps before installing, and exactly the published version after' {
        $report.ListedBefore | Should -Be 0
        $report.Installed | Should -Be @("LamassuOps $version")
    }

    It 'loads the module from the installed copy on first use (auto-loading)' {
        $report.LoadedBeforeUse | Should -BeFalse
        $report.ModuleBase | Should -BeLike (Join-Path $userHome '*')
        $report.ModuleBase | Should -BeLike (Join-Path '*' 'Modules' 'LamassuOps' $version)
        $report.CoreLocation | Should -Be @(Join-Path $report.ModuleBase 'dependencies' 'LamassuOps.Core.dll')
    }

    It 'reads every pairing of the sample database' {
        $report.KeyUserIds | Should -Be $keyUserIds
    }

    It 'has the MAML help of the installed copy' {
        $report.HelpSynopsis | Should -Not -BeNullOrEmpty
        $report.HelpSynopsis | Should -Not -Match '\[<CommonParameters>\]'
        $report.HelpParameters | Should -Contain 'AcceptPermissionLoss'
        $report.HelpExamples | Should -BeGreaterThan 0
    }
}
