#Requires -Version 7.4
<#
    build.ps1, the build module and every script of this suite parse with PowerShell's own parser: a syntax error fails
    here by name, line and column, even in a file no other test loads.
#>

BeforeDiscovery {
    $repositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
    $scripts = @(
        Join-Path $repositoryRoot 'build.ps1'
        Get-ChildItem (Join-Path $repositoryRoot 'build') -Include '*.ps1', '*.psm1' -Recurse
        Get-ChildItem (Join-Path $repositoryRoot 'tests' 'pester') -Filter '*.ps1'
    ) | ForEach-Object { [System.IO.Path]::GetRelativePath($repositoryRoot, $_) }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # Every parse error of a file, as "path:line:column: message".
    function Get-ScriptParseError {
        param([string] $Path)
        $tokens = $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref] $tokens, [ref] $errors)
        foreach ($e in $errors) {
            '{0}:{1}:{2}: {3}' -f $Path, $e.Extent.StartLineNumber, $e.Extent.StartColumnNumber, $e.Message
        }
    }
}

Describe 'The PowerShell scripts' {
    It 'include build.ps1, its module and this suite' -ForEach @{ Found = $scripts } {
        $Found | Should -Contain 'build.ps1'
        $Found | Should -Contain (Join-Path 'build' 'LamassuOps.Build.psm1')
        $Found | Should -Contain (Join-Path 'tests' 'pester' 'LamassuOps.Tests.ps1')
    }

    It '<_> parses without errors' -ForEach $scripts {
        Get-ScriptParseError -Path (Join-Path $repositoryRoot $_) | Should -BeNullOrEmpty
    }

    It 'reports a syntax error with its line' {
        $broken = Join-Path $TestDrive 'broken.ps1'
        Set-Content -LiteralPath $broken -Value "function Test-It {`n    if (`$a -eq 1 {`n        'x'`n}`n"

        $reported = @(Get-ScriptParseError -Path $broken)

        $reported | Should -Not -BeNullOrEmpty
        $reported[0] | Should -BeLike "${broken}:2:*"
    }
}
