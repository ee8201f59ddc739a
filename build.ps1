#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, generates help for and packages the LamassuOps module.

.DESCRIPTION
    Tasks, in the order -Task All runs them:
      Build    dotnet build LamassuOps.sln
      Help     regenerates en-US/LamassuOps.dll-Help.xml from docs/en-US (tools/LamassuOps.HelpBuilder)
      Test     bash tests/run (the CI command) where bash exists, dotnet test otherwise
      Package  lays out <OutputPath>/LamassuOps/<version>/ with build/Package.proj (the same MSBuild project the
               xunit packaging tests use), then checks it with Test-ModuleManifest
      Pester   Invoke-Pester tests/pester against the packaged module (needs Pester 5; -Task All runs it when
               Pester 5 is installed)

.PARAMETER Task
    One or more of All, Build, Help, Test, Package, Pester.

.PARAMETER Configuration
    Release (default) or Debug.

.PARAMETER OutputPath
    Where the module folder goes; default ./out.

.EXAMPLE
    ./build.ps1

    Everything: build, regenerate help, run the tests, package, and run Pester when it is installed.

.EXAMPLE
    ./build.ps1 -Task Package
    Import-Module ./out/LamassuOps/0.1.0/LamassuOps.psd1

    Packages without testing and imports the result.
#>
[CmdletBinding()]
param(
    [ValidateSet('All', 'Build', 'Help', 'Test', 'Package', 'Pester')]
    [string[]] $Task = 'All',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    [string] $OutputPath = (Join-Path $PSScriptRoot 'out')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Invoke-Native {
    param([string] $Command, [string[]] $Arguments)
    Write-Host "> $Command $($Arguments -join ' ')" -ForegroundColor Cyan
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "'$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Get-ModuleVersion {
    (Import-PowerShellDataFile -Path (Join-Path $PSScriptRoot 'LamassuOps.psd1')).ModuleVersion
}

function Get-PackagedManifestPath {
    Join-Path $OutputPath 'LamassuOps' (Get-ModuleVersion) 'LamassuOps.psd1'
}

function Test-PesterAvailable {
    [bool](Get-Module -ListAvailable -Name Pester | Where-Object Version -GE ([version] '5.0.0'))
}

$tasks = [System.Collections.Generic.List[string]]::new()
if ($Task -contains 'All') {
    $tasks.AddRange([string[]] @('Build', 'Help', 'Test', 'Package'))
    if (Test-PesterAvailable) {
        $tasks.Add('Pester')
    }
    else {
        Write-Warning 'Pester 5 is not installed: skipping the Pester suite (Install-Module Pester -MinimumVersion 5.0.0).'
    }
}
else {
    $tasks.AddRange([string[]] $Task)
}
$OutputPath = [System.IO.Path]::GetFullPath($OutputPath)

Push-Location $PSScriptRoot
try {
    foreach ($step in $tasks) {
        Write-Host "== $step" -ForegroundColor Green
        switch ($step) {
            'Build' {
                Invoke-Native dotnet @('build', 'LamassuOps.sln', '-c', $Configuration, '--nologo')
            }
            'Help' {
                Invoke-Native dotnet @('run', '--project', 'tools/LamassuOps.HelpBuilder', '-c', $Configuration)
            }
            'Test' {
                if (Get-Command bash -ErrorAction Ignore) {
                    Invoke-Native bash @('tests/run')
                }
                else {
                    Invoke-Native dotnet @('test', 'LamassuOps.sln', '-c', $Configuration, '--nologo')
                }
            }
            'Package' {
                $moduleOutput = [System.IO.Path]::TrimEndingDirectorySeparator($OutputPath) + [System.IO.Path]::DirectorySeparatorChar
                Invoke-Native dotnet @('msbuild', 'build/Package.proj', '-nologo', '-v:minimal', "-p:Configuration=$Configuration", "-p:ModuleOutput=$moduleOutput")
                $manifest = Test-ModuleManifest -Path (Get-PackagedManifestPath)
                Write-Host "Packaged $($manifest.Name) $($manifest.Version) in $($manifest.ModuleBase)"
            }
            'Pester' {
                $manifestPath = Get-PackagedManifestPath
                if (-not (Test-Path $manifestPath)) {
                    throw "No packaged module at $manifestPath; run ./build.ps1 -Task Package first."
                }
                if (-not (Test-PesterAvailable)) {
                    throw 'Pester 5 is not installed: Install-Module Pester -MinimumVersion 5.0.0'
                }
                # A child pwsh, so the binary module the tests import does not stay loaded (and locked) here.
                $testsPath = (Join-Path $PSScriptRoot 'tests' 'pester').Replace("'", "''")
                $command = "Import-Module Pester -MinimumVersion 5.0.0; " +
                    "`$c = New-PesterConfiguration; `$c.Run.Path = '$testsPath'; `$c.Run.Exit = `$true; " +
                    "`$c.Output.Verbosity = 'Detailed'; Invoke-Pester -Configuration `$c"
                $env:LAMASSUOPS_MODULE_MANIFEST = $manifestPath
                try {
                    Invoke-Native (Get-Process -Id $PID).Path @('-NoProfile', '-NonInteractive', '-Command', $command)
                }
                finally {
                    Remove-Item Env:LAMASSUOPS_MODULE_MANIFEST -ErrorAction Ignore
                }
            }
        }
    }
}
finally {
    Pop-Location
}
