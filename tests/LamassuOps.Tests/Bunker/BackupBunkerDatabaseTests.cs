using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Postgres.Support;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Tests.Bunker;

public sealed class BackupBunkerDatabaseTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void BackupIsAVerifiedCopyWithTheSameContentAndATimestampedName()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var before = SqliteShell.ContentHash(bunker.Path);
        var now = new DateTimeOffset(2026, 6, 19, 12, 58, 47, 123, TimeSpan.Zero);

        var backup = Backup(new BackupBunkerDatabaseOptions { Path = bunker.Path, Now = now });

        Assert.Equal(_dir.File("nsecbunker.db.20260619T125847123Z.bak"), backup.BackupPath);
        Assert.Equal(bunker.Path, backup.Path);
        Assert.True(backup.Verified);
        Assert.Equal(BunkerSchemaVariant.LiveGrant, backup.SchemaVariant);
        Assert.Equal(bunker.Count("SigningCondition"), backup.Tables.Single(t => t.Table == "SigningCondition").Rows);
        Assert.Equal(before, SqliteShell.ContentHash(backup.BackupPath));
        Assert.Equal("ok", SqliteShell.Query(backup.BackupPath, "PRAGMA integrity_check"));
        Assert.Equal("delete", SqliteShell.Query(backup.BackupPath, "PRAGMA journal_mode"));
        Assert.Equal(before, SqliteShell.ContentHash(bunker.Path));
        Assert.Equal(["nsecbunker.db", "nsecbunker.db.20260619T125847123Z.bak"], Entries(_dir.Path));
    }

    [Fact]
    public void BackupOfAWalDatabaseIsOneSelfContainedFileWithTheCommittedRows()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        SqliteShell.Query(bunker.Path, "PRAGMA journal_mode = WAL");
        using var daemon = new SqliteConnection($"Data Source={bunker.Path};Pooling=False");
        daemon.Open();
        using (var insert = daemon.CreateCommand())
        {
            insert.CommandText = "PRAGMA wal_autocheckpoint = 0; INSERT INTO Request (id, createdAt, requestId, remotePubkey, method) VALUES ('in-wal', 1, 'r', 'p', 'ping')";
            insert.ExecuteNonQuery();
        }
        Directory.CreateDirectory(_dir.File("backups"));

        var backup = Backup(new BackupBunkerDatabaseOptions { Path = bunker.Path, Destination = _dir.File("backups") });

        Assert.Equal([Path.GetFileName(backup.BackupPath)], Entries(_dir.File("backups")));
        Assert.Equal("1", SqliteShell.Query(backup.BackupPath, "SELECT count(*) FROM Request WHERE id = 'in-wal'"));
        Assert.Equal("delete", SqliteShell.Query(backup.BackupPath, "PRAGMA journal_mode"));
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void TheBackupIsNoMoreReadableThanTheDatabaseItCopies(UnixFileMode databaseMode)
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        File.SetUnixFileMode(bunker.Path, databaseMode);

        var backup = Backup(new BackupBunkerDatabaseOptions { Path = bunker.Path });

        Assert.Equal(databaseMode, File.GetUnixFileMode(backup.BackupPath));
    }

    [Fact]
    public void WhatIfWritesNothing()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var snapshot = FileSnapshot.Take(bunker.Path);
        var host = new RecordingHost(allowChanges: false);

        var results = BackupBunkerDatabaseOperation.Run(new BackupBunkerDatabaseOptions { Path = bunker.Path }, host).ToList();

        Assert.Empty(results);
        Assert.Single(host.ShouldProcessCalls);
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void AnExistingDestinationIsNeverOverwritten()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        File.WriteAllText(_dir.File("taken.bak"), "precious");
        var snapshot = FileSnapshot.Take(_dir.File("taken.bak"));

        var error = Fails(new BackupBunkerDatabaseOptions { Path = bunker.Path, Destination = _dir.File("taken.bak") });
        var itself = Fails(new BackupBunkerDatabaseOptions { Path = bunker.Path, Destination = bunker.Path });

        Assert.Equal(BackupErrors.DestinationExists, error.ErrorId);
        Assert.Equal(BackupErrors.DestinationExists, itself.ErrorId);
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void AMissingDestinationDirectoryIsAnError()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var snapshot = FileSnapshot.Take(bunker.Path);

        var error = Fails(new BackupBunkerDatabaseOptions { Path = bunker.Path, Destination = _dir.File("nowhere", "x.bak") });

        Assert.Equal(BackupErrors.DestinationDirectoryNotFound, error.ErrorId);
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void AnotherProgramsDatabaseIsNotBackedUp()
    {
        var other = _dir.File("wallet.sqlite3");
        SqliteShell.Query(other, "CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INTEGER); INSERT INTO accounts VALUES ('a', 1)");
        var snapshot = FileSnapshot.Take(other);

        var error = Fails(new BackupBunkerDatabaseOptions { Path = other });

        Assert.Equal(BunkerErrors.NotNsecbunkerDatabase, error.ErrorId);
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void AReadOnlyDestinationIsAnErrorAndLeavesNothingBehind()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var snapshot = FileSnapshot.Take(bunker.Path);
        using var readOnly = MountedFileSystem.Tmpfs("ro,size=1m");

        var error = Fails(new BackupBunkerDatabaseOptions { Path = bunker.Path, Destination = readOnly.Path });

        Assert.Equal(BackupErrors.DestinationNotWritable, error.ErrorId);
        Assert.Contains(readOnly.Path, error.Message);
        Assert.Empty(readOnly.Entries());
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void AFullDiskIsAnErrorAndLeavesNoPartialBackup()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        bunker.AddStaleCopies(20_000);
        var snapshot = FileSnapshot.Take(bunker.Path);
        using var small = MountedFileSystem.Tmpfs("size=64k");

        var error = Fails(new BackupBunkerDatabaseOptions { Path = bunker.Path, Destination = small.Path });

        Assert.Equal(BackupErrors.DiskFull, error.ErrorId);
        Assert.Empty(small.Entries());
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void CliWritesTheBackupObjectAsJson()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));

        var result = CliProcess.Run(["Backup-BunkerDatabase", bunker.Path, "--destination", _dir.File("copy.bak"), "--json"], null);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var backup = Assert.Single(result.JsonLines);
        Assert.Equal(_dir.File("copy.bak"), backup.GetProperty("BackupPath").GetString());
        Assert.Equal(bunker.Path, backup.GetProperty("Path").GetString());
        Assert.True(backup.GetProperty("Verified").GetBoolean());
        Assert.Equal("LiveGrant", backup.GetProperty("SchemaVariant").GetString());
        Assert.Equal(SqliteShell.ContentHash(bunker.Path), SqliteShell.ContentHash(_dir.File("copy.bak")));
    }

    internal static IReadOnlyList<string> Entries(string directory) =>
        Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    private static BunkerBackup Backup(BackupBunkerDatabaseOptions options) =>
        Assert.Single(BackupBunkerDatabaseOperation.Run(options, new RecordingHost()).ToList());

    private static LamassuOpsException Fails(BackupBunkerDatabaseOptions options) =>
        Assert.Throws<LamassuOpsException>(() => BackupBunkerDatabaseOperation.Run(options, new RecordingHost()).ToList());
}
