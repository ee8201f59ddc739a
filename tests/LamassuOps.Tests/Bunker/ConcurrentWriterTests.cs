using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;

namespace LamassuOps.Tests.Bunker;

/// <summary>
/// nsecbunkerd keeps serving while an operator backs up and strips: a separate process inserts Request rows the
/// way the daemon does, with its own busy timeout, all through a backup and a strip run by lamassuops. Nothing it
/// committed is lost and none of its writes fails.
/// </summary>
public sealed class ConcurrentWriterTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("delete")]
    [InlineData("wal")]
    public void AWriterLosesNothingWhileABackupAndTheStripRun(string journalMode)
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        bunker.AddStaleCopies(40_000);
        SqliteShell.Query(bunker.Path, $"PRAGMA journal_mode = {journalMode}");
        var copies = bunker.Count("SigningCondition");

        using var writer = RequestWriterProcess.Start(bunker.Path, TimeSpan.FromMilliseconds(2));
        writer.WaitForCommitted(20);
        var backup = CliProcess.Run(["Backup-BunkerDatabase", bunker.Path, "--destination", _dir.File("during.bak"), "--json"], null);
        var strip = CliProcess.Run(["Remove-StaleSigningCondition", bunker.Path, "--force", "--as-of", bunker.AsOf.ToString("O"), "--json"], null);
        var committedDuringMaintenance = writer.Committed.Count;
        writer.WaitForCommitted(committedDuringMaintenance + 20);
        writer.Stop();

        Assert.True(backup.ExitCode == 0, backup.Stderr);
        Assert.True(strip.ExitCode == 0, strip.Stderr);
        Assert.Empty(writer.Errors);
        Assert.Equal(writer.Sent, writer.Committed.Count);
        Assert.Equal(writer.Committed.Count.ToString(), SqliteShell.Query(bunker.Path, "SELECT count(*) FROM Request WHERE keyName = 'writer-key'"));
        var stored = SqliteShell.Query(bunker.Path, "SELECT id FROM Request WHERE keyName = 'writer-key'").Split('\n').ToHashSet();
        Assert.Subset(stored, writer.Committed.ToHashSet());
        Assert.True(bunker.Count("SigningCondition") < copies);
        Assert.Equal("ok", SqliteShell.Query(bunker.Path, "PRAGMA integrity_check"));
        Assert.Equal("ok", SqliteShell.Query(_dir.File("during.bak"), "PRAGMA integrity_check"));
    }
}
