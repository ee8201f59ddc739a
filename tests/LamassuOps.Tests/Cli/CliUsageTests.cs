using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Cli;

/// <summary>Usage errors and --version of the built lamassuops, as a process.</summary>
public sealed class CliUsageTests
{
    [Fact]
    public void PowerShellStyleParametersAreAUsageErrorThatShowsTheRightSpelling()
    {
        var result = CliProcess.Run("ConvertFrom-PostgresUrl", "-Url", "postgresql:///lamassu");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("lamassuops: SingleDashParameter: lamassuops options take two dashes: '-Url' is '--url'.", result.Stderr);
    }

    [Fact]
    public void VersionIsTheModuleVersion()
    {
        var result = CliProcess.Run("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ModuleManifest.Load().Value("ModuleVersion"), result.Stdout.Trim());
    }
}
