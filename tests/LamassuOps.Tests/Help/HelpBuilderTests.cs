using System.Xml.Linq;
using LamassuOps.Cli;
using LamassuOps.HelpBuilder;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Help;

/// <summary>The help generator over fixture pages of the test cmdlets (tests/LamassuOps.Tests/Help/Pages).</summary>
public sealed class HelpBuilderTests
{
    private static readonly XNamespace Maml = MamlWriter.Maml;
    private static readonly XNamespace Command = MamlWriter.Command;
    private static readonly XNamespace Dev = MamlWriter.Dev;

    private static string PagesDirectory => RepositoryPaths.Combine("tests", "LamassuOps.Tests", "Help", "Pages");

    private static HelpPage FixturePage(string name) => HelpPageParser.ParseFile(Path.Combine(PagesDirectory, name + ".md"));

    private static XElement MamlCommand(XDocument maml, string name) =>
        maml.Root!.Elements(Command + "command").Single(c => c.Element(Command + "details")!.Element(Command + "name")!.Value == name);

    [Fact]
    public void ParsesEverySectionOfAPage()
    {
        var page = FixturePage("Get-SampleItem");

        Assert.Equal("Get-SampleItem", page.CommandName);
        Assert.Equal("LamassuOps.dll-Help.xml", page.FrontMatterValue(HelpPage.ExternalHelpFileKey));
        Assert.Equal(["Reads sample items from files."], page.Synopsis);
        Assert.Equal(["Path", "LiteralPath"], page.Syntax.Select(s => s.SetName));
        Assert.True(page.Syntax[0].IsDefault);
        Assert.False(page.Syntax[1].IsDefault);
        Assert.StartsWith("Get-SampleItem [[-Name] <String[]>] -LiteralPath <String[]>", page.Syntax[1].Text);
        Assert.Equal(
            ["The Get-SampleItem cmdlet reads one item per file. It never changes a file.", "Items are filtered by:",
             "- name, with wildcards;", "- state (Live by default)."],
            page.Description);
        Assert.True(page.DocumentsCommonParameters);
        Assert.Equal(["System.String[]"], page.Inputs.Select(i => i.TypeName));
        Assert.Equal(["Paths, by value or by property name."], page.Inputs[0].Description);
        Assert.Equal(["LamassuOps.Tests.Fixtures.SampleItem"], page.Outputs.Select(o => o.TypeName));
        Assert.Equal(["Error ids:", "- SampleFileNotFound: the file does not exist."], page.Notes);
        Assert.Equal([new HelpLink("Remove-SampleItem", ""), new HelpLink("about_LamassuOps", "")], page.RelatedLinks);
    }

    [Fact]
    public void ExampleCodeIsTheLeadingCodeBlocksAndTheRestAreRemarks()
    {
        var examples = FixturePage("Get-SampleItem").Examples;

        Assert.Equal(2, examples.Count);
        Assert.Equal("Example 1: Read one file", examples[0].Title);
        Assert.Equal("PS> Get-SampleItem -Path ./items/a.txt", examples[0].Code);
        Assert.Equal(["Reads a.txt and shows its item with the name masked."], examples[0].Remarks);
        Assert.StartsWith("PS> Get-SampleItem ./items/*.txt -IncludeSecret\n\nPath           Name", examples[1].Code);
        Assert.Equal(["Second paragraph of the remarks."], examples[1].Remarks);
    }

    [Fact]
    public void ReadsEveryYamlFieldOfAParameter()
    {
        var page = FixturePage("Get-SampleItem");

        var literalPath = Assert.Single(page.Parameter("LiteralPath")!.Metadata);
        Assert.Equal("String[]", literalPath.Type);
        Assert.Equal(["LiteralPath"], literalPath.ParameterSets);
        Assert.Equal(["PSPath", "LP"], literalPath.Aliases);
        Assert.Empty(literalPath.AcceptedValues);
        Assert.True(literalPath.Required);
        Assert.Equal("Named", literalPath.Position);
        Assert.Equal("None", literalPath.DefaultValue);
        Assert.Equal("True (ByPropertyName)", literalPath.PipelineInput);
        Assert.False(literalPath.AcceptsWildcards);
        Assert.Equal("Now", page.Parameter("AsOf")!.Metadata[0].DefaultValue);
        Assert.Equal(["Live", "Expired", "Revoked"], page.Parameter("State")!.Metadata[0].AcceptedValues);
        Assert.True(page.Parameter("Path")!.Metadata[0].AcceptsWildcards);
        Assert.Equal("0", page.Parameter("Path")!.For("Path")!.Position);
        Assert.Null(page.Parameter("Path")!.For("LiteralPath"));
        Assert.Equal("1", page.Parameter("Name")!.For("LiteralPath")!.Position);
    }

