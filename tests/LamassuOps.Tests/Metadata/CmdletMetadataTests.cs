using System.Text.RegularExpressions;
using System.Xml.Linq;
using LamassuOps.Cli;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Metadata;

/// <summary>
/// Every cmdlet of the module, read with CustomAttributeData through CommandCatalog: the conventions, one file
/// per cmdlet, the manifest, lamassuops, a CLI test and a format view for each. Each test lists every offender.
/// </summary>
public sealed partial class CmdletMetadataTests
{
    /// <summary>
    /// Mandatory parameters an operator types even when the database comes from the pipeline:
    /// <c>Get-BunkerPairing ... | Restore-BunkerDatabase -BackupPath nsecbunker.db.bak</c>.
    /// </summary>
    private static readonly IReadOnlySet<string> GivenOnCommandLine = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "BackupPath" };

    /// <summary>Pipelines the runbook relies on.</summary>
    public static readonly (string Producer, string Consumer)[] RequiredPipelines =
    [
        ("Get-BunkerPairing", "Remove-StaleSigningCondition"),
        ("Get-BunkerSigningCondition", "Remove-StaleSigningCondition"),
        ("Test-BunkerDatabase", "Backup-BunkerDatabase"),
    ];

    private static IReadOnlyList<CommandDefinition> Commands => CommandCatalog.Commands;

    private static void AssertNone(IEnumerable<string> problems, string what)
    {
        var list = problems.ToList();
        Assert.True(list.Count == 0, $"{what}:\n  {string.Join("\n  ", list)}");
    }

    [Fact]
    public void TheCatalogHoldsEveryCmdletClassOfTheModule()
    {
        var cmdletClasses = typeof(LamassuCmdlet).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsClass: true } && t.IsSubclassOf(typeof(LamassuCmdlet)))
            .ToHashSet();

        Assert.NotEmpty(Commands);
        AssertNone(cmdletClasses.Except(Commands.Select(c => c.CmdletType)).Select(t => $"{t.Name} has no [Cmdlet] attribute"),
            "LamassuCmdlet classes PowerShell would not export");
    }

    [Fact]
    public void EveryCmdletFollowsTheConventions() =>
        AssertNone(Commands.SelectMany(c => CmdletRules.Violations(c).Select(v => $"{c.Name}: {v}")), "Convention violations");

    [Fact]
    public void EveryCmdletIsOneSealedClassInItsOwnFile()
    {
        var problems = new List<string>();
        var files = RepositoryPaths.SourceFiles(Path.Combine("src", "LamassuOps", "Commands")).ToList();
        foreach (var file in files)
        {
            var text = LineComment().Replace(File.ReadAllText(file), "");
            var cmdletAttributes = CmdletAttribute().Matches(text).Count;
            var classes = ClassDeclaration().Matches(text).Select(m => m.Groups[1].Value).ToList();
            var name = Path.GetFileNameWithoutExtension(file);
            if (cmdletAttributes != 1 || classes.Count != 1)
                problems.Add($"{Path.GetFileName(file)} declares {cmdletAttributes} [Cmdlet] and {classes.Count} classes; one cmdlet class per file");
            else if (classes[0] != name)
                problems.Add($"{Path.GetFileName(file)} declares {classes[0]}; the file must be {classes[0]}.cs");
        }
        foreach (var command in Commands)
        {
            var expected = $"{command.Verb}{command.Noun}Command";
            if (!files.Any(f => Path.GetFileNameWithoutExtension(f) == expected))
                problems.Add($"{command.Name}: no src/LamassuOps/Commands/{expected}.cs");
        }

        AssertNone(problems, "Cmdlet files");
    }

    [Fact]
    public void TheManifestExportsExactlyTheCmdlets()
    {
        var exported = ModuleManifest.Load().CmdletsToExport;
        var implemented = Commands.Select(c => c.Name).ToList();

        var problems = implemented.Except(exported).Select(name => $"{name} is not in CmdletsToExport of LamassuOps.psd1")
            .Concat(exported.Except(implemented).Select(name => $"CmdletsToExport lists {name}, which no cmdlet class implements"))
            .Concat(exported.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => $"CmdletsToExport lists {g.Key} twice"));
        AssertNone(problems, "Manifest and cmdlets disagree");
    }

    [Fact]
    public void TheManifestDescribesTheModuleAsBuilt()
    {
        var manifest = ModuleManifest.Load();
        var props = XDocument.Load(RepositoryPaths.Combine("Directory.Build.props"));
        var version = props.Descendants("Version").Single().Value;
        var formats = Directory.EnumerateFiles(RepositoryPaths.Combine("formats"), "*.Format.ps1xml")
            .Select(f => "formats/" + Path.GetFileName(f)).Order(StringComparer.Ordinal);

        Assert.Equal("LamassuOps.dll", manifest.Value("RootModule"));
        Assert.Equal(version, manifest.Value("ModuleVersion"));
        Assert.Equal("7.4", manifest.Value("PowerShellVersion"));
        Assert.Equal(["Core"], manifest.List("CompatiblePSEditions"));
        Assert.True(Guid.TryParse(manifest.Value("GUID"), out _));
        Assert.Equal(formats, manifest.List("FormatsToProcess")!.Order(StringComparer.Ordinal));
        Assert.Empty(manifest.List("FunctionsToExport")!);
        Assert.Empty(manifest.List("VariablesToExport")!);
        Assert.Empty(manifest.List("AliasesToExport")!);
    }

    [Fact]
    public void EveryCmdletIsACommandOfLamassuops()
    {
        var problems = Commands
            .Where(c => CommandCatalog.Find(c.Name)?.CmdletType != c.CmdletType || CommandCatalog.Find(c.Name.ToLowerInvariant())?.CmdletType != c.CmdletType)
            .Select(c => $"{c.Name} is not found by name (any case)");

        AssertNone(problems, "Cmdlets lamassuops cannot run");
    }

    /// <summary>A simple scan: a <c>CliProcess.Run(</c> call naming the cmdlet, in a test file that also uses --json.</summary>
    [Fact]
    public void EveryCmdletHasACliProcessTestOfItsJsonOutput()
    {
        var calls = RepositoryPaths.SourceFiles("tests")
            .Select(File.ReadAllText)
            .Where(text => text.Contains("\"--json\"", StringComparison.Ordinal))
            .SelectMany(CliProcessCalls)
            .ToList();

        var untested = Commands.Where(c => !calls.Any(call => call.Contains($"\"{c.Name}\"", StringComparison.OrdinalIgnoreCase)));
        AssertNone(untested.Select(c => $"{c.Name}: no CliProcess.Run(\"{c.Name}\", ..., \"--json\") in tests/"), "Cmdlets without a CLI process test");
    }

    private static IEnumerable<string> CliProcessCalls(string source)
    {
        const string call = "CliProcess.Run(";
        for (var start = source.IndexOf(call, StringComparison.Ordinal); start >= 0; start = source.IndexOf(call, start + 1, StringComparison.Ordinal))
        {
            var depth = 0;
            var end = start + call.Length - 1;
            for (; end < source.Length; end++)
            {
                if (source[end] == '(') depth++;
                else if (source[end] == ')' && --depth == 0) break;
            }
            yield return source[start..Math.Min(end + 1, source.Length)];
        }
    }

    [Fact]
    public void EveryOutputTypeHasAFormatViewOverItsOwnProperties()
    {
        var directory = RepositoryPaths.Combine("formats");
        var views = FormatViews.LoadDirectory(directory);
        var problems = new List<string>();
        foreach (var command in Commands)
            foreach (var type in command.OutputTypes.Where(t => !views.ContainsKey(t.FullName!) && !CmdletRules.IsQuietVerdict(command, t)))
                problems.Add($"{command.Name}: no view for {type.FullName} in formats/*.Format.ps1xml");
        var coreTypes = typeof(LamassuOps.Core.LamassuOpsException).Assembly.GetTypes().ToDictionary(t => t.FullName!);
        foreach (var view in views.Values)
        {
            if (!coreTypes.TryGetValue(view.TypeName, out var type))
            {
                problems.Add($"a view selects {view.TypeName}, which is not a LamassuOps.Core type");
                continue;
            }
            foreach (var property in view.Properties.Where(p => type.GetProperty(p) is null))
                problems.Add($"the view of {view.TypeName} shows {property}, which the type does not have");
        }

        AssertNone(problems, "Format views");
    }

    [Fact]
    public void BunkerOutputsFeedEveryBunkerCmdletThatTakesAPath()
    {
        var bunker = Commands.Where(c => CmdletRules.Area(c) == CmdletRules.BunkerArea).ToList();
        var consumers = bunker.Where(c => c.Parameters.Any(p => p.Name == "Path")).ToList();
        var problems = new List<string>();
        foreach (var producer in bunker)
            foreach (var type in producer.OutputTypes)
                foreach (var consumer in consumers.Where(c => !CmdletRules.BindsByPropertyName(type, c, GivenOnCommandLine)))
                    problems.Add($"{producer.Name} | {consumer.Name}: {type.Name} does not bind by property name");
        foreach (var (producerName, consumerName) in RequiredPipelines)
        {
            if (CommandCatalog.Find(producerName) is not { } producer || CommandCatalog.Find(consumerName) is not { } consumer)
                problems.Add($"{producerName} | {consumerName}: no such cmdlet");
            else if (!producer.OutputTypes.Any(t => CmdletRules.BindsByPropertyName(t, consumer, GivenOnCommandLine)))
                problems.Add($"{producerName} | {consumerName} does not bind by property name");
        }

        AssertNone(problems, "Pipelines that do not bind");
    }

    [GeneratedRegex("//.*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\[Cmdlet\(")]
    private static partial Regex CmdletAttribute();

    [GeneratedRegex(@"\b(?:class|record|struct)\s+(\w+)")]
    private static partial Regex ClassDeclaration();
}
