using System.Text.Json;
using LamassuOps.Cli;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Cli;

/// <summary>
/// lamassuops' own syntax (--kebab-case, --switch:false, arrays, --) translated for PowerShell's binder, and -WhatIf,
/// -Confirm and -Force through the real engine, over the sample cmdlets and real files.
/// </summary>
public sealed class CliSessionTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("lamassuops-session-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string[] CreateFiles(params string[] names)
    {
        foreach (var name in names) File.WriteAllText(Path.Combine(_directory.FullName, name), "secret-" + name);
        return names.Select(n => Path.Combine(_directory.FullName, n)).ToArray();
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(Type cmdletType, string[] args, bool interactive = false, string stdin = "")
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var arguments = CliArguments.Parse(CommandCatalog.Describe(cmdletType), [.. args, "--json"]);
        var exitCode = new CliSession(stdout, stderr, new StringReader(stdin), interactive)
            .Run(arguments, new Dictionary<string, FormatView>(), CancellationToken.None);
        return (exitCode, stdout.ToString(), stderr.ToString().ReplaceLineEndings("\n"));
    }

    private static List<JsonElement> Json(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void KebabNamesAliasesArraysAndSwitchesReachPowerShellsBinder()
    {
        var files = CreateFiles("a.db", "b.db");

        var (exitCode, stdout, stderr) = Run(typeof(GetSampleItemCommand),
            ["--lp", .. files, "--name", "x", "y", "--older-than", "1.00:00:00", "--include-secret:false", "--as-of=2026-06-19T12:00:00Z"]);

        Assert.True(exitCode == 0, stderr);
        var items = Json(stdout);
        Assert.Equal(files, items.Select(i => i.GetProperty("Path").GetString()));
        Assert.All(items, i => Assert.DoesNotContain("secret-", i.GetProperty("Name").GetString()));
        Assert.Equal(["x", "y"], items[0].GetProperty("Tags").EnumerateArray().Select(t => t.GetString()));
        Assert.StartsWith("2026-06-19T12:00:00", items[0].GetProperty("CreatedAt").GetString());
    }

    [Fact]
    public void DoubleDashEndsOptionsAndSingleDashNamesAreRefused()
    {
        var files = CreateFiles("-odd.db");

        Assert.Equal(0, Run(typeof(GetSampleItemCommand), ["--include-secret", "--", files[0]]).ExitCode);
        var refused = Assert.Throws<LamassuOps.Core.LamassuOpsException>(() =>
            CliArguments.Parse(CommandCatalog.Describe(typeof(GetSampleItemCommand)), [files[0], "-WhatIf"]));
        Assert.Equal("SingleDashParameter", refused.ErrorId);
        Assert.Contains("--what-if", refused.Message);
    }

    [Fact]
    public void PowerShellRefusesBadValuesAndTheMessageNamesTheOptionAsTyped()
    {
        var (exitCode, _, stderr) = Run(typeof(GetSampleItemCommand), [CreateFiles("a.db")[0], "--older-than", "1h"]);

        Assert.Equal(Program.UsageError, exitCode);
        Assert.StartsWith("lamassuops: CannotConvertArgumentNoMessage: Cannot bind parameter '--older-than'.", stderr);
    }

    [Fact]
    public void WhatIfSaysWhatWouldHappenAndChangesNothingEvenWithForce()
    {
        var files = CreateFiles("a.db", "b.db");

        var (exitCode, stdout, stderr) = Run(typeof(RemoveSampleItemCommand), [.. files, "--force", "--what-if"]);

        Assert.Equal(0, exitCode);
        Assert.Empty(stdout);
        Assert.All(files, f => Assert.True(File.Exists(f)));
        Assert.Equal(string.Concat(files.Select(f => $"What if: Performing the operation \"Remove the Request file\" on target \"{f}\".\n")), stderr);
    }

    [Fact]
    public void AHighImpactChangeWithoutATerminalIsRefusedAndChangesNothing()
    {
        var files = CreateFiles("a.db");

        var (exitCode, _, stderr) = Run(typeof(RemoveSampleItemCommand), files);

        Assert.Equal(Program.CommandFailed, exitCode);
        Assert.True(File.Exists(files[0]));
        Assert.Contains("no terminal to ask on", stderr);
    }

    [Theory]
    [InlineData("--force")]
    [InlineData("--confirm:false")]
    public void ForceOrConfirmFalseProceedsUnattended(string option)
    {
        var files = CreateFiles("a.db", "b.db");

        var (exitCode, stdout, stderr) = Run(typeof(RemoveSampleItemCommand), [.. files, option]);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(2, Json(stdout).Count);
        Assert.All(files, f => Assert.False(File.Exists(f)));
    }

    [Fact]
    public void OnATerminalEachItemIsAskedAndYesToAllStopsAsking()
    {
        var files = CreateFiles("a.db", "b.db", "c.db", "d.db");

        var (exitCode, stdout, stderr) = Run(typeof(RemoveSampleItemCommand), files, interactive: true, stdin: "n\n\na\n");

        Assert.True(exitCode == 0, stderr);
        Assert.True(File.Exists(files[0])); // n; then an empty answer is the default, Yes, as in pwsh
        Assert.All(files[1..], f => Assert.False(File.Exists(f)));
        Assert.Equal(3, Json(stdout).Count);
        Assert.Equal(3, stderr.Split("[Y] Yes").Length - 1); // d.db was not asked: yes to all
    }

    [Fact]
    public void SuspendIsNotOfferedAndNotTaken()
    {
        var files = CreateFiles("a.db");

        var (exitCode, _, stderr) = Run(typeof(RemoveSampleItemCommand), files, interactive: true, stdin: "s\nn\n");

        Assert.True(exitCode == 0, stderr);
        Assert.True(File.Exists(files[0])); // "s" was asked again; "n" declined
        Assert.DoesNotContain("Suspend", stderr);
        Assert.Equal(2, stderr.Split("[Y] Yes").Length - 1);
    }

    [Fact]
    public void TheEndOfInputIsNoAnswerAndChangesNothing()
    {
        var files = CreateFiles("a.db");

        var (exitCode, stdout, _) = Run(typeof(RemoveSampleItemCommand), files, interactive: true, stdin: "");

        Assert.Equal(Program.CommandFailed, exitCode);
        Assert.Empty(stdout);
        Assert.True(File.Exists(files[0]));
    }

    [Fact]
    public void MediumImpactRunsWithoutAskingUnlessConfirmIsGiven()
    {
        var unasked = Run(typeof(SetSampleModeCommand), ["n", "Revoked", "--pass-thru"]);
        var asked = Run(typeof(SetSampleModeCommand), ["n", "Revoked", "--pass-thru", "--confirm"]);

        Assert.Equal(0, unasked.ExitCode);
        Assert.Single(Json(unasked.Stdout));
        Assert.Equal(Program.CommandFailed, asked.ExitCode);
        Assert.Empty(asked.Stdout);
    }

    [Fact]
    public void AFailingItemIsReportedWithItsIdAndTheOthersGoOn()
    {
        var files = CreateFiles("a.db");

        var (exitCode, stdout, stderr) = Run(typeof(GetSampleItemCommand), ["--literal-path", Path.Combine(_directory.FullName, "missing.db"), files[0]]);

        Assert.Equal(Program.CommandFailed, exitCode);
        Assert.Single(Json(stdout));
        Assert.StartsWith("lamassuops: SampleFileNotFound: ", stderr);
    }
}

/// <summary>Advice is shown in the spelling that can be typed where it is read.</summary>
public sealed class CliMessageTests
{
    private static readonly CommandDefinition RemoveSample = CommandCatalog.Describe(typeof(RemoveSampleItemCommand));

    [Theory]
    [InlineData("Add -Force (or -Confirm:$false) to proceed.", "Add --force (or --confirm:false) to proceed.")]
    [InlineData("Cannot bind parameter 'Kind'. Check -WhatIf first.", "Cannot bind parameter '--kind'. Check --what-if first.")]
    [InlineData("Give -LiteralPath for '[x].db'; -NoSuchName and a-Force stay.", "Give --literal-path for '[x].db'; -NoSuchName and a-Force stay.")]
    public void ParameterNamesAreRenderedInKebabCase(string message, string expected) =>
        Assert.Equal(expected, CliSession.Renderer(RemoveSample)(message));
}
