using LamassuOps.Cli;
using LamassuOps.HelpBuilder;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Help;

/// <summary>
/// The module's help: every cmdlet has a page that documents it exactly, the committed MAML is generated from the
/// current pages, lamassuops shows the same synopses, and the about topic covers the module.
/// </summary>
public sealed class HelpCoverageTests
{
    private static string DocsDirectory => HelpFiles.DocsDirectory(RepositoryPaths.Root);

    private static string PagePath(string commandName) => Path.Combine(DocsDirectory, commandName + ".md");

    [Fact]
    public void CommittedMamlIsGeneratedFromTheCurrentPages()
    {
        var committedPath = HelpFiles.OutputPath(RepositoryPaths.Root);
        var generated = HelpFiles.Generate(DocsDirectory);

        Assert.True(File.Exists(committedPath), $"en-US/{HelpFiles.HelpFileName} is missing; generate it with: {HelpFiles.RegenerateCommand}");
        Assert.True(generated == File.ReadAllText(committedPath),
            $"en-US/{HelpFiles.HelpFileName} is stale (docs/en-US changed since it was generated); regenerate it with: {HelpFiles.RegenerateCommand}");
    }

    [Fact]
    public void EveryCmdletHasAPageThatDocumentsItExactly()
    {
        var problems = new List<string>();
        foreach (var command in CommandCatalog.Commands)
        {
            var path = PagePath(command.Name);
            if (!File.Exists(path))
            {
                problems.Add($"{command.Name}: no docs/en-US/{command.Name}.md. Start from:\n{HelpPageRules.Skeleton(command)}");
                continue;
            }
            try
            {
                problems.AddRange(HelpPageRules.Problems(command, HelpPageParser.ParseFile(path)).Select(p => $"{command.Name}: {p}"));
            }
            catch (HelpPageException error)
            {
                problems.Add(error.Message);
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n\n", problems));
    }

    [Fact]
    public void EveryPageIsForACmdletOfTheModule()
    {
        var pages = Directory.Exists(DocsDirectory) ? Directory.EnumerateFiles(DocsDirectory, "*.md").Select(Path.GetFileNameWithoutExtension) : [];

        var orphans = pages.Where(name => CommandCatalog.Find(name!) is not { } command || command.Name != name).ToList();

        Assert.True(orphans.Count == 0, $"docs/en-US has pages for no cmdlet (or with the wrong case): {string.Join(", ", orphans)}");
    }

    [Fact]
    public void LamassuopsHelpShowsEachCmdletsSynopsis()
    {
        var overview = CliProcess.Run("--help");

        Assert.Equal(0, overview.ExitCode);
        foreach (var command in CommandCatalog.Commands)
        {
            var synopsis = string.Join(" ", HelpPageParser.ParseFile(PagePath(command.Name)).Synopsis);
            Assert.Contains($"{command.Name}  ", overview.Stdout);
            Assert.Contains(synopsis, overview.Stdout);

            var detail = CliProcess.Run(command.Name, "--help");
            Assert.Equal(0, detail.ExitCode);
            Assert.StartsWith($"{command.Name}\n  {synopsis}\n", detail.Stdout.ReplaceLineEndings("\n"));
        }
    }

    [Fact]
    public void TheAboutTopicIsShippedAndNamesEveryCmdlet()
    {
        var path = RepositoryPaths.Combine("en-US", "about_LamassuOps.help.txt");
        var text = File.ReadAllText(path);
        var lines = text.ReplaceLineEndings("\n").Split('\n');

        Assert.Equal("TOPIC", lines[0]);
        Assert.Equal("    about_LamassuOps", lines[1]);
        Assert.Contains("SHORT DESCRIPTION", lines);
        Assert.Contains("LONG DESCRIPTION", lines);
        Assert.All(lines, line => Assert.True(line.Length <= 80, $"about_LamassuOps line longer than 80 characters: {line}"));
        foreach (var name in ModuleManifest.Load().CmdletsToExport)
            Assert.Contains(name, text);
        Assert.Contains("lamassuops", text);
    }

    [Fact]
    public void SamplePagesDocumentTheSampleCmdletsExactly()
    {
        var pages = RepositoryPaths.Combine("tests", "LamassuOps.Tests", "Help", "Pages");

        Assert.Empty(HelpPageRules.Problems(CommandCatalog.Describe(typeof(GetSampleItemCommand)), HelpPageParser.ParseFile(Path.Combine(pages, "Get-SampleItem.md"))));
        Assert.Empty(HelpPageRules.Problems(CommandCatalog.Describe(typeof(RemoveSampleItemCommand)), HelpPageParser.ParseFile(Path.Combine(pages, "Remove-SampleItem.md"))));
    }

    [Fact]
    public void APageThatDriftedFromItsCmdletIsReportedPrecisely()
    {
        var markdown = File.ReadAllText(RepositoryPaths.Combine("tests", "LamassuOps.Tests", "Help", "Pages", "Remove-SampleItem.md"))
            .Replace("external help file: LamassuOps.dll-Help.xml", "external help file: LamassuOps-help.xml")
            .Replace("Required: True\nPosition: 0", "Required: True\nPosition: 1")
            .Replace("Aliases: PSPath, LP", "Aliases: PSPath")
            .Replace("Accepted values: Request, Log", "Accepted values: Request, Log, Everything")
            .Replace("### -Force\nDeletes without asking.", "### -Forced\nDeletes without asking.")
            .Replace("[-Kind {Request | Log}] [-Force] [-Instance <String>] [-HostName <String>] [-ThrottleLimit <Int32>] [-KeyFilePath <String>] [-SshOption <Hashtable>] [-WhatIf]", "[-Kind {Request | Log}] [-Instance <String>] [-HostName <String>] [-ThrottleLimit <Int32>] [-KeyFilePath <String>] [-SshOption <Hashtable>] [-WhatIf]")
            .Replace("### LiteralPath\n", "### LiteralPaths\n")
            .Replace("### LamassuOps.Tests.Fixtures.SampleItem", "### System.Object")
            .Replace("PS> Remove-SampleItem ./items/*.txt -WhatIf", "PS> Get-ChildItem");
        var page = HelpPageParser.Parse(markdown, "Remove-SampleItem.md");

        var problems = HelpPageRules.Problems(CommandCatalog.Describe(typeof(RemoveSampleItemCommand)), page);

        Assert.Contains(problems, p => p.StartsWith("front matter 'external help file: LamassuOps-help.xml' must be 'external help file: LamassuOps.dll-Help.xml'"));
        Assert.Contains(problems, p => p.StartsWith("'### -Path': Position is 1 in set Path, not 0"));
        Assert.Contains(problems, p => p.StartsWith("'### -LiteralPath': Aliases are 'PSPath', not 'PSPath, LP'"));
        Assert.Contains(problems, p => p.StartsWith("'### -Kind': Accepted values are 'Request, Log, Everything', not 'Request, Log'"));
        Assert.Contains(problems, p => p.StartsWith("## PARAMETERS has no '### -Force'") && p.Contains("Type: SwitchParameter"));
        Assert.Contains(problems, p => p.StartsWith("'### -Forced' documents a parameter Remove-SampleItem does not have"));
        Assert.Contains(problems, p => p.StartsWith("## SYNTAX '### Path (Default)' is") && p.Contains("[-Kind {Request | Log}] [-Force] [-Instance <String>] [-HostName <String>] [-ThrottleLimit <Int32>] [-KeyFilePath <String>] [-SshOption <Hashtable>] [-WhatIf]"));
        Assert.Contains(problems, p => p.StartsWith("## SYNTAX has no '### LiteralPath'"));
        Assert.Contains(problems, p => p.StartsWith("## SYNTAX documents '### LiteralPaths'"));
        Assert.Contains(problems, p => p.StartsWith("## OUTPUTS lists 'System.Object'; [OutputType] says 'LamassuOps.Tests.Fixtures.SampleItem'"));
        Assert.Contains(problems, p => p.StartsWith("example 'Example 1: See what would be deleted' does not run Remove-SampleItem"));
        Assert.Equal(11, problems.Count);
    }

    [Fact]
    public void MissingShouldProcessParametersAreReported()
    {
        var markdown = File.ReadAllText(RepositoryPaths.Combine("tests", "LamassuOps.Tests", "Help", "Pages", "Remove-SampleItem.md"));
        var withoutWhatIf = markdown[..markdown.IndexOf("### -WhatIf", StringComparison.Ordinal)] + markdown[markdown.IndexOf("### CommonParameters", StringComparison.Ordinal)..];

        var problems = HelpPageRules.Problems(CommandCatalog.Describe(typeof(RemoveSampleItemCommand)), HelpPageParser.Parse(withoutWhatIf, "Remove-SampleItem.md"));

        var problem = Assert.Single(problems);
        Assert.StartsWith("## PARAMETERS has no '### -WhatIf'", problem);
        Assert.Contains("Aliases: wi", problem);
    }

    [Theory]
    [InlineData(typeof(GetSampleItemCommand))]
    [InlineData(typeof(RemoveSampleItemCommand))]
    [InlineData(typeof(SetSampleModeCommand))]
    public void TheSkeletonOfferedForAMissingPagePassesTheChecks(Type cmdletType)
    {
        var definition = CommandCatalog.Describe(cmdletType);

        var page = HelpPageParser.Parse(HelpPageRules.Skeleton(definition), definition.Name + ".md");

        Assert.Empty(HelpPageRules.Problems(definition, page));
    }

    [Fact]
    public void SyntaxLinesFollowGetCommandsOrder()
    {
        var definition = CommandCatalog.Describe(typeof(SetSampleModeCommand));

        Assert.Equal("Set-SampleMode [-Name] <String> [-Mode] {Live | Expired | Revoked} [-PassThru] [-Instance <String>] [-HostName <String>] [-ThrottleLimit <Int32>] [-KeyFilePath <String>] [-SshOption <Hashtable>] [-WhatIf] [-Confirm] [<CommonParameters>]",
            CmdletMetadata.Syntax(definition, "ByName"));
        Assert.Equal("Set-SampleMode [-Mode] {Live | Expired | Revoked} -Id <Int32> [-PassThru] [-Instance <String>] [-HostName <String>] [-ThrottleLimit <Int32>] [-KeyFilePath <String>] [-SshOption <Hashtable>] [-WhatIf] [-Confirm] [<CommonParameters>]",
            CmdletMetadata.Syntax(definition, "ById"));
    }
}
