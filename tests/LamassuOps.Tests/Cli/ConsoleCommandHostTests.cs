using LamassuOps.Cli;
using LamassuOps.Core;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Cli;

/// <summary>
/// -WhatIf, -Confirm and -Force under lamassuops, through the sample Remove-SampleItem (ConfirmImpact High) and
/// Set-SampleMode (Medium) running against real files.
/// </summary>
public sealed class ConsoleCommandHostTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("lamassuops-host-");
    private readonly StringWriter _stderr = new();

    public void Dispose() => _directory.Delete(recursive: true);

    private string[] CreateFiles(params string[] names)
    {
        foreach (var name in names) File.WriteAllText(Path.Combine(_directory.FullName, name), "secret-" + name);
        return names.Select(n => Path.Combine(_directory.FullName, n)).ToArray();
    }

    private (List<object> Results, ConsoleCommandHost Host) Run(Type cmdletType, string[] args, bool interactive = false, string stdin = "")
    {
        var bound = ArgumentBinder.Bind(CommandCatalog.Describe(cmdletType), args);
        var host = new ConsoleCommandHost(bound, _stderr, new StringReader(stdin), interactive, CancellationToken.None);
        return (bound.Cmdlet.Invoke(host).ToList(), host);
    }

    [Fact]
    public void WhatIfSaysWhatWouldHappenAndChangesNothing()
    {
        var files = CreateFiles("a.db", "b.db");

        var (results, host) = Run(typeof(RemoveSampleItemCommand), [.. files, "--what-if"]);

        Assert.Empty(results);
        Assert.Equal(0, host.ErrorCount);
        Assert.All(files, f => Assert.True(File.Exists(f)));
        Assert.Equal(
            string.Concat(files.Select(f => $"What if: Performing the operation \"Remove the Request file\" on target \"{f}\".\n")),
            _stderr.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void WhatIfWinsOverForce()
    {
        var files = CreateFiles("a.db");

        var (results, _) = Run(typeof(RemoveSampleItemCommand), [.. files, "--force", "--what-if"]);

        Assert.Empty(results);
        Assert.True(File.Exists(files[0]));
    }

    [Fact]
    public void AHighImpactChangeWithoutATerminalIsRefusedPerItem()
    {
        var files = CreateFiles("a.db", "b.db");

        var (results, host) = Run(typeof(RemoveSampleItemCommand), files, interactive: false);

        Assert.Empty(results);
        Assert.Equal(2, host.ErrorCount);
        Assert.All(files, f => Assert.True(File.Exists(f)));
        var stderr = _stderr.ToString();
        Assert.Contains($"lamassuops: ConfirmationRequired: Remove-SampleItem would Remove the Request file '{files[0]}' and needs confirmation", stderr);
        Assert.Contains("  fix: Add --force (or --confirm:false) to proceed unattended, or --what-if to see what it would do.", stderr);
    }

    [Theory]
    [InlineData("--force")]
    [InlineData("--confirm:false")]
    public void ForceOrConfirmFalseProceedsUnattended(string option)
    {
        var files = CreateFiles("a.db", "b.db");

        var (results, host) = Run(typeof(RemoveSampleItemCommand), [.. files, option], interactive: false);

        Assert.Equal(files, results.Cast<SampleItem>().Select(r => r.Path));
        Assert.Equal(0, host.ErrorCount);
        Assert.All(files, f => Assert.False(File.Exists(f)));
        Assert.Equal("", _stderr.ToString());
    }

    [Fact]
    public void OnATerminalEachItemIsAskedAndNoIsTheDefault()
    {
        var files = CreateFiles("a.db", "b.db", "c.db");

        var (results, host) = Run(typeof(RemoveSampleItemCommand), files, interactive: true, stdin: "y\n\nn\n");

        Assert.Equal([files[0]], results.Cast<SampleItem>().Select(r => r.Path));
        Assert.Equal(0, host.ErrorCount);
        Assert.False(File.Exists(files[0]));
        Assert.True(File.Exists(files[1]));
        Assert.True(File.Exists(files[2]));
        Assert.Equal(3, CountOf(_stderr.ToString(), "Confirm: Remove the Request file on \""));
    }

    [Fact]
    public void YesToAllStopsAsking()
    {
        var files = CreateFiles("a.db", "b.db", "c.db");

        var (results, _) = Run(typeof(RemoveSampleItemCommand), files, interactive: true, stdin: "a\n");

        Assert.Equal(3, results.Count);
        Assert.All(files, f => Assert.False(File.Exists(f)));
        Assert.Equal(1, CountOf(_stderr.ToString(), "Confirm:"));
    }

    [Fact]
    public void MediumImpactRunsWithoutAskingUnlessConfirmIsGiven()
    {
        var (results, _) = Run(typeof(SetSampleModeCommand), ["alice", "Live", "--pass-thru"]);
        // Set-SampleMode does not run per item, so the refusal ends the command (lamassuops reports it, exit 1).
        var refused = Assert.Throws<LamassuOpsException>(() => Run(typeof(SetSampleModeCommand), ["alice", "Live", "--pass-thru", "--confirm"], interactive: false));

        Assert.Single(results);
        Assert.Equal("ConfirmationRequired", refused.ErrorId);
        Assert.Equal("", _stderr.ToString());
    }

    [Fact]
    public void VerboseOnlyWhenAskedWarningsAlwaysErrorsWithTheirIdAndFix()
    {
        var quiet = new ConsoleCommandHost(ArgumentBinder.Bind(CommandCatalog.Describe(typeof(GetSampleItemCommand)), ["a.db"]),
            _stderr, TextReader.Null, false, CancellationToken.None);
        var verbose = new ConsoleCommandHost(ArgumentBinder.Bind(CommandCatalog.Describe(typeof(GetSampleItemCommand)), ["a.db", "--verbose"]),
            _stderr, TextReader.Null, false, CancellationToken.None);

        quiet.WriteVerbose("hidden");
        verbose.WriteVerbose("shown");
        quiet.WriteWarning("careful");
        quiet.WriteError(new LamassuOpsException("SampleFileLocked", FailureKind.ResourceBusy, "a.db is locked.", "a.db", "Stop the daemon."));
        quiet.WriteProgress(new OperationProgress("Copying", "half", 50)); // no terminal: no progress line

        Assert.Equal("VERBOSE: shown\nWARNING: careful\nlamassuops: SampleFileLocked: a.db is locked.\n  fix: Stop the daemon.\n",
            _stderr.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(1, quiet.ErrorCount);
    }

    [Fact]
    public void AFailingItemIsReportedAndTheOthersGoOn()
    {
        var files = CreateFiles("a.db");
        var missing = Path.Combine(_directory.FullName, "missing.db");

        var (results, host) = Run(typeof(GetSampleItemCommand), ["--literal-path", missing, files[0]]);

        Assert.Equal([files[0]], results.Cast<SampleItem>().Select(r => r.Path));
        Assert.Equal("secr…****", ((SampleItem)results[0]).Name);
        Assert.Equal(1, host.ErrorCount);
        Assert.Contains($"lamassuops: SampleFileNotFound: '{missing}' does not exist.", _stderr.ToString());
    }

    [Fact]
    public void WildcardsExpandAndLiteralPathsDoNot()
    {
        var files = CreateFiles("a.db", "b.db", "[x].db");

        var (wildcard, _) = Run(typeof(GetSampleItemCommand), [Path.Combine(_directory.FullName, "*.db"), "--include-secret"]);
        var (literal, literalHost) = Run(typeof(GetSampleItemCommand), ["--literal-path", files[2]]);
        var (none, noneHost) = Run(typeof(GetSampleItemCommand), [Path.Combine(_directory.FullName, "*.sqlite")]);

        Assert.Equal(files.Order(StringComparer.Ordinal), wildcard.Cast<SampleItem>().Select(r => r.Path));
        Assert.Equal("secret-a.db", ((SampleItem)wildcard.Single(r => ((SampleItem)r).Path == files[0])).Name);
        Assert.Equal([files[2]], literal.Cast<SampleItem>().Select(r => r.Path));
        Assert.Equal(0, literalHost.ErrorCount);
        Assert.Empty(none);
        Assert.Equal(1, noneHost.ErrorCount);
        Assert.Contains("lamassuops: PathNotFound: No file matches", _stderr.ToString());
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;
}