    [Fact]
    public void PlainRelatedLinksOnSeparateLinesAreSeparateLinks()
    {
        var markdown = File.ReadAllText(Path.Combine(PagesDirectory, "Remove-SampleItem.md"))
            .Replace("## RELATED LINKS\n", "## RELATED LINKS\nGet-SampleItem\nabout_LamassuOps\n");

        var page = HelpPageParser.Parse(markdown, "Remove-SampleItem.md");

        Assert.Equal([new HelpLink("Get-SampleItem", ""), new HelpLink("about_LamassuOps", "")], page.RelatedLinks);
    }

    [Fact]
    public void AngleBracketPlaceholdersStayInThePlainText()
    {
        var markdown = File.ReadAllText(Path.Combine(PagesDirectory, "Remove-SampleItem.md"))
            .Replace("## NOTES\n", "## NOTES\nError ids: Sample<Reason> for each reason &amp; more.\n");

        var page = HelpPageParser.Parse(markdown, "Remove-SampleItem.md");

        Assert.Equal(["Error ids: Sample<Reason> for each reason & more."], page.Notes);
    }

    [Fact]
    public void WritesMamlThatGetHelpReads()
    {
        var maml = XDocument.Parse(HelpFiles.Generate(PagesDirectory));

        Assert.Equal(MamlWriter.Msh + "helpItems", maml.Root!.Name);
        Assert.Equal("maml", maml.Root.Attribute("schema")!.Value);
        var command = MamlCommand(maml, "Get-SampleItem");
        var details = command.Element(Command + "details")!;
        Assert.Equal("Get", details.Element(Command + "verb")!.Value);
        Assert.Equal("SampleItem", details.Element(Command + "noun")!.Value);
        Assert.Equal("Reads sample items from files.", details.Element(Maml + "description")!.Element(Maml + "para")!.Value);
        Assert.Equal(4, command.Element(Maml + "description")!.Elements(Maml + "para").Count());

        var syntaxItems = command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
        Assert.Equal(2, syntaxItems.Count);
        Assert.Equal(["Path", "Name", "State", "OlderThan", "AsOf", "Limit", "IncludeSecret", "Instance", "HostName", "ThrottleLimit", "KeyFilePath", "SshOption"],
            syntaxItems[0].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));
        Assert.Equal(["Name", "LiteralPath", "State", "OlderThan", "AsOf", "Limit", "IncludeSecret", "Instance", "HostName", "ThrottleLimit", "KeyFilePath", "SshOption"],
            syntaxItems[1].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));
        var pathInSyntax = syntaxItems[0].Elements(Command + "parameter").First();
        Assert.Equal(
            [("required", "true"), ("variableLength", "true"), ("globbing", "true"), ("pipelineInput", "True (ByPropertyName, ByValue)"), ("position", "0"), ("aliases", "none")],
            pathInSyntax.Attributes().Select(a => (a.Name.LocalName, a.Value)));
        Assert.Equal("String[]", pathInSyntax.Element(Command + "parameterValue")!.Value);
        var switchInSyntax = syntaxItems[0].Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "IncludeSecret");
        Assert.Null(switchInSyntax.Element(Command + "parameterValue")); // shown as [-IncludeSecret]
        var stateValues = syntaxItems[0].Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "State")
            .Element(Command + "parameterValueGroup")!.Elements(Command + "parameterValue").Select(v => v.Value);
        Assert.Equal(["Live", "Expired", "Revoked"], stateValues);

        var parameters = command.Element(Command + "parameters")!.Elements(Command + "parameter").ToList();
        Assert.Equal(13, parameters.Count);
        var literalPath = parameters.Single(p => p.Element(Maml + "name")!.Value == "LiteralPath");
        Assert.Equal("PSPath, LP", literalPath.Attribute("aliases")!.Value);
        Assert.Equal("named", literalPath.Attribute("position")!.Value);
        Assert.Equal("Files, taken exactly as written.", literalPath.Element(Maml + "description")!.Element(Maml + "para")!.Value);
        var includeSecret = parameters.Single(p => p.Element(Maml + "name")!.Value == "IncludeSecret");
        Assert.Equal("SwitchParameter", includeSecret.Element(Command + "parameterValue")!.Value);
        Assert.Equal("SwitchParameter", includeSecret.Element(Dev + "type")!.Element(Maml + "name")!.Value);

        Assert.Equal("System.String[]", command.Descendants(Command + "inputType").Single().Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("LamassuOps.Tests.Fixtures.SampleItem",
            command.Descendants(Command + "returnValue").Single().Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal(["Error ids:", "- SampleFileNotFound: the file does not exist."],
            command.Element(Maml + "alertSet")!.Element(Maml + "alert")!.Elements(Maml + "para").Select(p => p.Value));

        var examples = command.Element(Command + "examples")!.Elements(Command + "example").ToList();
        Assert.Equal("-------------------------- Example 1: Read one file --------------------------", examples[0].Element(Maml + "title")!.Value);
        Assert.Equal("PS> Get-SampleItem -Path ./items/a.txt", examples[0].Element(Dev + "code")!.Value);
        Assert.Equal("Reads a.txt and shows its item with the name masked.", examples[0].Element(Dev + "remarks")!.Element(Maml + "para")!.Value);

        var links = command.Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink")
            .Select(l => (l.Element(Maml + "linkText")!.Value, l.Element(Maml + "uri")!.Value));
        Assert.Equal([("Online Version:", "https://example.org/Get-SampleItem"), ("Remove-SampleItem", ""), ("about_LamassuOps", "")], links);
    }

    [Fact]
    public void ShouldProcessSwitchesAppearInTheSyntaxOfTheirCmdlet()
    {
        var command = MamlCommand(XDocument.Parse(HelpFiles.Generate(PagesDirectory)), "Remove-SampleItem");

        var names = command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").First()
            .Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value);
        Assert.Equal(["Path", "Kind", "Force", "Instance", "HostName", "ThrottleLimit", "KeyFilePath", "SshOption", "WhatIf", "Confirm"], names);
        Assert.Empty(command.Element(Command + "relatedLinks")!.Elements());
    }

    [Fact]
    public void OutputIsDeterministicWithUnixLineEnds()
    {
        var first = HelpFiles.Generate(PagesDirectory);
        var second = HelpFiles.Generate(PagesDirectory);

        Assert.Equal(first, second);
        Assert.DoesNotContain('\r', first);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<helpItems", first);
        Assert.EndsWith("</helpItems>\n", first);
    }

    [Fact]
    public void NoPagesGiveAnEmptyHelpFile()
    {
        var empty = Directory.CreateTempSubdirectory("lamassuops-help-");
        try
        {
            var maml = XDocument.Parse(HelpFiles.Generate(empty.FullName));

            Assert.Empty(maml.Root!.Elements());
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void ReportsEveryLayoutProblemWithItsLine()
    {
        var markdown = File.ReadAllText(Path.Combine(PagesDirectory, "Remove-SampleItem.md"))
            .Replace("# Remove-SampleItem", "# Remove-SampleItems")
            .Replace("## NOTES", "## REMARKS")
            .Replace("Position: 0", "Position: first")
            .Replace("Accept pipeline input: True (ByPropertyName)\n", "Accept pipeline input: Yes\n")
            .Replace("Required: False\nPosition: Named\nDefault value: Request", "Position: Named\nDefault value: Request")
            .Replace("external help file: LamassuOps.dll-Help.xml\n", "");

        var error = Assert.Throws<HelpPageException>(() => HelpPageParser.Parse(markdown, "Remove-SampleItem.md"));

        Assert.Equal("Remove-SampleItem.md", error.File);
        Assert.Contains(error.Problems, p => p.Contains("unknown section '## REMARKS'") && p.StartsWith("line "));
        Assert.Contains(error.Problems, p => p.Contains("'-Path'") && p.Contains("'Position: first' must be Named or a number"));
        Assert.Contains(error.Problems, p => p.Contains("'-LiteralPath'") && p.Contains("'Accept pipeline input: Yes'"));
        Assert.Contains(error.Problems, p => p.Contains("'-Kind'") && p.Contains("yaml has no 'Required:'"));
        Assert.Contains(error.Problems, p => p.Contains("title '# Remove-SampleItems' does not match the file name"));
        Assert.Contains(error.Problems, p => p.Contains("front matter has no 'external help file:'"));
        Assert.Contains(error.Problems, p => p.Contains("'-Instance'") && p.Contains("'Accept pipeline input: Yes'"));
        Assert.Contains(error.Problems, p => p.Contains("'-HostName'") && p.Contains("'Accept pipeline input: Yes'"));
        Assert.Equal(8, error.Problems.Count);
    }

    [Fact]
    public void GeneratorNamesTheFileOfEveryBrokenPage()
    {
        var docs = Directory.CreateTempSubdirectory("lamassuops-help-");
        try
        {
            File.Copy(Path.Combine(PagesDirectory, "Get-SampleItem.md"), Path.Combine(docs.FullName, "Get-SampleItem.md"));
            File.WriteAllText(Path.Combine(docs.FullName, "Get-Broken.md"), "# Get-Broken\n\n## SYNOPSIS\nNothing else.\n");

            var error = Assert.Throws<HelpPageException>(() => HelpFiles.Generate(docs.FullName));

            Assert.Contains("Get-Broken.md", error.Message);
            Assert.Contains("no '## SYNTAX' section", error.Message);
            Assert.DoesNotContain("Get-SampleItem.md", error.Message);
        }
        finally
        {
            docs.Delete(recursive: true);
        }
    }

    [Fact]
    public void LamassuopsHelpTextReadsSynopsisAndParameterDescriptionsFromTheMaml()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, HelpFiles.Generate(PagesDirectory));
            var help = new HelpText(file);

            var text = help.ForCommand(CommandCatalog.Describe(typeof(GetSampleItemCommand)));

            Assert.Equal("Reads sample items from files.", help.Synopsis("get-sampleitem"));
            Assert.StartsWith("Get-SampleItem\n  Reads sample items from files.\n", text.ReplaceLineEndings("\n"));
            Assert.Contains("  --literal-path <String>... (alias --ps-path, --lp)\n      Files, taken exactly as written.\n", text.ReplaceLineEndings("\n"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
