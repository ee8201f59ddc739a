using LamassuOps.Core.Fleet;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Fleet;

/// <summary>lamassuops Test-LamassuOpsInstance as a process: the local instance, and a port no TCP port can be.</summary>
public sealed class TestLamassuOpsInstanceCliTests
{
    [Fact]
    public void TheLocalInstanceIsReadyWithThisModulesVersionInTheCmdletsPropertyNames()
    {
        var result = CliProcess.Run("Test-LamassuOpsInstance", "here", "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var line = Assert.Single(result.JsonLines);
        Assert.Equal(typeof(LamassuOpsInstanceTest).GetProperties().Select(p => p.Name).Order(),
            line.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("here", line.GetProperty("Name").GetString());
        Assert.Equal(nameof(InstanceReadiness.Ready), line.GetProperty("Readiness").GetString());
        Assert.Equal(typeof(LamassuOpsInstanceTest).Assembly.GetName().Version!.ToString(3), line.GetProperty("ModuleVersion").GetString());
        Assert.Equal("7.6.9", line.GetProperty("PowerShellVersion").GetString());
    }

    [Fact]
    public void APortOutsideTcpsRangeIsRefusedForThatInstanceWithTheFix()
    {
        var result = CliProcess.Run("Test-LamassuOpsInstance", "atm-1", "--host", "127.0.0.1", "--port", "70000", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.JsonLines);
        Assert.Contains("lamassuops: PortOutOfRange: ", result.Stderr);
        Assert.Contains("1 to 65535", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }
}
