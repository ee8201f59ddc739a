using System.Text.RegularExpressions;
using LamassuOps.Cli;
using LamassuOps.Core.Postgres;
using Xunit.Abstractions;
using LamassuOps.HelpBuilder;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Metadata;

/// <summary>
/// Error ids are what scripts catch (-ErrorAction Stop, $_.FullyQualifiedErrorId) and tests assert, so each must be
/// specific, and documented: in the NOTES of a cmdlet that raises it, or, for ids every cmdlet or lamassuops
/// itself can raise (paths, usage errors), in about_LamassuOps. Found by scanning src/ for the ids passed to
/// LamassuOpsException and to the factories that take an errorId first.
/// </summary>
public sealed partial class ErrorIdTests(ITestOutputHelper output)
{
    public sealed record ThrownErrorId(string Id, string File, int Line);

    private static readonly HashSet<string> GenericIds = new(StringComparer.OrdinalIgnoreCase)
    {
        "Error", "Errors", "Failed", "Failure", "Exception", "Unknown", "UnknownError", "GeneralError", "InternalError",
        "UnexpectedError", "OperationFailed", "CommandFailed", "InvalidOperation", "InvalidArgument", "InvalidData",
        "InvalidInput", "NotFound", "IOError", "IoError", "DatabaseError", "SqlError", "SqliteError", "PostgresError",
    };

    /// <summary>PascalCase with at least two words, not a catch-all, not a command name (SimplySql's mistake).</summary>
    public static string? WhyNotSpecific(string id)
    {
        if (!PascalCase().IsMatch(id) || WordCount(id) < 2) return "is not PascalCase of two or more words";
        if (GenericIds.Contains(id)) return "is a catch-all; say what failed (BunkerDatabaseNotFound, not NotFound)";
        if (CommandCatalog.Commands.Any(c => string.Equals(id, c.Verb + c.Noun, StringComparison.OrdinalIgnoreCase) || string.Equals(id, c.Noun, StringComparison.OrdinalIgnoreCase)))
            return "names a command, not the failure";
        return null;
    }

    /// <summary>Ids made from an enum at run time: where, the argument as written, the family as NOTES names it, the ids.</summary>
    public sealed record ComputedErrorIds(string File, string Argument, string Family, IReadOnlyList<string> Ids);

    private static readonly ComputedErrorIds[] Computed =
    [
        new("src/LamassuOps.Core/Postgres/PeerAuthTester.cs", "\"PeerAuth\" + diagnosis", "PeerAuth<Diagnosis>",
            Enum.GetNames<PeerAuthDiagnosis>().Where(n => n != nameof(PeerAuthDiagnosis.None)).Select(n => "PeerAuth" + n).ToList()),
    ];

    public sealed record SourceScan(List<ThrownErrorId> Ids, List<string> Unreadable);

    /// <summary>
    /// The error ids a source file throws: the first argument of <c>new LamassuOpsException(</c>, of a target-typed
    /// <c>new(id, FailureKind.X</c>, or of a factory; a string literal, a <c>const string</c>, or a registered
    /// computed family. Anything else is reported as unreadable (it cannot be checked).
    /// </summary>
    public static SourceScan Scan(string file, string source, IReadOnlySet<string> factories, IReadOnlyDictionary<string, string> constants)
    {
        var ids = new List<ThrownErrorId>();
        var unreadable = new List<string>();
        var patterns = new List<string>
        {
            @"\bnew\s+LamassuOpsException\s*\(\s*(?<arg>[^,)]*)",
            @"\bnew\s*\(\s*(?<arg>[^,()]*?)\s*,\s*FailureKind\.",
        };
        if (factories.Count > 0) patterns.Add(@"\b(?:" + string.Join("|", factories.Select(Regex.Escape)) + @")\s*\(\s*(?<arg>[^,)]*)");
        foreach (Match call in new Regex(string.Join("|", patterns)).Matches(source))
        {
            var argument = call.Groups["arg"].Value.Trim();
            var line = source[..call.Index].Count(c => c == '\n') + 1;
            if (argument.StartsWith("string ", StringComparison.Ordinal) || argument == "errorId") continue; // a declaration, or passing an id through
            if (StringLiteral().Match(argument) is { Success: true } literal)
                ids.Add(new ThrownErrorId(literal.Groups[1].Value, file, line));
            else if (QualifiedName().IsMatch(argument) && constants.TryGetValue(argument.Split('.')[^1], out var constant))
                ids.Add(new ThrownErrorId(constant, file, line));
            else if (Computed.FirstOrDefault(c => c.File == file && c.Argument == argument) is { } family)
                ids.AddRange(family.Ids.Select(id => new ThrownErrorId(id, file, line)));
            else
                unreadable.Add($"{file}:{line}: the error id '{argument}' is neither a string literal nor a const string, so it cannot be checked");
        }
        return new SourceScan(ids, unreadable);
    }

