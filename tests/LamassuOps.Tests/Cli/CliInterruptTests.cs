using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;

namespace LamassuOps.Tests.Cli;

/// <summary>
/// Ctrl+C (SIGINT) stops lamassuops the way PowerShell.Stop() stops a cmdlet: promptly, and a strip stopped inside its
/// write transaction rolls back.
/// </summary>
public sealed class CliInterruptTests : IDisposable
{
    private const int StaleCopies = 200_000;

    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SigintStopsALongStripWithExitCode130AndTheDatabaseUnchanged()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        bunker.AddStaleCopies(StaleCopies);
        var before = SqliteShell.ContentHash(bunker.Path);

        using var process = CrashTrial.Start(["Remove-StaleSigningCondition", bunker.Path, "--force", "--no-backup", "--as-of", bunker.AsOf.ToString("O")]);
        var stderr = process.StandardError.ReadToEndAsync();
        // While it copies or classifies its snapshot (the long part of a strip): the hidden copy (".partial" while it is
        // written, then ".snapshot") exists beside the database from the start of the copy.
        var directory = Path.GetDirectoryName(bunker.Path)!;
        bool Snapshotting() => Directory.EnumerateFiles(directory, ".*snapshot*").Any();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!Snapshotting() && !process.HasExited && waited.Elapsed < TimeSpan.FromMinutes(1)) await Task.Delay(1);
        Assert.False(process.HasExited, "the strip ended before it could be interrupted");
        ExternalProcess.RunChecked("kill", "-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "lamassuops did not stop within 30 s of SIGINT");
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("lamassuops: Stopped.", await stderr);
        Assert.Equal("ok", SqliteShell.Query(bunker.Path, "PRAGMA integrity_check"));
        Assert.Equal(before, SqliteShell.ContentHash(bunker.Path));
        Assert.False(Snapshotting(), "the snapshot was left behind");
    }
}
