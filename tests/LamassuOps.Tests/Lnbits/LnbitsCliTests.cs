using System.Text.Json;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Fixtures.Lnbits;

namespace LamassuOps.Tests.Lnbits;

/// <summary>The cross-check through lamassuops as a process, on the shipped samples: JSON output, masking, exit codes.</summary>
public sealed class LnbitsCliTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (string Bunker, string Lnbits) Samples()
    {
        var bunker = BunkerSample.Load(_dir.File("nsecbunker.db"));
        var lnbits = _dir.File("lnbits.sqlite3");
        var sql = File.ReadAllText(RepositoryPaths.Combine(LnbitsSample.RelativePath.Split('/')));
        Assert.Equal(0, ExternalProcess.Run("sqlite3", [lnbits], stdin: sql).ExitCode);
        return (bunker, lnbits);
    }

    [Fact]
    public void GetLnbitsSignerAccountListsTheAccountsWithoutTheirSecrets()
    {
        var (_, lnbits) = Samples();

        var result = CliProcess.Run("Get-LnbitsSignerAccount", lnbits, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(9, result.JsonLines.Count);
        Assert.Equal(NostrTestKey.FromSeed("alice").Pubkey, result.JsonLines.Single(l => l.GetProperty("Username").GetString() == "alice").GetProperty("ClientPubkey").GetString());
        Assert.DoesNotContain("nsec1", result.Stdout + result.Stderr);
        Assert.False(result.JsonLines.Single(l => l.GetProperty("Username").GetString() == "olivia").GetProperty("Readable").GetBoolean());
    }

    [Fact]
    public void TestBunkerPairingExitsOneWhenAPairingIsNotHealthy()
    {
        var (bunker, lnbits) = Samples();

        var verdicts = CliProcess.Run("Test-BunkerPairing", bunker, lnbits, "--json");
        var summary = CliProcess.Run("Test-BunkerPairing", "--bunker-database", bunker, "--lnbits-database", lnbits, "--summary", "--json");

        Assert.True(verdicts.ExitCode == 1, verdicts.Stderr);
        Assert.Equal("", verdicts.Stderr);
        Assert.Equal(10, verdicts.JsonLines.Count);
        Assert.All(verdicts.JsonLines, l => Assert.Equal(bunker, l.GetProperty("Path").GetString()));
        Assert.Equal(1, summary.ExitCode);
        var counts = Assert.Single(summary.JsonLines);
        Assert.Equal((9, 2, 3), (counts.GetProperty("Accounts").GetInt32(), counts.GetProperty("Healthy").GetInt32(), counts.GetProperty("Dangling").GetInt32()));
    }

    [Fact]
    public void TestBunkerPairingExitsZeroWhenEveryPairingIsHealthy()
    {
        var (bunker, lnbits) = Samples();
        Assert.Equal(0, ExternalProcess.Run("sqlite3", [lnbits, "DELETE FROM accounts WHERE username NOT IN ('alice', 'heidi');"]).ExitCode);
        Assert.Equal(0, ExternalProcess.Run("sqlite3", [bunker, "DELETE FROM Token WHERE clientName NOT IN ('LNbits alice', 'LNbits heidi'); DELETE FROM KeyUser WHERE id NOT IN (SELECT keyUserId FROM Token WHERE keyUserId IS NOT NULL);"]).ExitCode);

        var result = CliProcess.Run("Test-BunkerPairing", bunker, lnbits, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        Assert.All(result.JsonLines, l => Assert.Equal("Healthy", l.GetProperty("Verdict").GetString()));
    }

    [Fact]
    public void AMissingLnbitsDatabaseIsAnErrorWithItsIdAndFix()
    {
        var result = CliProcess.Run("Get-LnbitsSignerAccount", _dir.File("none.sqlite3"), "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("lamassuops: LnbitsDatabaseNotFound: ", result.Stderr);
        Assert.Contains("  fix: ", result.Stderr);
    }
}
