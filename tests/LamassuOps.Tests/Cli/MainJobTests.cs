using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Cli;

/// <summary>The README's main-job command, run exactly as written (through the ./lamassuops launcher).</summary>
public sealed class MainJobTests
{
    [Fact]
    public void TheMainJobInspectsTheSampleAndStripsItAfterAVerifiedBackup()
    {
        var result = ExternalProcess.Run("bash", [RepositoryPaths.Combine("samples", "run-main-job.sh")]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("What if: Performing the operation \"Remove 15 stale and 7 redundant policy copies", result.Stderr);
        Assert.Matches(@"RemovedStale +: 15", result.Stdout);
        Assert.Matches(@"SigningConditionsAfter +: 19", result.Stdout);
        Assert.Matches(@"BackupPath +: /\S+/backups/nsecbunker\.db\.\d{8}T\d{9}Z\.bak", result.Stdout);
        Assert.Contains("What if: Performing the operation \"Repair 1 pairing(s) (grace: created a KeyUser of key 'lnbits', bound Token 6 to it), 6 not repairable", result.Stderr);
    }
}
