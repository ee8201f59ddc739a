using System.Text.RegularExpressions;
using LamassuOps.Cli;
using LamassuOps.HelpBuilder;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Metadata;

/// <summary>
/// Error ids are what scripts catch (-ErrorAction Stop, $_.FullyQualifiedErrorId) and tests assert, so each must be
/// specific, and documented: in the NOTES of a cmdlet that raises it, or, for ids every cmdlet or lamassuops
/// itself can raise (paths, usage errors), in about_LamassuOps. Found by scanning src/ for the ids passed to
/// LamassuOpsException and to the factories that take an errorId first.
/// </summary>
public sealed partial class ErrorIdTests
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

    /// <summary>The error ids a source file throws, and the calls whose id is not a literal (which cannot be checked).</summary>
    public static (List<ThrownErrorId> Ids, List<string> Unreadable) Scan(string file, string source, IReadOnlySet<string> factories)
    {
        var ids = new List<ThrownErrorId>();
        var unreadable = new List<string>();
        var calls = new Regex(@"\b(?:new\s+LamassuOpsException|" + string.Join("|", factories.Select(Regex.Escape)) + @")\s*\(\s*([^,)]*)");
        foreach (Match call in calls.Matches(source))
        {
            var argument = call.Groups[1].Value.Trim();
            var line = source[..call.Index].Count(c => c == '\n') + 1;
            if (argument.StartsWith("string ", StringComparison.Ordinal) || argument == "errorId") continue; // a declaration, or passing an id through
            if (StringLiteral().Match(argument) is { Success: true } literal)
                ids.Add(new ThrownErrorId(literal.Groups[1].Value, file, line));
            else
                unreadable.Add($"{file}:{line}: the error id '{argument}' is not a string literal, so it cannot be checked");
        }
        return (ids, unreadable);
    }

    /// <summary>Methods whose first parameter is <c>string errorId</c>: they make LamassuOpsExceptions.</summary>
    public static IReadOnlySet<string> Factories(IEnumerable<string> sources) =>
        sources.SelectMany(s => FactoryDeclaration().Matches(s).Select(m => m.Groups[1].Value))
            .Where(name => name != "LamassuOpsException").ToHashSet(StringComparer.Ordinal);

    private static (List<ThrownErrorId> Ids, List<string> Unreadable) ScanSources()
    {
        var files = RepositoryPaths.SourceFiles("src").ToDictionary(f => Path.GetRelativePath(RepositoryPaths.Root, f), File.ReadAllText);
        var factories = Factories(files.Values);
        var ids = new List<ThrownErrorId>();
        var unreadable = new List<string>();
        foreach (var (file, source) in files)
        {
            var (found, bad) = Scan(file, source, factories);
            ids.AddRange(found);
            unreadable.AddRange(bad);
        }
        return (ids, unreadable);
    }

    [Fact]
    public void EveryErrorIdThrownInSrcIsSpecific()
    {
        var (ids, unreadable) = ScanSources();

        Assert.NotEmpty(ids);
        var problems = ids.Select(i => (i, Why: WhyNotSpecific(i.Id))).Where(x => x.Why is not null)
            .Select(x => $"{x.i.File}:{x.i.Line}: '{x.i.Id}' {x.Why}")
            .Concat(unreadable);
        var list = problems.ToList();
        Assert.True(list.Count == 0, "Error ids:\n  " + string.Join("\n  ", list));
    }

    [Fact]
    public void EveryErrorIdIsDocumentedWhereOperatorsLook()
    {
        var (ids, _) = ScanSources();
        var docs = Path.Combine(RepositoryPaths.Root, "docs", "en-US");
        var documentation = string.Join("\n",
            (Directory.Exists(docs) ? Directory.EnumerateFiles(docs, "*.md") : [])
                .SelectMany(f => HelpPageParser.ParseFile(f).Notes)
                .Append(File.ReadAllText(RepositoryPaths.Combine("en-US", "about_LamassuOps.help.txt"))));

        var undocumented = ids.Where(i => !Regex.IsMatch(documentation, $@"\b{i.Id}\b"))
            .GroupBy(i => i.Id)
            .Select(g => $"{g.Key} (thrown at {string.Join(", ", g.Select(i => $"{i.File}:{i.Line}"))})")
            .ToList();
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
    public void TheScanFindsIdsInConstructorsAndFactoriesAndFlagsComputedOnes()
    {
        const string source = """
            static LamassuOpsException Invalid(string errorId, string message) => new(errorId, FailureKind.InvalidArgument, message);
            void A() => throw new LamassuOpsException("SampleFileNotFound", FailureKind.ObjectNotFound, "gone");
            void B() => throw Invalid("SampleUrlInvalid", "bad");
            void C(string id) => throw new LamassuOpsException(id, FailureKind.InvalidData, "computed");
            """;

        var factories = Factories([source]);
        var (ids, unreadable) = Scan("Sample.cs", source, factories);

        Assert.Equal(["Invalid"], factories);
        Assert.Equal([new ThrownErrorId("SampleFileNotFound", "Sample.cs", 2), new ThrownErrorId("SampleUrlInvalid", "Sample.cs", 3)], ids);
        Assert.Equal(["Sample.cs:4: the error id 'id' is not a string literal, so it cannot be checked"], unreadable);
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
}
