using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Cli;

public sealed class CliBasicsTests
{
    [Fact]
    public void HelpListsEveryCmdletOfTheModule()
    {
        var result = CliProcess.Run("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.NotEmpty(LamassuOps.Cli.CommandCatalog.Commands);
        foreach (var command in LamassuOps.Cli.CommandCatalog.Commands)
            Assert.Contains(command.Name, result.Stdout);
    }

    [Fact]
    public void UnknownCommandIsAUsageErrorWithItsId()
    {
        var result = CliProcess.Run("Get-Nothing");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("UnknownCommand", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void NoArgumentsPrintsUsageOnStderr()
    {
        var result = CliProcess.Run();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Usage: lamassuops", result.Stderr);
    }
}

/// <summary>One behaviour in both hosts: lamassuops runs on PowerShell's real engine, never on the reference assembly.</summary>
public sealed class CliEngineTests
{
    [Fact]
    public void TheCliShipsTheRealEngineAndNoReferenceAssembly()
    {
        var deps = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "LamassuOps.Cli.deps.json"));

        Assert.Contains("\"System.Management.Automation/7.6.9\"", deps);
        Assert.DoesNotContain("PowerShellStandard.Library", deps);
        var engine = typeof(System.Management.Automation.PowerShell).Assembly;
        Assert.Empty(engine.GetCustomAttributes(typeof(System.Runtime.CompilerServices.ReferenceAssemblyAttribute), false));
        Assert.Equal(7, engine.GetName().Version!.Major);
    }

    [Fact]
    public void NoSourceReadsSwitchesThroughAHelperOrKeepsCliOnlyState()
    {
        var offenders = RepositoryPaths.SourceFiles("src")
            .Where(f => File.ReadAllText(f) is var text && (text.Contains("IsPresent(") || text.Contains("OutsidePowerShell")))
            .Select(f => Path.GetRelativePath(RepositoryPaths.Root, f));

        Assert.Empty(offenders);
    }
}
