#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The default views of formats/*.Format.ps1xml on real objects of every type the cmdlets output (the sample
    nsecbunkerd database, a PostgreSQL 15 this suite starts, lamassu package trees):
      - at 120 columns no line is longer and no column is dropped: every column a table view names is in its header
        line, unbroken; every line a list view names is there;
      - at 80 columns a table still shows its key columns (the first three), and every header it shows is unbroken
        (columns that do not fit are left out whole, from the right: the views put the key columns first);
      - nothing prints as a type name (LamassuOps.Core..., System.Collections...), in Format-Table or Format-List.
#>

BeforeDiscovery {
    $repositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
    $views = foreach ($file in Get-ChildItem (Join-Path $repositoryRoot 'formats') -Filter '*.Format.ps1xml') {
        foreach ($view in ([xml] (Get-Content -Raw -LiteralPath $file.FullName)).Configuration.ViewDefinitions.View) {
            $isTable = [bool] $view.TableControl
            $labels = if ($isTable) {
                $headers = @($view.TableControl.TableHeaders.TableColumnHeader)
                $items = @($view.TableControl.TableRowEntries.TableRowEntry.TableColumnItems.TableColumnItem)
                for ($i = 0; $i -lt $items.Count; $i++) {
                    if ($headers[$i] -is [Xml.XmlElement] -and $headers[$i].Label) { $headers[$i].Label } else { $items[$i].PropertyName }
                }
            }
            else {
                foreach ($item in $view.ListControl.ListEntries.ListEntry.ListItems.ListItem) { if ($item.Label) { $item.Label } else { $item.PropertyName } }
            }
            @{ Name = $view.Name; TypeName = $view.ViewSelectedBy.TypeName; IsTable = $isTable; Labels = @($labels) }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'Lamassu.Support.ps1')
    . (Join-Path $PSScriptRoot 'OutputSamples.ps1')
    $pg = Start-TestPostgres
    $samples = Get-OutputSample -Server $pg -Directory $TestDrive 3>$null 6>$null

    # The table header line: the first line of the output that is not blank.
    function Get-HeaderLine([string] $Text) { @($Text -split "`n" | Where-Object { $_.Trim() })[0] }
    function Get-LongestLine([string] $Text) { ($Text -split "`n" | ForEach-Object { $_.TrimEnd("`r").Length } | Measure-Object -Maximum).Maximum }
}

AfterAll {
    Stop-TestPostgres -BaseDirectory $pg.BaseDirectory
    Remove-Module LamassuOps -Force -ErrorAction Ignore
}

Describe 'Every output type' {
    It 'has a default view: every type a cmdlet declares and every type nested in its output' {
        $viewed = @((Get-FormatData -TypeName 'LamassuOps.Core.*').TypeNames)
        $declared = (Get-Command -Module LamassuOps -CommandType Cmdlet).OutputType.Type.FullName | Where-Object { $_ -like 'LamassuOps.*' }

        foreach ($type in @($declared) + @($samples.Keys -like 'LamassuOps.*')) {
            $type | Should -BeIn $viewed
        }
    }
}

Describe 'The <Name> view' -ForEach $views {
    BeforeAll {
        $objects = $samples[$TypeName]
        $format = if ($IsTable) { 'Format-Table' } else { 'Format-List' }
    }

    It 'is shown on real objects' {
        $samples.ContainsKey($TypeName) | Should -BeTrue -Because "the samples must hold a $TypeName"
    }

    It 'fits 120 columns and drops no column' {
        $text = $objects | & $format | Out-String -Width 120

        Get-LongestLine $text | Should -BeLessOrEqual 120
        foreach ($label in $Labels) {
            if ($IsTable) { Get-HeaderLine $text | Should -Match "(^|\s)$([regex]::Escape($label))(\s|$)" -Because "column $label is shown" }
            else { $text | Should -Match "(?m)^$([regex]::Escape($label)) *:" -Because "line $label is shown" }
        }
    }

    It 'keeps its key columns, their headers unbroken, at 80 columns' {
        $text = $objects | & $format | Out-String -Width 80

        Get-LongestLine $text | Should -BeLessOrEqual 80
        $key = if ($IsTable) { $Labels | Select-Object -First 3 } else { $Labels }
        if ($IsTable) {
            foreach ($word in -split (Get-HeaderLine $text)) { $word | Should -BeIn $Labels -Because 'a header narrower than its label breaks it' }
        }
        foreach ($label in $key) {
            if ($IsTable) { Get-HeaderLine $text | Should -Match "(^|\s)$([regex]::Escape($label))(\s|$)" -Because "key column $label is shown" }
            else { $text | Should -Match "(?m)^$([regex]::Escape($label)) *:" -Because "line $label is shown" }
        }
    }

    It 'prints no type name in Format-Table or Format-List' {
        $text = ($objects | Format-Table | Out-String -Width 200) + ($objects | Format-List | Out-String -Width 200)

        $text | Should -Not -Match 'LamassuOps\.Core\.|System\.Collections'
    }
}
