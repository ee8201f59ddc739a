using System.Security.Cryptography;
using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Core.Lnbits;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Fixtures.Lnbits;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Bunker;

/// <summary>
/// -LnbitsDatabase on Remove-BunkerRequest, Remove-BunkerSigningLog and Restore-BunkerDatabase: every LNbits pairing
/// that was Healthy before must still be Healthy inside the transaction, or the change is rolled back. Real bunker
/// fixtures, real LNbits databases on SQLite and on the test PostgreSQL (peer auth), keys generated here.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LnbitsPairingProofTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();
    private readonly LnbitsDatabases _lnbits;

    public LnbitsPairingProofTests(PostgresServer server)
    {
        _lnbits = new LnbitsDatabases(server, _dir);
    }

    public void Dispose()
    {
        _lnbits.Dispose();
        _dir.Dispose();
    }

    /// <summary>A bunker where alice and bob are paired with LNbits (both Healthy), with old Request and SigningLog rows.</summary>
    private sealed record Instance(BunkerFixture Bunker, string Lnbits, DateTimeOffset AsOf, long Alice, long Bob, string Backups)
    {
        public string Path => Bunker.Path;
    }

    /// <param name="copies">Alice was paired before the fork's live grants, so her redemption wrote the policy's photocopies (what a strip removes).</param>
    private Instance Paired(bool postgres, bool copies = false)
    {
        var bunker = BunkerFixture.Create(_dir.File("nsecbunker.db"), copies ? BunkerFixtureSchema.ForkTokenRevokedAt : BunkerFixtureSchema.LiveGrant);
        var policy = bunker.CreatePolicy("lnbits-default", new FixtureRule("sign_event", "1"));
        var accounts = new List<LnbitsTestAccount>();
        long Pair(string name)
        {
            var key = NostrTestKey.Generate();
            var token = bunker.CreateToken("lnbits", name, policy);
            var keyUser = bunker.RedeemToken(token, key.Pubkey);
            if (copies && bunker.Schema != BunkerFixtureSchema.LiveGrant) bunker.UpgradeTo(BunkerFixtureSchema.LiveGrant);
            accounts.Add(new LnbitsTestAccount("acct-" + name, name, LnbitsFixture.SignerConfig(token.Value, key, policy)));
            for (var i = 0; i < 3; i++)
            {
                bunker.RecordRequest("lnbits", key.Pubkey, "sign_event");
                bunker.LogSigning(keyUser, "sign_event", "1");
            }
            return keyUser;
        }
        var (alice, bob) = (Pair("alice"), Pair("bob"));
        var backups = Directory.CreateDirectory(_dir.File("backups")).FullName;
        return new Instance(bunker, _lnbits.Write(postgres, accounts), bunker.Now.AddDays(60), alice, bob, backups);
    }

    /// <summary>Runs a prune of <paramref name="table"/> (Request or SigningLog) or the strip (SigningCondition); the rows it removed.</summary>
    private static long Prune(string table, Instance instance, string? lnbits, RecordingHost host) => table switch
    {
        "SigningCondition" => new StaleSigningConditionStrip().Run(new RemoveStaleSigningConditionOptions
        {
            Path = instance.Path, AsOf = instance.AsOf, BackupDirectory = instance.Backups, LnbitsDatabase = lnbits,
        }, host).Sum(r => r.RemovedStale + r.RemovedRedundant + r.RemovedOther),
        "Request" => RemoveBunkerRequestOperation.Run(new RemoveBunkerRequestOptions
        {
            Path = instance.Path, AsOf = instance.AsOf, BackupDirectory = instance.Backups, LnbitsDatabase = lnbits,
        }, host).Sum(r => r.Removed),
        _ => RemoveBunkerSigningLogOperation.Run(new RemoveBunkerSigningLogOptions
        {
            Path = instance.Path, AsOf = instance.AsOf, BackupDirectory = instance.Backups, LnbitsDatabase = lnbits,
        }, host).Sum(r => r.Removed),
    };

    private static List<BunkerRestore> Restore(Instance instance, string backup, bool acceptPairingLoss = false, RecordingHost? host = null) =>
        RestoreBunkerDatabaseOperation.Run(new RestoreBunkerDatabaseOptions
        {
            Path = instance.Path, BackupPath = backup, Now = instance.AsOf, AcceptPairingLoss = acceptPairingLoss, LnbitsDatabase = instance.Lnbits,
        }, host ?? new RecordingHost()).ToList();

    private string BackupOf(string path) =>
        Assert.Single(BackupBunkerDatabaseOperation.Run(
            new BackupBunkerDatabaseOptions { Path = path, Destination = _dir.File($"backup-{Guid.NewGuid():N}.bak") },
            new RecordingHost()).ToList()).BackupPath;

    private static string FileHash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static string Millis(DateTimeOffset date) => BunkerDate.ToMilliseconds(date).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("Request", false)]
    [InlineData("Request", true)]
    [InlineData("SigningLog", false)]
    [InlineData("SigningLog", true)]
    public void APruneThatKeepsEveryHealthyPairingCommits(string table, bool postgres)
    {
        var instance = Paired(postgres);
        var host = new RecordingHost();

        Assert.Equal(6, Prune(table, instance, instance.Lnbits, host));

        Assert.Equal("0", SqliteShell.Query(instance.Path, $"SELECT count(*) FROM {table}"));
        Assert.Contains(host.Verbose, v => v.StartsWith("Checked inside the transaction: 2 Healthy LNbits pairing(s) of", StringComparison.Ordinal)
                                           && v.Contains("still Healthy; KeyUser (2 rows)"));
        var verdicts = BunkerPairingTest.Test(new BunkerPairingTestOptions { BunkerDatabase = instance.Path, LnbitsDatabase = instance.Lnbits, AsOf = instance.AsOf },
            new RecordingHost());
        Assert.All(verdicts, v => Assert.Equal(PairingVerdict.Healthy, v.Verdict));
    }

    /// <summary>
    /// A trigger that changes alice's KeyUser when rows are deleted: the proof sees her pairing break inside the
    /// transaction, rolls back, and names her and the verified backup, which stays.
    /// </summary>
    [Theory]
    [InlineData("Request", false)]
    [InlineData("Request", true)]
    [InlineData("SigningLog", false)]
    [InlineData("SigningLog", true)]
    [InlineData("SigningCondition", false)]
    [InlineData("SigningCondition", true)]
    public void ATriggerThatBreaksAPairingDuringAPruneIsRolledBackKeepingTheBackup(string table, bool postgres)
    {
        var instance = Paired(postgres, copies: table == "SigningCondition");
        instance.Bunker.Sql($"CREATE TRIGGER break_alice AFTER DELETE ON {table} BEGIN " +
                            $"UPDATE KeyUser SET userPubkey = '{BunkerFixture.Pubkey("mallory")}' WHERE id = {instance.Alice}; END;");
        var snapshot = FileSnapshot.Take(instance.Path);

        var error = Assert.Throws<LamassuOpsException>(() => Prune(table, instance, instance.Lnbits, new RecordingHost()));

        Assert.Equal(LnbitsPairingProof.PairingBroken, error.ErrorId);
        Assert.Contains("1 of the 2 LNbits pairing(s)", error.Message);
        Assert.Contains("account acct-alice (alice) would be IdentityMismatch", error.Message);
        Assert.DoesNotContain("acct-bob", error.Message);
        Assert.Contains("rolled back and nothing changed", error.Message);
        Assert.Contains("Test-BunkerPairing", error.RecommendedAction);
        snapshot.AssertUnchanged();
        var backup = Assert.Single(Directory.GetFiles(instance.Backups));
        Assert.Contains($"The verified backup taken before it is kept: '{backup}'.", error.Message);
        Assert.Equal(SqliteShell.ContentHash(instance.Path), SqliteShell.ContentHash(backup));
    }

    /// <summary>
    /// Another writer (a second connection, as nsecbunkerd or an admin's sqlite3 would) breaks alice's pairing on the
    /// bunker side while the strip waits for its confirmation: after the classification, before its transaction. The
    /// strip re-validates its plan inside the transaction against the snapshot it classified, so it is refused and
    /// rolled back: the SigningCondition rows as they were, the verified backup (the snapshot, as before the write)
    /// kept and named. No writer can come between the checks and the commit: the transaction holds the write lock.
    /// </summary>
    [Theory]
    [InlineData("DELETE FROM Token WHERE keyUserId = {0}", "Token", false)]
    [InlineData("DELETE FROM Token WHERE keyUserId = {0}", "Token", true)]
    [InlineData("UPDATE KeyUser SET userPubkey = '{1}' WHERE id = {0}", "KeyUser", false)]
    [InlineData("UPDATE KeyUser SET userPubkey = '{1}' WHERE id = {0}", "KeyUser", true)]
    public void AConcurrentWriterThatBreaksAPairingDuringTheStripIsRolledBackKeepingTheBackup(string write, string table, bool postgres)
    {
        var instance = Paired(postgres, copies: true);
        var conditions = SqliteShell.Query(instance.Path, "SELECT * FROM SigningCondition ORDER BY id");
        Assert.NotEqual("", conditions);
        var beforeTheWrite = SqliteShell.ContentHash(instance.Path);
        var host = new RecordingHost
        {
            OnConfirm = () => WriteFromAnotherConnection(instance.Path, string.Format(System.Globalization.CultureInfo.InvariantCulture, write,
                instance.Alice, BunkerFixture.Pubkey("mallory"))),
        };

        var error = Assert.Throws<LamassuOpsException>(() => Prune("SigningCondition", instance, instance.Lnbits, host));

        Assert.Equal(StaleSigningConditionStrip.StripPlanChanged, error.ErrorId);
        Assert.Contains($"{table} changed since the snapshot the rows were classified on", error.Message);
        Assert.Single(host.ShouldProcessCalls);
        Assert.Equal(conditions, SqliteShell.Query(instance.Path, "SELECT * FROM SigningCondition ORDER BY id"));
        var backup = Assert.Single(Directory.GetFiles(instance.Backups));
        Assert.Contains($"The verified backup taken before it is kept: '{backup}'.", error.Message);
        Assert.Equal(beforeTheWrite, SqliteShell.ContentHash(backup));
        Assert.Empty(Directory.GetFiles(instance.Backups, ".*"));
        Assert.Empty(Directory.GetFiles(_dir.Path, ".*"));
        // The writer's change stands (it is not the strip's to undo), and Test-BunkerPairing shows what it broke.
        var alice = BunkerPairingTest.Test(new BunkerPairingTestOptions { BunkerDatabase = instance.Path, LnbitsDatabase = instance.Lnbits, AsOf = instance.AsOf },
            new RecordingHost()).Single(v => v.AccountId == "acct-alice");
        Assert.NotEqual(PairingVerdict.Healthy, alice.Verdict);
    }

    /// <summary>A write from a connection of its own, committed before it returns, with no busy timeout (as the daemon's).</summary>
    private static void WriteFromAnotherConnection(string path, string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False;Default Timeout=0");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    /// <summary>With -AcceptPairingLoss the restore may drop pairings, but not one LNbits signs with: refused before the copy.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ARestoreWhoseBackupLacksAHealthyPairingIsRefusedAndTheSafetyCopyKept(bool postgres)
    {
        var instance = Paired(postgres);
        var backup = BackupOf(instance.Path);
        SqliteShell.Query(backup, $"DELETE FROM Token WHERE keyUserId = {instance.Bob}; DELETE FROM SigningLog WHERE keyUserId = {instance.Bob}; " +
                                  $"DELETE FROM Request; DELETE FROM KeyUser WHERE id = {instance.Bob};");
        var before = FileHash(instance.Path);

        Assert.Equal(RestoreBunkerDatabaseOperation.RestoreWouldLosePairings,
            Assert.Throws<LamassuOpsException>(() => Restore(instance, backup)).ErrorId);
        var error = Assert.Throws<LamassuOpsException>(() => Restore(instance, backup, acceptPairingLoss: true));

        Assert.Equal(LnbitsPairingProof.PairingBroken, error.ErrorId);
        Assert.Contains("account acct-bob (bob) would be Dangling", error.Message);
        Assert.DoesNotContain("acct-alice", error.Message);
        Assert.Equal(before, FileHash(instance.Path));
        var safetyCopy = Assert.Single(Directory.GetFiles(_dir.Path, "*.pre-restore.bak"));
        Assert.Contains($"kept: '{safetyCopy}'", error.Message);
        Assert.Equal(SqliteShell.ContentHash(instance.Path), SqliteShell.ContentHash(safetyCopy));
    }

    /// <summary>A backup that holds every pairing, but alice's token revoked: no pairing is lost, yet LNbits' alice could no longer sign.</summary>
    [Fact]
    public void ARestoreOfABackupWhereAHealthyPairingIsRevokedIsRefused()
    {
        var instance = Paired(postgres: false);
        var backup = BackupOf(instance.Path);
        SqliteShell.Query(backup, $"UPDATE Token SET revokedAt = {Millis(instance.Bunker.Now)} WHERE keyUserId = {instance.Alice};");
        var before = FileHash(instance.Path);

        var error = Assert.Throws<LamassuOpsException>(() => Restore(instance, backup));

        Assert.Equal(LnbitsPairingProof.PairingBroken, error.ErrorId);
        Assert.Contains("account acct-alice (alice) would be Revoked", error.Message);
        Assert.Equal(before, FileHash(instance.Path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ARestoreThatKeepsEveryHealthyPairingIsCommitted(bool postgres)
    {
        var instance = Paired(postgres);
        var backup = BackupOf(instance.Path);
        var paired = SqliteShell.ContentHash(backup);
        SqliteShell.Query(instance.Path, "DELETE FROM SigningLog; DELETE FROM Request;");
        var host = new RecordingHost();

        var restore = Assert.Single(Restore(instance, backup, host: host));

        Assert.True(restore.Verified);
        Assert.Equal(paired, SqliteShell.ContentHash(instance.Path));
        Assert.Contains(host.Verbose, v => v.StartsWith($"Checked in the backup '{backup}' before restoring it: 2 Healthy LNbits pairing(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void WhatIfWithAnLnbitsDatabaseChangesNothingAndWritesNoBackup()
    {
        var instance = Paired(postgres: false);
        var backup = BackupOf(instance.Path);
        var snapshot = FileSnapshot.Take(instance.Path);
        var host = new RecordingHost(allowChanges: false);

        Assert.Equal(0, Prune("Request", instance, instance.Lnbits, host));
        Assert.Equal(0, Prune("SigningLog", instance, instance.Lnbits, host));
        Assert.Empty(Restore(instance, backup, host: host));

        Assert.Equal(3, host.ShouldProcessCalls.Count);
        snapshot.AssertUnchanged();
        Assert.Empty(Directory.GetFiles(instance.Backups));
    }

    /// <summary>LNbits is read before the confirmation: a wrong -LnbitsDatabase stops the change before any file is written.</summary>
    [Fact]
    public void AnLnbitsDatabaseThatCannotBeReadStopsTheChangeBeforeTheBackup()
    {
        var instance = Paired(postgres: false);
        var backup = BackupOf(instance.Path);
        var snapshot = FileSnapshot.Take(instance.Path);
        var missing = _dir.File("no-lnbits.sqlite3");

        var prune = Assert.Throws<LamassuOpsException>(() => Prune("Request", instance, missing, new RecordingHost()));
        var restore = Assert.Throws<LamassuOpsException>(() => RestoreBunkerDatabaseOperation.Run(new RestoreBunkerDatabaseOptions
        {
            Path = instance.Path, BackupPath = backup, LnbitsDatabase = instance.Backups,
        }, new RecordingHost()).ToList());

        Assert.Equal(("LnbitsDatabaseNotFound", "LnbitsPathIsDirectory"), (prune.ErrorId, restore.ErrorId));
        Assert.NotNull(prune.RecommendedAction);
        snapshot.AssertUnchanged();
        Assert.Empty(Directory.GetFiles(instance.Backups));
    }

    [Fact]
    public void LamassuopsTakesLnbitsDatabaseTheSameWay()
    {
        var instance = Paired(postgres: false);
        var backup = BackupOf(instance.Path);

        var kept = CliProcess.Run("Remove-BunkerRequest", "--path", instance.Path, "--lnbits-database", instance.Lnbits,
            "--backup-directory", instance.Backups, "--force", "--json");
        Assert.True(kept.ExitCode == 0, kept.Stderr);
        Assert.Equal(6, Assert.Single(kept.JsonLines).GetProperty("Removed").GetInt64());

        instance.Bunker.Sql($"CREATE TRIGGER break_alice AFTER DELETE ON SigningLog BEGIN " +
                            $"UPDATE KeyUser SET revokedAt = {Millis(instance.Bunker.Now)} WHERE id = {instance.Alice}; END;");
        var snapshot = FileSnapshot.Take(instance.Path);
        var broken = CliProcess.Run("Remove-BunkerSigningLog", "--path", instance.Path, "--lnbits-database", instance.Lnbits,
            "--backup-directory", instance.Backups, "--force", "--json");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.StartsWith($"lamassuops: {LnbitsPairingProof.PairingBroken}: ", broken.Stderr);
        Assert.Contains("acct-alice (alice) would be Revoked", broken.Stderr);
        Assert.DoesNotContain("   at ", broken.Stderr);
        snapshot.AssertUnchanged();

        SqliteShell.Query(backup, $"UPDATE Token SET revokedAt = {Millis(instance.Bunker.Now)} WHERE keyUserId = {instance.Bob};");
        var before = FileHash(instance.Path);
        var restore = CliProcess.Run("Restore-BunkerDatabase", "--path", instance.Path, "--backup-path", backup,
            "--lnbits-database", instance.Lnbits, "--force", "--json");
        Assert.NotEqual(0, restore.ExitCode);
        Assert.StartsWith($"lamassuops: {LnbitsPairingProof.PairingBroken}: ", restore.Stderr);
        Assert.Contains("acct-bob (bob) would be Revoked", restore.Stderr);
        Assert.Equal(before, FileHash(instance.Path));
    }
}
