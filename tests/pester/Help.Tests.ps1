#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    Get-Help reads the module's MAML (en-US/LamassuOps.dll-Help.xml, built from docs/en-US by
    tools/LamassuOps.HelpBuilder) for every exported cmdlet, and about_LamassuOps.
#>

BeforeDiscovery {
    $repositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
    $exportedCmdlets = (Import-PowerShellDataFile (Join-Path $repositoryRoot 'LamassuOps.psd1')).CmdletsToExport
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $common = @([System.Management.Automation.Cmdlet]::CommonParameters) + @([System.Management.Automation.Cmdlet]::OptionalCommonParameters)
    # The parameters help must describe: all but the common ones, with -WhatIf and -Confirm where a cmdlet has them.
    function Get-DocumentableParameter([string] $Name) {
        (Get-Command -Name $Name).Parameters.Keys | Where-Object { $_ -notin $common -or $_ -in 'WhatIf', 'Confirm' }
    }
}

AfterAll {
    Remove-Module LamassuOps -Force -ErrorAction Ignore
}

Describe 'Help for <_>' -ForEach $exportedCmdlets {
    BeforeAll {
        $help = Get-Help -Name $_ -Full
    }

    It 'comes from the module''s MAML file' {
        $help.ModuleName | Should -Be 'LamassuOps'
        Test-Path -LiteralPath (Join-Path $module.ModuleBase 'en-US' 'LamassuOps.dll-Help.xml') | Should -BeTrue
    }

    It 'has a written synopsis, not the generated syntax' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '\[<CommonParameters>\]'
        $help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($_))\s"
    }

    It 'has a description' {
        ($help.Description | Out-String).Trim().Length | Should -BeGreaterThan 40
    }

    It 'has at least one example, each with code and an explanation' {
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        foreach ($example in $help.Examples.Example) {
            $example.Code | Should -Not -BeNullOrEmpty
            ($example.Remarks | Out-String).Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'describes every parameter, with its type' {
        $documented = @($help.Parameters.Parameter | Where-Object { ($_.Description | Out-String).Trim() })

        foreach ($parameter in Get-DocumentableParameter $_) {
            $parameter | Should -BeIn $documented.Name
        }
        foreach ($parameter in $documented) {
            $parameter.Type.Name | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) has a type"
        }
    }

    It 'documents no parameter the cmdlet does not have' {
        $actual = Get-DocumentableParameter $_

        foreach ($parameter in $help.Parameters.Parameter.Name) {
            $parameter | Should -BeIn $actual
        }
    }

    It 'says which parameters take pipeline input as the cmdlet does' {
        $command = Get-Command -Name $_
        foreach ($parameter in $help.Parameters.Parameter) {
            $attributes = $command.Parameters[$parameter.Name].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
            $byValue = [bool]($attributes | Where-Object ValueFromPipeline)
            $byName = [bool]($attributes | Where-Object ValueFromPipelineByPropertyName)
            $expected = if ($byValue -and $byName) { 'True (ByPropertyName, ByValue)', 'True (ByValue, ByPropertyName)' }
            elseif ($byValue) { , 'True (ByValue)' } elseif ($byName) { , 'True (ByPropertyName)' } else { , 'False' }

            $parameter.PipelineInput | Should -BeIn $expected -Because "-$($parameter.Name) of $_"
        }
    }

    It 'Get-Help -Parameter shows one parameter''s description' {
        $name = @(Get-DocumentableParameter $_)[0]

        $parameterHelp = Get-Help -Name $_ -Parameter $name

        $parameterHelp.Name | Should -Be $name
        ($parameterHelp.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        (Get-Help -Name $_ -Parameter $name | Out-String) | Should -Match "-$name"
    }
}

Describe 'about_LamassuOps' {
    It 'is found by Get-Help, with its safety rules and the lamassuops CLI' {
        $text = Get-Help about_LamassuOps | Out-String

        $text | Should -Match 'SAFETY'
        $text | Should -Match 'lamassuops'
    }

    It 'names every exported cmdlet' {
        $text = Get-Help about_LamassuOps | Out-String

        foreach ($cmdlet in (Get-Command -Module LamassuOps -CommandType Cmdlet).Name) {
            $text | Should -Match ([regex]::Escape($cmdlet))
        }
    }
}