    /// <summary>Methods whose first parameter is <c>string errorId</c>: they make LamassuOpsExceptions.</summary>
    public static IReadOnlySet<string> Factories(IEnumerable<string> sources) =>
        sources.SelectMany(s => FactoryDeclaration().Matches(s).Select(m => m.Groups[1].Value))
            .Where(name => name != "LamassuOpsException").ToHashSet(StringComparer.Ordinal);

    public static IReadOnlyDictionary<string, string> Constants(IEnumerable<string> sources) =>
        sources.SelectMany(s => ConstantDeclaration().Matches(s)).GroupBy(m => m.Groups[1].Value)
            .ToDictionary(g => g.Key, g => g.First().Groups[2].Value);

    /// <summary>
    /// Source files a command can run: the module and lamassuops, and every file declaring a type they name,
    /// transitively. Ids thrown only in files no command reaches yet (Core written ahead of its cmdlet) need no
    /// documentation until a cmdlet uses them.
    /// </summary>
    public static IReadOnlySet<string> ReachableFromCommands(IReadOnlyDictionary<string, string> files)
    {
        var declaredIn = files.SelectMany(f => TypeDeclaration().Matches(f.Value).Select(m => (Type: m.Groups[1].Value, File: f.Key)))
            .ToLookup(d => d.Type, d => d.File);
        var reached = files.Keys.Where(f => f.StartsWith("src/LamassuOps/", StringComparison.Ordinal) || f.StartsWith("src/LamassuOps.Cli/", StringComparison.Ordinal))
            .ToHashSet();
        var queue = new Queue<string>(reached);
        while (queue.TryDequeue(out var file))
            foreach (var used in Identifier().Matches(files[file]).Select(m => m.Value).Distinct())
                foreach (var declaring in declaredIn[used].Where(reached.Add))
                    queue.Enqueue(declaring);
        return reached;
    }

    private static Dictionary<string, string> SourceFiles() =>
        RepositoryPaths.SourceFiles("src").ToDictionary(f => Path.GetRelativePath(RepositoryPaths.Root, f).Replace('\\', '/'), File.ReadAllText);

    private static SourceScan ScanSources(IReadOnlyDictionary<string, string> files)
    {
        var factories = Factories(files.Values);
        var constants = Constants(files.Values);
        var scans = files.Select(f => Scan(f.Key, f.Value, factories, constants)).ToList();
        return new SourceScan(scans.SelectMany(s => s.Ids).ToList(), scans.SelectMany(s => s.Unreadable).ToList());
    }

