#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, generates help for and packages the LamassuOps module.

.DESCRIPTION
    Tasks, in the order -Task All runs them:
      Build    dotnet build LamassuOps.sln
      Help     regenerates en-US/LamassuOps.dll-Help.xml from docs/en-US (tools/LamassuOps.HelpBuilder)
      Test     bash tests/run, the CI command: installs pwsh 7.6.9 and Pester 5.7.1 when missing, runs the xunit
               suite, packages the module and runs the Pester suite against the package. Without bash: dotnet test,
               then Package and Pester.
      Package  lays out <OutputPath>/LamassuOps/<version>/ with build/Package.proj (the same MSBuild project the
               xunit packaging tests use), then checks it with Test-ModuleManifest
      Nupkg    builds <OutputPath>/repository/LamassuOps.<version>.nupkg of the packaged module with
               Publish-PSResource; that folder is a local file repository Install-PSResource installs from
    Not in All (Test runs it):
      Pester   the Pester suite (tests/pester/run.ps1, Pester 5.7.1) against the packaged module, in a child pwsh

.PARAMETER Task
    One or more of All, Build, Help, Test, Package, Nupkg, Pester.

.PARAMETER Configuration
    Release (default) or Debug.

.PARAMETER OutputPath
    Where the module folder and the repository folder go; default ./out.

.EXAMPLE
    ./build.ps1

    Everything: build, regenerate help, run the xunit and Pester tests, package, and build the .nupkg.

.EXAMPLE
    ./build.ps1 -Task Package
    Import-Module ./out/LamassuOps/0.1.0/LamassuOps.psd1

    Packages without testing and imports the result.

.EXAMPLE
    ./build.ps1 -Task Package, Nupkg
    Register-PSResourceRepository -Name LamassuOpsLocal -Uri ./out/repository -Trusted
    Install-PSResource -Name LamassuOps -Repository LamassuOpsLocal

    Builds the .nupkg and installs it the way modules are installed (for the current user).
#>
[CmdletBinding()]
param(
    [ValidateSet('All', 'Build', 'Help', 'Test', 'Package', 'Nupkg', 'Pester')]
    [string[]] $Task = 'All',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    [string] $OutputPath = (Join-Path $PSScriptRoot 'out')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'build' 'LamassuOps.Build.psm1') -Force

function Invoke-Native {
    param([string] $Command, [string[]] $Arguments)
    Write-Host "> $Command $($Arguments -join ' ')" -ForegroundColor Cyan
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "'$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Get-PackagedModuleDirectory {
    $version = (Import-PowerShellDataFile -Path (Join-Path $PSScriptRoot 'LamassuOps.psd1')).ModuleVersion
    Join-Path $OutputPath 'LamassuOps' $version
}

function Assert-Packaged {
    $manifestPath = Join-Path (Get-PackagedModuleDirectory) 'LamassuOps.psd1'
    if (-not (Test-Path $manifestPath)) {
        throw "No packaged module at $manifestPath; run ./build.ps1 -Task Package first."
    }
    $manifestPath
}

function Invoke-Package {
    $moduleOutput = [System.IO.Path]::TrimEndingDirectorySeparator($OutputPath) + [System.IO.Path]::DirectorySeparatorChar
    Invoke-Native dotnet @('msbuild', 'build/Package.proj', '-restore', '-nologo', '-v:minimal', "-p:Configuration=$Configuration", "-p:ModuleOutput=$moduleOutput")
    $manifest = Test-ModuleManifest -Path (Assert-Packaged)
    Write-Host "Packaged $($manifest.Name) $($manifest.Version) in $($manifest.ModuleBase)"
}

function Invoke-PesterSuite {
    # A child pwsh, so the binary module the tests import does not stay loaded (and locked) here.
    Invoke-Native (Get-PwshPath) @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'tests' 'pester' 'run.ps1'),
        '-ModuleManifest', (Assert-Packaged))
}

$tasks = if ($Task -contains 'All') { @('Build', 'Help', 'Test', 'Package', 'Nupkg') } else { $Task }
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
                    Invoke-Package
                    Invoke-PesterSuite
                }
            }
            'Package' {
                Invoke-Package
            }
            'Nupkg' {
                $nupkg = Publish-ModuleNupkg -ModuleDirectory (Split-Path (Assert-Packaged)) -RepositoryPath (Join-Path $OutputPath 'repository')
                Write-Host "Built $($nupkg.FullName)"
            }
            'Pester' {
                Invoke-PesterSuite
            }
        }
    }
}
finally {
    Pop-Location
}
