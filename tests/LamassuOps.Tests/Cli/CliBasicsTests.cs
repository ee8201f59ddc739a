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