    [Fact]
    public void EveryErrorIdThrownInSrcIsSpecific()
    {
        var (ids, unreadable) = ScanSources(SourceFiles());

        Assert.NotEmpty(ids);
        var problems = ids.Select(i => (i, Why: WhyNotSpecific(i.Id))).Where(x => x.Why is not null)
            .Select(x => $"{x.i.File}:{x.i.Line}: '{x.i.Id}' {x.Why}")
            .Concat(unreadable)
            .ToList();
        Assert.True(problems.Count == 0, "Error ids:\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void EveryErrorIdACommandCanRaiseIsDocumentedWhereOperatorsLook()
    {
        var files = SourceFiles();
        var reachable = ReachableFromCommands(files);
        var (ids, _) = ScanSources(files);
        var docs = Path.Combine(RepositoryPaths.Root, "docs", "en-US");
        var documentation = string.Join("\n",
            (Directory.Exists(docs) ? Directory.EnumerateFiles(docs, "*.md") : [])
                .SelectMany(f => HelpPageParser.ParseFile(f).Notes)
                .Append(File.ReadAllText(RepositoryPaths.Combine("en-US", "about_LamassuOps.help.txt"))));

        bool Documented(string id) =>
            Regex.IsMatch(documentation, $@"\b{id}\b")
            || Computed.Any(c => c.Ids.Contains(id) && documentation.Contains(c.Family) && Regex.IsMatch(documentation, $@"\b{id[(c.Family.IndexOf('<'))..]}\b"));

        var undocumented = ids.Where(i => reachable.Contains(i.File) && !Documented(i.Id))
            .GroupBy(i => i.Id)
            .Select(g => $"{g.Key} (thrown at {string.Join(", ", g.Select(i => $"{i.File}:{i.Line}"))})")
            .ToList();
        foreach (var id in ids.Where(i => !reachable.Contains(i.File) && !Documented(i.Id)).Select(i => i.Id).Distinct())
            output.WriteLine($"not yet reachable from a cmdlet, so not yet required in NOTES: {id}");
        Assert.True(undocumented.Count == 0,
            "Error ids in no cmdlet page's ## NOTES (or, for ids any command can raise, in en-US/about_LamassuOps.help.txt):\n  "
            + string.Join("\n  ", undocumented));
    }

    [Theory]
    [InlineData("PathNotFound", null)]
    [InlineData("BunkerDatabaseLocked", null)]
    [InlineData("SQLiteFileCorrupt", null)]
    [InlineData("PostgresUrlInvalidPort", null)]
    [InlineData("NotFound", "is a catch-all; say what failed (BunkerDatabaseNotFound, not NotFound)")]
    [InlineData("Error", "is not PascalCase of two or more words")]
    [InlineData("bunker_not_found", "is not PascalCase of two or more words")]
    [InlineData("ConvertFromPostgresUrl", "names a command, not the failure")]
    public void SpecificIdsArePascalCaseNamesOfTheFailure(string id, string? why) =>
        Assert.Equal(why, WhyNotSpecific(id));

    [Fact]
    public void TheScanFindsLiteralAndConstantIdsInConstructorsAndFactoriesAndFlagsComputedOnes()
    {
        const string source = """
            const string GoneId = "SampleGone";
            static LamassuOpsException Invalid(string errorId, string message) => new(errorId, FailureKind.InvalidArgument, message);
            void A() => throw new LamassuOpsException("SampleFileNotFound", FailureKind.ObjectNotFound, "gone");
            void B() => throw Invalid("SampleUrlInvalid", "bad");
            void C(string id) => throw new LamassuOpsException(id, FailureKind.InvalidData, "computed");
            LamassuOpsException D() => new(SampleErrors.GoneId, FailureKind.ObjectNotFound, "gone");
            """;

        var factories = Factories([source]);
        var (ids, unreadable) = Scan("Sample.cs", source, factories, Constants([source]));

        Assert.Equal(["Invalid"], factories);
        Assert.Equal(
            [new ThrownErrorId("SampleFileNotFound", "Sample.cs", 3), new ThrownErrorId("SampleUrlInvalid", "Sample.cs", 4), new ThrownErrorId("SampleGone", "Sample.cs", 6)],
            ids);
        Assert.Equal(["Sample.cs:5: the error id 'id' is neither a string literal nor a const string, so it cannot be checked"], unreadable);
    }

    [Fact]
    public void ReachabilityFollowsTheTypesCommandsName()
    {
        var files = new Dictionary<string, string>
        {
            ["src/LamassuOps/Commands/GetXCommand.cs"] = "class GetXCommand { void Run() => Reader.Read(); }",
            ["src/LamassuOps.Core/X/Reader.cs"] = "static class Reader { void Read() => throw XErrors.Gone(); }",
            ["src/LamassuOps.Core/X/XErrors.cs"] = "static class XErrors { }",
            ["src/LamassuOps.Core/Y/Later.cs"] = "class Later { void Use() => XErrors.Gone(); }",
        };

        var reachable = ReachableFromCommands(files);

        Assert.Equal(["src/LamassuOps.Core/X/Reader.cs", "src/LamassuOps.Core/X/XErrors.cs", "src/LamassuOps/Commands/GetXCommand.cs"],
            reachable.Order(StringComparer.Ordinal));
    }

    /// <summary>Capitals that start a word: SQLiteFileCorrupt has SQ-Lite, File, Corrupt.</summary>
    private static int WordCount(string id) =>
        Enumerable.Range(0, id.Length).Count(i => char.IsUpper(id[i])
            && (i == 0 || !char.IsUpper(id[i - 1]) || (i + 1 < id.Length && char.IsLower(id[i + 1]))));

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$")]
    private static partial Regex PascalCase();

    [GeneratedRegex(@"^""([^""]*)""$")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\b(\w+)\s*\(\s*string\s+errorId\b")]
    private static partial Regex FactoryDeclaration();

    [GeneratedRegex(@"\bconst\s+string\s+(\w+)\s*=\s*""([^""]*)""")]
    private static partial Regex ConstantDeclaration();

    [GeneratedRegex(@"^[A-Za-z_][\w.]*$")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"\b(?:class|record|struct|enum|interface)\s+(\w+)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\b[A-Z]\w*")]
    private static partial Regex Identifier();
}
