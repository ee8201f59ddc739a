using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Tests.Bunker;

/// <summary>
/// Remove-StaleSigningCondition classifies a snapshot, not the live file, and re-validates its plan inside its short
/// write transaction: what nsecbunkerd writes meanwhile either goes through at once (it is not held up) or, when it
/// touches what the plan depends on, stops the strip with nothing removed. The writes "meanwhile" are made from
/// another connection at the confirmation, after the classification and before the transaction.
/// </summary>
public sealed class StripAgainstTheLiveDatabaseTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void APlannedRowChangedMeanwhileStopsTheStripWithNothingRemoved()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var copy = FirstCopyId(bunker);

        var error = Assert.Throws<LamassuOpsException>(() => Strip(bunker, $"UPDATE SigningCondition SET allowed = 0 WHERE id = {copy}"));

        Assert.Equal(StaleSigningConditionStrip.StripPlanChanged, error.ErrorId);
        Assert.Contains("1 of the", error.Message);
        Assert.Equal(CountBefore(bunker), bunker.Count("SigningCondition"));
        Assert.Empty(Directory.GetFiles(_dir.Path, ".*"));
    }

    [Theory]
    [InlineData("UPDATE Token SET revokedAt = 1 WHERE id = (SELECT min(id) FROM Token WHERE redeemedAt IS NOT NULL)", "Token")]
    [InlineData("DELETE FROM PolicyRule WHERE id = (SELECT min(id) FROM PolicyRule)", "PolicyRule")]
    [InlineData("UPDATE KeyUser SET revokedAt = 1 WHERE id = (SELECT min(id) FROM KeyUser)", "KeyUser")]
    public void APairingTableChangedMeanwhileStopsTheStripWithNothingRemoved(string daemonWrite, string table)
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));

        var error = Assert.Throws<LamassuOpsException>(() => Strip(bunker, daemonWrite));

        Assert.Equal(StaleSigningConditionStrip.StripPlanChanged, error.ErrorId);
        Assert.Contains($"{table} changed since the snapshot", error.Message);
        Assert.Equal(CountBefore(bunker), bunker.Count("SigningCondition"));
    }

    /// <summary>Rows added meanwhile are not in the plan and stay; the daemon's usage stamps change no verdict.</summary>
    [Fact]
    public void RowsAddedAndUsageStampsWrittenMeanwhileDoNotStopIt()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var live = bunker.KeyUserId(PairedBunker.LiveClients[0]);
        var classified = Classified(bunker);

        var removal = Strip(bunker, $"INSERT INTO SigningCondition (method, kind, allowed, keyUserId, createdAt) VALUES ('connect', NULL, 1, {live}, '2020-01-01 00:00:00'); " +
                                    $"UPDATE KeyUser SET lastUsedAt = 1, updatedAt = 2 WHERE id = {live}");

        var copies = classified.Where(c => c.Classification == SigningConditionClass.PolicyCopy).Select(c => c.Id).ToHashSet();
        Assert.Equal(copies.Count, removal.Removed);
        var left = ((long)bunker.Fixture.Scalar("SELECT max(id) FROM SigningCondition")!, bunker.Count("SigningCondition"));
        Assert.Equal(classified.Count + 1 - copies.Count, left.Item2);
        Assert.DoesNotContain(left.Item1, copies);
        Assert.Equal(classified.Count + 1, removal.SigningConditionsBefore);
        Assert.Equal(left.Item2, removal.SigningConditionsAfter);
    }

    /// <summary>
    /// In rollback-journal mode a reader keeps every commit out: a write with no busy timeout at all, made while the
    /// strip classifies 30,000 rows, commits at once because the strip reads its snapshot, not the live file.
    /// </summary>
    [Fact]
    public void AWriterWithoutBusyTimeoutCommitsWhileTheStripClassifies()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        bunker.AddStaleCopies(30000);
        var host = new DaemonMeanwhile(bunker.Path, onClassifying: "UPDATE KeyUser SET lastUsedAt = 42 WHERE id = (SELECT min(id) FROM KeyUser)");

        var removal = Assert.Single(new StaleSigningConditionStrip().Run(
            new RemoveStaleSigningConditionOptions { Path = bunker.Path, AsOf = bunker.AsOf, BackupDirectory = _dir.Path }, host).ToList());

        Assert.True(host.Wrote, "the write was made during the classification");
        Assert.True(removal.Removed > 30000);
        Assert.Equal(42L, bunker.Fixture.Scalar("SELECT lastUsedAt FROM KeyUser WHERE id = (SELECT min(id) FROM KeyUser)"));
        Assert.Equal(removal.BackupPath, Assert.Single(Directory.GetFiles(_dir.Path, "*.bak")));
        Assert.Empty(Directory.GetFiles(_dir.Path, ".*"));
    }

    /// <summary>
    /// The planned ids reach the write a stretch of the id space at a time (a byte per id, a mebi-id a stretch): ids
    /// far apart, at the ends of SQLite's range and below zero are each removed, and nothing else.
    /// </summary>
    [Fact]
    public void CopiesWithIdsFarApartAreRemovedAndNothingElse()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var copies = Classified(bunker).Where(c => c.Classification == SigningConditionClass.PolicyCopy).Select(c => c.Id).ToList();
        long[] farIds = [-5, 3_000_000, 3_000_001, 9_000_000, long.MaxValue - 1];
        Assert.True(copies.Count > farIds.Length, "some copies keep their ids");
        foreach (var (copy, far) in copies.Zip(farIds)) bunker.Fixture.Sql($"UPDATE SigningCondition SET id = {far} WHERE id = {copy}");
        var kept = Classified(bunker).Where(c => c.Classification != SigningConditionClass.PolicyCopy).Select(c => c.Id).Order().ToList();

        var removal = Strip(bunker, "SELECT 1");

        Assert.Equal(copies.Count, removal.Removed);
        Assert.Equal(string.Join(",", kept), bunker.Fixture.Scalar("SELECT group_concat(id, ',') FROM (SELECT id FROM SigningCondition ORDER BY id)"));
    }

    [Fact]
    public void APlannedRowRemovedMeanwhileInALaterStretchStopsTheStripWithNothingRemoved()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        bunker.Fixture.Sql($"UPDATE SigningCondition SET id = 7000000 WHERE id = {FirstCopyId(bunker)}");
        var before = CountBefore(bunker);

        var error = Assert.Throws<LamassuOpsException>(() => Strip(bunker, "DELETE FROM SigningCondition WHERE id = 7000000"));

        Assert.Equal(StaleSigningConditionStrip.StripPlanChanged, error.ErrorId);
        Assert.Contains("1 of the", error.Message);
        Assert.Equal(before - 1, bunker.Count("SigningCondition"));
    }

    /// <summary>
    /// The strip deletes with foreign keys off (SQLite then deletes in one pass) only while no table refers to
    /// SigningCondition: where one does, its ON DELETE action still runs.
    /// </summary>
    [Fact]
    public void ATableReferringToSigningConditionKeepsItsForeignKeyAction()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var copy = FirstCopyId(bunker);
        bunker.Fixture.Sql("CREATE TABLE Note (id INTEGER PRIMARY KEY, conditionId INTEGER REFERENCES SigningCondition (id) ON DELETE CASCADE); " +
                           $"INSERT INTO Note (conditionId) VALUES ({copy})");

        Strip(bunker, "SELECT 1");

        Assert.Equal(0L, bunker.Count("Note"));
    }

    private static long FirstCopyId(PairedBunker bunker) =>
        Classified(bunker).First(c => c.Classification == SigningConditionClass.PolicyCopy).Id;

    private static long CountBefore(PairedBunker bunker) => Classified(bunker).Count;

    private static List<BunkerSigningCondition> Classified(PairedBunker bunker)
    {
        using var database = BunkerDatabase.OpenReadOnly(bunker.Path);
        return new SigningConditionClassifier(database, bunker.AsOf).Classify().ToList();
    }

    private static StaleSigningConditionRemoval Strip(PairedBunker bunker, string daemonWrite) =>
        Assert.Single(new StaleSigningConditionStrip().Run(new RemoveStaleSigningConditionOptions { Path = bunker.Path, AsOf = bunker.AsOf, NoBackup = true },
            new DaemonMeanwhile(bunker.Path, onConfirm: daemonWrite)).ToList());

    /// <summary>A host that confirms, and writes to the database from another connection as nsecbunkerd would, with no busy timeout.</summary>
    private sealed class DaemonMeanwhile(string path, string? onConfirm = null, string? onClassifying = null) : IOperationHost
    {
        public bool Wrote { get; private set; }

        public CancellationToken CancellationToken => CancellationToken.None;

        public bool ShouldProcess(string target, string action)
        {
            if (onConfirm is not null) Write(onConfirm);
            return true;
        }

        public void WriteProgress(OperationProgress progress)
        {
            if (onClassifying is not null && !Wrote && progress.Status.StartsWith("classifying: ", StringComparison.Ordinal)) Write(onClassifying);
        }

        public void WriteVerbose(string message)
        {
        }

        public void WriteWarning(string message)
        {
        }

        private void Write(string sql)
        {
            using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Default Timeout=0");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout = 0; " + sql;
            command.ExecuteNonQuery();
            Wrote = true;
        }
    }
}
