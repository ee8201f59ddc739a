using LamassuOps.Core.Lnbits;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Fixtures.Lnbits;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Lnbits;

/// <summary>The shipped LNbits sample is what the builder makes, and pairs with the shipped bunker sample as documented.</summary>
public sealed class LnbitsSampleTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string ShippedPath => RepositoryPaths.Combine(LnbitsSample.RelativePath.Split('/'));

    [Fact]
    public void ShippedSampleIsWhatTheBuilderProduces()
    {
        var generated = LnbitsSample.Build(BunkerSample.Load(_dir.File("nsecbunker.db")));
        if (Environment.GetEnvironmentVariable("LAMASSUOPS_WRITE_SAMPLES") == "1") File.WriteAllText(ShippedPath, generated);

        Assert.True(generated == File.ReadAllText(ShippedPath),
            $"{LnbitsSample.RelativePath} is stale or missing. Regenerate it with: LAMASSUOPS_WRITE_SAMPLES=1 dotnet test tests/LamassuOps.Tests --filter LnbitsSampleTests");
    }

    [Fact]
    public void TheSamplesPairWithOneVerdictOfEachKind()
    {
        var bunker = BunkerSample.Load(_dir.File("nsecbunker.db"));
        var lnbits = _dir.File("lnbits.sqlite3");
        var loaded = ExternalProcess.Run("sqlite3", [lnbits], stdin: File.ReadAllText(ShippedPath));
        Assert.True(loaded.ExitCode == 0, loaded.Describe());

        var verdicts = BunkerPairingTest.Test(new BunkerPairingTestOptions { BunkerDatabase = bunker, LnbitsDatabase = lnbits }, new RecordingHost())
            .ToDictionary(v => v.Username ?? "KeyUser " + v.KeyUserId, v => v.Verdict);

        Assert.Equal(new Dictionary<string, PairingVerdict>
        {
            ["alice"] = PairingVerdict.Healthy, ["heidi"] = PairingVerdict.Healthy, ["bob"] = PairingVerdict.Expired,
            ["carol"] = PairingVerdict.Revoked, ["grace"] = PairingVerdict.Dangling, ["judy"] = PairingVerdict.Dangling,
            ["karl"] = PairingVerdict.Revoked, ["zoe"] = PairingVerdict.Dangling, ["olivia"] = PairingVerdict.Malformed,
            ["KeyUser 4"] = PairingVerdict.OrphanedKeyUser,
        }, verdicts);
    }
}
