#Requires -Version 7.4
<#
.SYNOPSIS
    Runs the Pester suite (tests/pester/*.Tests.ps1) with Pester 5.7.1 and ends with
    `Pester: N passed, N failed, N skipped`; exits 1 unless everything ran and passed.

.DESCRIPTION
    Run by tests/run and ./build.ps1 in a child pwsh. Failures are printed with their errors, then listed again at the
    end. A container or block that fails outside a test (a BeforeAll, a discovery error), no test discovered, or Pester
    not found each count as a failure, so none of them can pass silently.

.PARAMETER ModuleManifest
    The packaged module to test (LAMASSUOPS_MODULE_MANIFEST for Common.ps1); default: the newest under out/.

.PARAMETER Path
    Test files or folders; default tests/pester (every *.Tests.ps1 in it).
#>
param(
    [string] $ModuleManifest,
    [string[]] $Path = @($PSScriptRoot)
)

$ErrorActionPreference = 'Stop'
$pesterVersion = '5.7.1'

function Exit-WithCount([int] $Passed, [int] $Failed, [int] $Skipped) {
    Write-Host "Pester: $Passed passed, $Failed failed, $Skipped skipped"
    exit ($Failed -gt 0 ? 1 : 0)
}

if (-not (Get-Module -ListAvailable -Name Pester | Where-Object Version -EQ $pesterVersion)) {
    # Where tests/prepare.sh installs it.
    $tools = $env:LAMASSUOPS_TOOLS ? $env:LAMASSUOPS_TOOLS : '/opt/lamassuops-tools'
    $env:PSModulePath = (Join-Path $tools 'modules') + [System.IO.Path]::PathSeparator + $env:PSModulePath
}
try {
    Import-Module Pester -RequiredVersion $pesterVersion
}
catch {
    Write-Host "Pester $pesterVersion is not installed ($($_.Exception.Message)); bash tests/prepare.sh installs it."
    Exit-WithCount 0 1 0
}

if ($ModuleManifest) {
    $env:LAMASSUOPS_MODULE_MANIFEST = [System.IO.Path]::GetFullPath($ModuleManifest)
}
if ([Console]::IsOutputRedirected) {
    $PSStyle.OutputRendering = 'PlainText'
}

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Normal'
$result = Invoke-Pester -Configuration $configuration
if (-not $result -or $result.TotalCount -eq 0) {
    Write-Host "No Pester test discovered in $($Path -join ', ')."
    Exit-WithCount 0 1 0
}

# A test a failed BeforeAll kept from running is failed already; a block failing only outside its tests (AfterAll)
# and a file failing discovery count once each, so neither passes silently.
$failedTests = @($result.Failed)
$blocksFailedAlone = @($result.FailedBlocks | Where-Object {
        $prefix = "$($_.ExpandedPath)."
        -not ($failedTests | Where-Object { $_.ExpandedPath.StartsWith($prefix) })
    })
$problems = @(
    foreach ($test in $failedTests) { "test $($test.ExpandedPath): $($test.ErrorRecord ? $test.ErrorRecord[0] : 'its block failed')" }
    foreach ($block in $result.FailedBlocks) { "block $($block.ExpandedPath): $($block.ErrorRecord | Select-Object -First 1)" }
    foreach ($container in $result.FailedContainers) { "file $($container.Item): $($container.ErrorRecord | Select-Object -First 1)" }
)
if ($problems) {
    Write-Host "`nFailed:"
    $problems | ForEach-Object { Write-Host "  $_" }
}
$failed = $failedTests.Count + $blocksFailedAlone.Count + $result.FailedContainersCount + $result.InconclusiveCount
Exit-WithCount $result.PassedCount $failed ($result.SkippedCount + $result.NotRunCount)
