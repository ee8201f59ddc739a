using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Postgres;

/// <summary>Test-PeerAuth and Assert-PeerAuth through lamassuops, for a socket directory that does not exist (no server needed).</summary>
public sealed class PeerAuthCliTests
{
    private static readonly string MissingSocketDirectory = Path.Combine(Path.GetTempPath(), "lamassuops-no-socket-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void TestPeerAuthWritesItsDiagnosisAsJson()
    {
        var result = CliProcess.Run("Test-PeerAuth", "lamassu", "lamassu", "--socket-directory", MissingSocketDirectory, "--json");

        Assert.Equal(0, result.ExitCode);
        var report = Assert.Single(result.JsonLines);
        Assert.False(report.GetProperty("Succeeded").GetBoolean());
        Assert.Equal("NoSocketDirectory", report.GetProperty("Diagnosis").GetString());
        Assert.Equal("lamassu", report.GetProperty("User").GetString());
        Assert.Equal(Path.Combine(MissingSocketDirectory, ".s.PGSQL.5432"), report.GetProperty("SocketPath").GetString());
    }

    [Fact]
    public void TestPeerAuthQuietWritesOnlyTheVerdictAndExitsOneWhenItIsFalse()
    {
        var result = CliProcess.Run("Test-PeerAuth", "lamassu", "--socket-directory", MissingSocketDirectory, "--quiet", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("false", result.Stdout.Trim());
    }

    [Fact]
    public void AssertPeerAuthFailsWithTheDiagnosisAsErrorId()
    {
        var result = CliProcess.Run("Assert-PeerAuth", "lamassu", "lamassu", "--socket-directory", MissingSocketDirectory, "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("lamassuops: PeerAuthNoSocketDirectory: The socket directory", result.Stderr);
        Assert.Contains("  fix: ", result.Stderr);
    }
}
