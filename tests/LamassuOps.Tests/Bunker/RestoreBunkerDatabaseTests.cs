using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Postgres.Support;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Tests.Bunker;

public sealed class RestoreBunkerDatabaseTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The runbook's recovery: a full wipe is undone from the pre-wipe backup, and the wiped state is kept aside.</summary>
    [Fact]
    public void RestoreUndoesAFullWipeAndKeepsTheWipedDatabaseAsASafetyCopy()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var backup = BackupOf(bunker.Path);
        var paired = SqliteShell.ContentHash(bunker.Path);
        SqliteShell.Query(bunker.Path, "DELETE FROM SigningCondition; DELETE FROM Token; DELETE FROM KeyUser;");
        var wiped = SqliteShell.ContentHash(bunker.Path);
        var now = new DateTimeOffset(2026, 6, 20, 8, 0, 0, TimeSpan.Zero);

        var restore = Assert.Single(RestoreBunkerDatabaseOperation.Run(
            new RestoreBunkerDatabaseOptions { Path = bunker.Path, BackupPath = backup, Now = now }, new RecordingHost()).ToList());

        Assert.True(restore.Verified);
        Assert.Equal(paired, SqliteShell.ContentHash(bunker.Path));
        Assert.Equal("ok", SqliteShell.Query(bunker.Path, "PRAGMA integrity_check"));
        Assert.Equal(_dir.File("nsecbunker.db.20260620T080000000Z.pre-restore.bak"), restore.SafetyCopyPath);
        Assert.Equal(wiped, SqliteShell.ContentHash(restore.SafetyCopyPath!));
        Assert.Equal(paired, SqliteShell.ContentHash(backup));
    }

    /// <summary>
    /// A daemon with the database open keeps working: its connection sees the restored rows, and the file keeps
    /// its WAL journal mode (nothing was swapped under it).
    /// </summary>
    [Fact]
    public void RestoreGoesThroughSqliteSoAnOpenConnectionSeesTheRestoredDatabase()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var backup = BackupOf(bunker.Path);
        SqliteShell.Query(bunker.Path, "PRAGMA journal_mode = WAL");
        using var daemon = new SqliteConnection($"Data Source={bunker.Path};Pooling=False");
        daemon.Open();
        Execute(daemon, "DELETE FROM SigningCondition");

        Assert.Single(RestoreBunkerDatabaseOperation.Run(
            new RestoreBunkerDatabaseOptions { Path = bunker.Path, BackupPath = backup }, new RecordingHost()).ToList());

        Assert.Equal(bunker.Count("SigningCondition"), Scalar(daemon, "SELECT count(*) FROM SigningCondition"));
        Assert.NotEqual(0, Scalar(daemon, "SELECT count(*) FROM SigningCondition"));
        Execute(daemon, "INSERT INTO Request (id, createdAt, requestId, remotePubkey, method) VALUES ('after-restore', 1, 'r', 'p', 'ping')");
        Assert.Equal("wal", SqliteShell.Query(bunker.Path, "PRAGMA journal_mode"));
        Assert.Equal("ok", SqliteShell.Query(bunker.Path, "PRAGMA integrity_check"));
    }

    [Fact]
    public void RestoreIntoAMissingDatabaseCreatesItWithoutASafetyCopy()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var backup = BackupOf(bunker.Path);
        var content = SqliteShell.ContentHash(bunker.Path);
        File.Delete(bunker.Path);

        var restore = Assert.Single(RestoreBunkerDatabaseOperation.Run(
            new RestoreBunkerDatabaseOptions { Path = bunker.Path, BackupPath = backup }, new RecordingHost()).ToList());

        Assert.Null(restore.SafetyCopyPath);
        Assert.Equal(content, SqliteShell.ContentHash(bunker.Path));
    }

    [Fact]
    public void WhatIfChangesNothingAndWritesNoSafetyCopy()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var backup = BackupOf(bunker.Path);
        SqliteShell.Query(bunker.Path, "DELETE FROM SigningCondition");
        var snapshot = FileSnapshot.Take(bunker.Path);
        var host = new RecordingHost(allowChanges: false);

        Assert.Empty(RestoreBunkerDatabaseOperation.Run(
            new RestoreBunkerDatabaseOptions { Path = bunker.Path, BackupPath = backup }, host).ToList());

        Assert.Single(host.ShouldProcessCalls);
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void ABackupOfAnotherProgramIsRefused()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var other = _dir.File("wallet.sqlite3");
        SqliteShell.Query(other, "CREATE TABLE accounts (id TEXT PRIMARY KEY)");
        var snapshot = FileSnapshot.Take(bunker.Path);

        var error = Fails(bunker.Path, other);

        Assert.Equal(BunkerErrors.NotNsecbunkerDatabase, error.ErrorId);
        Assert.Equal(other, error.Target);
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void ACorruptBackupIsRefused()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        bunker.AddStaleCopies(5_000);
        var backup = BackupOf(bunker.Path);
        CorruptLastPage(backup);
        var snapshot = FileSnapshot.Take(bunker.Path);

        var error = Fails(bunker.Path, backup);

        Assert.Contains(error.ErrorId, new[] { BackupErrors.VerificationFailed, BunkerErrors.DatabaseCorrupt });
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void ARestoreOverAFileThatIsNoDatabaseIsRefused()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var backup = BackupOf(bunker.Path);
        var notes = _dir.File("notes.txt");
        File.WriteAllText(notes, "not a database, and it matters to someone");
        var snapshot = FileSnapshot.Take(notes);

        var error = Fails(notes, backup);

        Assert.Equal(RestoreBunkerDatabaseOperation.RestoreTargetNotDatabase, error.ErrorId);
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void TheBackupCannotBeTheDatabaseItself()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var snapshot = FileSnapshot.Take(bunker.Path);

        Assert.Equal(BackupErrors.BackupIsTarget, Fails(bunker.Path, bunker.Path).ErrorId);
        snapshot.AssertUnchanged();
    }

    /// <summary>The issue's case: a backup with empty KeyUser, Token and SigningCondition tables would drop every pairing.</summary>
    [Fact]
    public void ABackupThatWouldDropPairingsIsRefusedUnlessThePairingLossIsAccepted()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var backup = BackupOf(bunker.Path);
        SqliteShell.Query(backup, "DELETE FROM SigningCondition; DELETE FROM Token; DELETE FROM KeyUser;");
        var snapshot = FileSnapshot.Take(bunker.Path);

        var error = Fails(bunker.Path, backup);

        Assert.Equal(RestoreBunkerDatabaseOperation.RestoreWouldLosePairings, error.ErrorId);
        Assert.Contains($"lnbits {BunkerFixture.Pubkey("alice")}", error.Message);
        Assert.Contains("redeemed token(s) would be removed", error.Message);
        Assert.Contains("-AcceptPairingLoss", error.RecommendedAction);
        snapshot.AssertUnchanged();

        var restore = Assert.Single(Run(bunker.Path, backup, acceptPairingLoss: true));
        Assert.Equal(0, bunker.Count("KeyUser"));
        Assert.Contains($"lnbits {BunkerFixture.Pubkey("alice")}", restore.PairingsRemoved);
        Assert.Empty(restore.PairingsAdded);
        Assert.NotNull(restore.SafetyCopyPath);
    }

    [Fact]
    public void AnOlderSchemaIsRefusedUnlessTheDowngradeIsAccepted()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        var backup = BackupOf(bunker.Path);
        bunker.Fixture.UpgradeTo(BunkerFixtureSchema.LiveGrant);
        var snapshot = FileSnapshot.Take(bunker.Path);

        var error = Assert.Throws<LamassuOpsException>(() => Run(bunker.Path, backup, acceptPairingLoss: true));

        Assert.Equal(RestoreBunkerDatabaseOperation.RestoreWouldDowngradeSchema, error.ErrorId);
        Assert.Contains("Token.revokedAt", error.Message);
        Assert.Contains("migration 20260619125847_live_grant_lifecycle_schema", error.Message);
        snapshot.AssertUnchanged();
        var restore = Assert.Single(Run(bunker.Path, backup, acceptSchemaDowngrade: true));
        Assert.Equal(BunkerSchemaVariant.Upstream, restore.SchemaVariant);
    }

    [Fact]
    public void TheReportListsThePairingsARestoreAdds()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var backup = BackupOf(bunker.Path);
        SqliteShell.Query(bunker.Path, $"DELETE FROM KeyUser WHERE userPubkey = '{BunkerFixture.Pubkey("bob")}'");

        var restore = Assert.Single(Run(bunker.Path, backup));

        Assert.Equal([$"lnbits {BunkerFixture.Pubkey("bob")}"], restore.PairingsAdded);
        Assert.Empty(restore.PairingsRemoved);
    }

    /// <summary>A hard link or symbolic link to the database is refused at once: no 30 s lock wait, no safety copy.</summary>
    [Theory]
    [InlineData("hard")]
    [InlineData("symbolic")]
    public void TheDatabaseUnderAnotherNameIsRefusedAtOnce(string link)
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var alias = _dir.File("alias.db");
        if (link == "hard") ExternalProcess.RunChecked("ln", bunker.Path, alias);
        else File.CreateSymbolicLink(alias, bunker.Path);
        var snapshot = FileSnapshot.Take(bunker.Path);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = Fails(bunker.Path, alias);

        Assert.Equal(BackupErrors.BackupIsTarget, error.ErrorId);
        Assert.Contains("same device and inode", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        snapshot.AssertUnchanged();
    }

    /// <summary>A database the restore creates holds every token: it gets the backup's bits (0600), not the umask's 0644.</summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void ARestoredNewDatabaseIsNoMoreReadableThanTheBackup()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var backup = BackupOf(bunker.Path);
        File.SetUnixFileMode(backup, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var restored = _dir.File("new.db");

        Assert.Single(Run(restored, backup));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(restored));
    }

    [Fact]
    public void ARestoreIntoAMissingDirectoryIsRefusedAndCreatesNothing()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var backup = BackupOf(bunker.Path);
        var snapshot = FileSnapshot.Take(backup);

        var error = Fails(_dir.File("missing", "nsecbunker.db"), backup);

        Assert.Equal(RestoreBunkerDatabaseOperation.RestoreTargetNotWritable, error.ErrorId);
        Assert.False(Directory.Exists(_dir.File("missing")));
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void CliRefusesAPairingLossEvenWithForce()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var backup = BackupOf(bunker.Path);
        SqliteShell.Query(backup, "DELETE FROM SigningCondition; DELETE FROM Token; DELETE FROM KeyUser;");
        var snapshot = FileSnapshot.Take(bunker.Path);

        var refused = CliProcess.Run(["Restore-BunkerDatabase", "--path", bunker.Path, "--backup-path", backup, "--force"], null);
        snapshot.AssertUnchanged();
        var accepted = CliProcess.Run(["Restore-BunkerDatabase", "--path", bunker.Path, "--backup-path", backup, "--force", "--accept-pairing-loss", "--json"], null);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("lamassuops: RestoreWouldLosePairings: ", refused.Stderr);
        Assert.DoesNotContain("   at ", refused.Stderr);
        Assert.True(accepted.ExitCode == 0, accepted.Stderr);
        Assert.NotEmpty(Assert.Single(accepted.JsonLines).GetProperty("PairingsRemoved").EnumerateArray());
    }

    [Fact]
    public void CliRestoresWithForceAndWritesTheResultAsJson()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var backup = BackupOf(bunker.Path);
        var content = SqliteShell.ContentHash(bunker.Path);
        SqliteShell.Query(bunker.Path, "DELETE FROM KeyUser");

        var refused = CliProcess.Run(["Restore-BunkerDatabase", bunker.Path, backup, "--json"], null);
        var result = CliProcess.Run(["Restore-BunkerDatabase", "--path", bunker.Path, "--backup-path", backup, "--force", "--json"], null);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("ConfirmationNotPossible", refused.Stderr);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var restore = Assert.Single(result.JsonLines);
        Assert.True(restore.GetProperty("Verified").GetBoolean());
        Assert.Equal(backup, restore.GetProperty("BackupPath").GetString());
        Assert.EndsWith(".pre-restore.bak", restore.GetProperty("SafetyCopyPath").GetString());
        Assert.Equal(content, SqliteShell.ContentHash(bunker.Path));
    }

    private string BackupOf(string path) =>
        Assert.Single(BackupBunkerDatabaseOperation.Run(
            new BackupBunkerDatabaseOptions { Path = path, Destination = _dir.File($"backup-{Guid.NewGuid():N}.bak") },
            new RecordingHost()).ToList()).BackupPath;

    private static List<BunkerRestore> Run(string path, string backup, bool acceptPairingLoss = false, bool acceptSchemaDowngrade = false) =>
        RestoreBunkerDatabaseOperation.Run(new RestoreBunkerDatabaseOptions
        {
            Path = path,
            BackupPath = backup,
            AcceptPairingLoss = acceptPairingLoss,
            AcceptSchemaDowngrade = acceptSchemaDowngrade,
        }, new RecordingHost()).ToList();

    private static LamassuOpsException Fails(string path, string backup) =>
        Assert.Throws<LamassuOpsException>(() => RestoreBunkerDatabaseOperation.Run(
            new RestoreBunkerDatabaseOptions { Path = path, BackupPath = backup }, new RecordingHost()).ToList());

    /// <summary>Overwrites the last page with garbage: the header still says SQLite, integrity_check does not.</summary>
    private static void CorruptLastPage(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Seek(-4096, SeekOrigin.End);
        stream.Write(Enumerable.Repeat((byte)0xA5, 4096).ToArray());
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
