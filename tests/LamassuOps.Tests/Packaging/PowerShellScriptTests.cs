using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Packaging;

/// <summary>
/// build.ps1 and the Pester suite cannot run here (no pwsh), so they are at least parsed, with tree-sitter's
/// PowerShell grammar (tests/pester/syntax, installed by tests/prepare.sh).
/// </summary>
public sealed class PowerShellScriptTests
{
    private static readonly string Checker = RepositoryPaths.Combine("tests", "pester", "syntax", "check.cjs");

    private static ProcessResult Check(params string[] files) => ExternalProcess.Run("node", [Checker, .. files]);

    [Fact]
    public void BuildScriptAndPesterSuiteParse()
    {
        var scripts = Directory.EnumerateFiles(RepositoryPaths.Combine("tests", "pester"), "*.ps1")
            .Prepend(RepositoryPaths.Combine("build.ps1"))
            .ToArray();

        var result = Check(scripts);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains(scripts, s => s.EndsWith("LamassuOps.Tests.ps1", StringComparison.Ordinal));
    }

    [Fact]
    public void TheCheckerFindsSyntaxErrors()
    {
        var file = Path.Combine(Path.GetTempPath(), $"lamassuops-broken-{Guid.NewGuid():N}.ps1");
        File.WriteAllText(file, "function Test-It {\n    if ($a -eq 1 {\n        'x'\n}\n");
        try
        {
            var result = Check(file);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"{file}:", result.Stdout);
            Assert.Contains("syntax error", result.Stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
