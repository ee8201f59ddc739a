# What build.ps1 and the Pester suite share, so that the tests exercise the build's own code path:
# finding the pwsh to start child sessions with, and building the module's .nupkg.

# The pwsh executable of this session. Not (Get-Process -Id $PID).Path: under pwsh installed as a .NET tool the
# process is `dotnet`. $PSHOME holds the executable in every installation (the .NET tool's store included).
function Get-PwshPath {
    $candidates = @(
        (Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh'))
        $env:LAMASSUOPS_PWSH
        (Get-Command pwsh -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
    )
    $found = $candidates | Where-Object { $_ -and (Test-Path -LiteralPath $_ -PathType Leaf) } | Select-Object -First 1
    if (-not $found) {
        throw "No pwsh executable found in $PSHOME, `$env:LAMASSUOPS_PWSH or PATH."
    }
    $found
}

# Builds <Name>.<Version>.nupkg of a packaged module folder (out/LamassuOps/<version>/) with Publish-PSResource into
# a local file repository folder, which Install-PSResource can then install from. Returns the .nupkg file.
# The repository is registered under a unique name only for the publish, so the user's repositories stay as they were.
function Publish-ModuleNupkg {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $ModuleDirectory,
        [Parameter(Mandatory)] [string] $RepositoryPath
    )
    $manifestFile = Get-ChildItem -LiteralPath $ModuleDirectory -Filter '*.psd1' | Select-Object -First 1
    if (-not $manifestFile) {
        throw "No module manifest in $ModuleDirectory; run ./build.ps1 -Task Package first."
    }
    $manifest = Import-PowerShellDataFile -LiteralPath $manifestFile.FullName
    $null = New-Item -ItemType Directory -Path $RepositoryPath -Force
    $nupkg = Join-Path $RepositoryPath "$($manifestFile.BaseName).$($manifest.ModuleVersion).nupkg"
    # A file repository refuses to publish a version it already holds; this folder is a build output.
    Remove-Item -LiteralPath $nupkg -ErrorAction Ignore

    Import-Module Microsoft.PowerShell.PSResourceGet -MinimumVersion 1.0.0 -ErrorAction Stop
    $repositoryName = 'LamassuOpsBuild-' + [guid]::NewGuid().ToString('N')
    Register-PSResourceRepository -Name $repositoryName -Uri ([System.IO.Path]::GetFullPath($RepositoryPath)) -Trusted
    try {
        Publish-PSResource -Path $ModuleDirectory -Repository $repositoryName -ErrorAction Stop
    }
    finally {
        Unregister-PSResourceRepository -Name $repositoryName
    }
    Get-Item -LiteralPath $nupkg
}

Export-ModuleMember -Function Get-PwshPath, Publish-ModuleNupkg
