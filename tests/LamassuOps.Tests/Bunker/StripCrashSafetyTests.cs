using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using Xunit.Abstractions;

namespace LamassuOps.Tests.Bunker;

/// <summary>
/// The strip killed with SIGKILL at random moments: the built lamassuops runs Remove-StaleSigningCondition as a
/// child process and dies wherever it is (opening, classifying, backing up, inside the transaction, committing).
/// Every time, the database passes integrity_check and holds exactly the content from before the strip or exactly
/// the content after it, and the pairing tables are untouched; a backup under its final name is always complete.
/// </summary>
public sealed class StripCrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private const int RandomMomentTrials = 30;
    private const int InsideTransactionTrials = 20;

    /// <summary>Enough stale copies that the strip runs for about a second, so kills land all over it.</summary>
    private const int StaleCopies = 100_000;

    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void KilledAtRandomMomentsTheDatabaseIsEitherFullyBeforeOrFullyAfter()
    {
        var template = PairedBunker.Create(_dir.File("template.db"));
        template.AddStaleCopies(StaleCopies);
        var before = SqliteShell.ContentHash(template.Path);
        var pairingBefore = PairingHashes(template.Path);

        var finished = Trial("finished");
        var run = CrashTrial.RunToEnd(StripArgs(finished, withBackup: false, template.AsOf), finished + "-journal");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var after = SqliteShell.ContentHash(finished);
        Assert.NotEqual(before, after);
        Assert.Equal(pairingBefore, PairingHashes(finished));

        var random = new Random(20260619);
        var outcomes = new List<(string Kind, CrashTrialOutcome Outcome, bool Before)>();
        for (var i = 0; i < RandomMomentTrials + InsideTransactionTrials; i++)
        {
            var path = Trial($"trial-{i}");
            var withBackup = i % 3 == 0;
            var args = StripArgs(path, withBackup, template.AsOf);
            var insideTransaction = i >= RandomMomentTrials;
            var outcome = insideTransaction
                ? CrashTrial.KillAfterFileAppears(args, path, path + "-journal",
                    i - RandomMomentTrials < 4 ? TimeSpan.Zero : run.FileLifetime * random.NextDouble())
                : CrashTrial.KillAfter(args, path, run.Duration * random.NextDouble());

            Assert.Equal("ok", SqliteShell.Query(path, "PRAGMA integrity_check"));
            var content = SqliteShell.ContentHash(path);
            Assert.True(content == before || content == after, $"trial {i}: the database is neither as before nor as after the strip");
            Assert.Equal(pairingBefore, PairingHashes(path));
            foreach (var backup in Directory.EnumerateFiles(Path.GetDirectoryName(path)!, "*.bak"))
            {
                Assert.Equal("ok", SqliteShell.Query(backup, "PRAGMA integrity_check"));
                Assert.Equal(before, SqliteShell.ContentHash(backup));
            }
            outcomes.Add((insideTransaction ? "inside transaction" : "random moment", outcome, content == before));
        }

        foreach (var group in outcomes.GroupBy(o => o.Kind))
            output.WriteLine($"{group.Key}: {group.Count()} trials, {group.Count(o => o.Outcome.Killed)} killed " +
                             $"({group.Count(o => o.Outcome.HotJournalAtKill)} inside the write transaction), " +
                             $"{group.Count(o => o.Before)} left as before, {group.Count(o => !o.Before)} as after");
        output.WriteLine($"uninterrupted strip: {run.Duration.TotalMilliseconds:0} ms, {run.FileLifetime.TotalMilliseconds:0} ms of them with the journal");
        Assert.Contains(outcomes, o => o.Outcome.HotJournalAtKill && o.Before);
        Assert.All(outcomes.Where(o => !o.Outcome.Killed), o => Assert.Equal(0, o.Outcome.ExitCode));
    }

    private string Trial(string name)
    {
        Directory.CreateDirectory(_dir.File(name));
        var path = _dir.File(name, "nsecbunker.db");
        File.Copy(_dir.File("template.db"), path);
        return path;
    }

    private static string[] StripArgs(string path, bool withBackup, DateTimeOffset asOf) =>
    [
        "Remove-StaleSigningCondition", path, "--force", "--as-of", asOf.ToString("O"),
        .. withBackup ? Array.Empty<string>() : ["--no-backup"],
    ];

    private static string PairingHashes(string path) =>
        ExternalProcess.RunChecked("sqlite3", "-batch", path, ".sha3sum KeyUser", ".sha3sum Token", ".sha3sum Policy", ".sha3sum PolicyRule").Stdout;
}
