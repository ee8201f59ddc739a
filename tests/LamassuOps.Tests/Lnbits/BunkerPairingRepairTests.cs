using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Core.Lnbits;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Fixtures.Lnbits;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Lnbits;

/// <summary>
/// Repair-BunkerPairing and Compare-BunkerPairing over real bunker fixtures, real backups and a real LNbits database (SQLite, and
/// the test PostgreSQL with peer auth), with key pairs generated here: the full wipe recovered from a backup with a newer
/// account kept, the KeyUser made again from a surviving token, what cannot be repaired, a rollback when the proof fails,
/// and -WhatIf changing nothing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BunkerPairingRepairTests(PostgresServer server) : IDisposable
{
    private const string Key = "lnbits";
    private readonly ScratchDirectory _dir = new();
    private LnbitsDatabases? _lnbits;
    private readonly Dictionary<string, NostrTestKey> _keys = [];
    private readonly List<LnbitsTestAccount> _accounts = [];

    public void Dispose()
    {
        _lnbits?.Dispose();
        _dir.Dispose();
    }

    private NostrTestKey KeyOf(string name) => _keys.TryGetValue(name, out var key) ? key : _keys[name] = NostrTestKey.Generate();

    /// <summary>An LNbits account paired the way provision() pairs it: a token of the policy, redeemed with the account's client key.</summary>
    private FixtureToken Pair(BunkerFixture bunker, string name, long policy)
    {
        var token = bunker.CreateToken(Key, "LNbits " + name, policy);
        bunker.RedeemToken(token, KeyOf(name).Pubkey);
        _accounts.Add(new LnbitsTestAccount("acct-" + name, name, LnbitsFixture.SignerConfig(token.Value, KeyOf(name), policy), KeyOf("own " + name).Pubkey));
        return token;
    }

    private string Lnbits(bool postgres = false) => (_lnbits ??= new LnbitsDatabases(server, _dir)).Write(postgres, _accounts);

    private static string Backup(BunkerFixture bunker, string path)
    {
        File.Copy(bunker.Path, path);
        return path;
    }

    /// <summary>The wipe the runbook warns about: every pairing row gone (SigningCondition rows stay, their keyUserId set NULL).</summary>
    private static void Wipe(BunkerFixture bunker) =>
        bunker.Sql("PRAGMA foreign_keys = ON; DELETE FROM Token; DELETE FROM KeyUser; DELETE FROM PolicyRule; DELETE FROM Policy;");

    private static List<BunkerPairingVerdict> Verdicts(BunkerFixture bunker, string lnbits) =>
        BunkerPairingTest.Test(new BunkerPairingTestOptions { BunkerDatabase = bunker.Path, LnbitsDatabase = lnbits, AsOf = bunker.Now }, new RecordingHost())
            .Where(v => v.AccountId is not null).ToList();

    private static List<BunkerPairingRepair> Repair(BunkerFixture bunker, string lnbits, string? fromBackup = null, RecordingHost? host = null,
        IReadOnlySet<string>? accounts = null) =>
        BunkerPairingRepairOperation.Run(new RepairBunkerPairingOptions
        {
            BunkerDatabase = bunker.Path, LnbitsDatabase = lnbits, FromBackup = fromBackup, AccountIds = accounts, AsOf = bunker.Now,
        }, host ?? new RecordingHost()).ToList();

    /// <summary>The rows of the database as sqlite3 .dump writes them, one INSERT per row.</summary>
    private static HashSet<string> RowLines(string path) =>
        SqlDump.Of(path, "rows").Split('\n').Where(l => l.StartsWith("INSERT INTO", StringComparison.Ordinal) && !l.Contains("sqlite_sequence")).ToHashSet();

    /// <summary>After the backup, the wipe; then the daemon goes on: a new policy and a new LNbits account (dave) paired.</summary>
    private (BunkerFixture Bunker, string Backup, FixtureToken Dave) WipedAfterBackup()
    {
        var bunker = BunkerFixture.Create(_dir.File("nsecbunker.db"));
        var policy = bunker.CreatePolicy("lnbits-default", new FixtureRule("sign_event", "1"), new FixtureRule("encrypt"));
        Pair(bunker, "alice", policy);
        Pair(bunker, "bob", policy);
        var backup = Backup(bunker, _dir.File("nsecbunker.db.before-wipe.bak"));
        bunker.Now = bunker.Now.AddHours(1);
        Wipe(bunker);
        var newer = bunker.CreatePolicy("lnbits-after-wipe", new FixtureRule("sign_event", "1"));
        return (bunker, backup, Pair(bunker, "dave", newer));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFullWipeIsRecoveredFromTheBackupAndTheAccountPairedSinceIsKept(bool postgres)
    {
        var (bunker, backup, _) = WipedAfterBackup();
        var lnbits = Lnbits(postgres);
        var before = RowLines(bunker.Path);
        var backupRows = RowLines(backup);
        Assert.Equal(["Dangling", "Dangling", "Healthy"], Verdicts(bunker, lnbits).OrderBy(v => v.Username).Select(v => v.Verdict.ToString()));

        var host = new RecordingHost();
        var results = Repair(bunker, lnbits, backup, host);

        Assert.Equal(["alice", "bob"], results.Select(r => r.Username).Order());
        Assert.All(results, r => Assert.Equal((PairingRepairAction.Repaired, PairingRepairMethod.CopiedFromBackup, true), (r.Action, r.Method, r.IdentityUnchanged)));
        Assert.All(Verdicts(bunker, lnbits), v => Assert.Equal(PairingVerdict.Healthy, v.Verdict));
        var after = RowLines(bunker.Path);
        Assert.Subset(after, before);
        var added = after.Except(before).ToList();
        Assert.Subset(backupRows, added.ToHashSet());
        Assert.Equal(2 + 2 + 1 + 2, added.Count); // KeyUsers, Tokens, the policy and its two rules
        Assert.Equal(1L, bunker.Scalar("SELECT count(*) FROM Token WHERE clientName = 'LNbits dave' AND keyUserId IS NOT NULL"));
        var safety = Assert.Single(results.Select(r => r.BackupPath).Distinct());
        Assert.True(File.Exists(safety));
        Assert.Equal(before, RowLines(safety!));
        Assert.Contains(host.Verbose, v => v.StartsWith("Proven inside the transaction: 2 mended pairing(s) Healthy, 1 Healthy pairing(s) kept", StringComparison.Ordinal));
        Assert.All(_keys.Values, k => Assert.DoesNotContain(k.Nsec, host.AllMessages));
    }

    [Fact]
    public void ComparingTheBackupWithTheWipedDatabaseShowsEachPairingAndVerdictThatChanged()
    {
        var (bunker, backup, dave) = WipedAfterBackup();
        var lnbits = Lnbits();

        var changes = BunkerPairingComparison.Compare(new BunkerPairingComparisonOptions
        {
            Before = backup, After = bunker.Path, LnbitsDatabase = lnbits, AsOf = bunker.Now,
        }, new RecordingHost()).ToList();

        var pairings = changes.OfType<BunkerPairingChange>().ToList();
        Assert.Equal([(PairingChangeKind.Removed, "Live"), (PairingChangeKind.Removed, "Live"), (PairingChangeKind.Added, (string?)null)],
            pairings.OrderByDescending(p => p.Change == PairingChangeKind.Removed).Select(p => (p.Change, p.StateBefore)));
        Assert.Equal(dave.Id, pairings.Single(p => p.Change == PairingChangeKind.Added).TokenId);
        Assert.All(pairings, p => Assert.EndsWith("…****", p.Token));
        var verdicts = changes.OfType<BunkerPairingVerdictChange>().ToDictionary(v => v.Username!);
        Assert.Equal((PairingVerdict.Healthy, PairingVerdict.Dangling, true), (verdicts["alice"].Before, verdicts["alice"].After, verdicts["alice"].NeedsAttention));
        Assert.Equal((PairingVerdict.Dangling, PairingVerdict.Healthy, false), (verdicts["dave"].Before, verdicts["dave"].After, verdicts["dave"].NeedsAttention));

        Repair(bunker, lnbits, backup);
        var repaired = BunkerPairingComparison.Compare(new BunkerPairingComparisonOptions { Before = backup, After = bunker.Path, AsOf = bunker.Now },
            new RecordingHost()).Cast<BunkerPairingChange>().ToList();
        Assert.Equal(dave.Id, Assert.Single(repaired).TokenId);
    }

    [Fact]
    public void AChangedFieldIsNamedWithItsValuesBeforeAndAfter()
    {
        var bunker = BunkerFixture.Create(_dir.File("nsecbunker.db"));
        var token = Pair(bunker, "alice", bunker.CreatePolicy("p"));
        var backup = Backup(bunker, _dir.File("before.db"));
        bunker.DeleteKeyUser((long)bunker.Scalar("SELECT keyUserId FROM Token WHERE id = $id", ("$id", token.Id))!);

        var change = Assert.IsType<BunkerPairingChange>(Assert.Single(BunkerPairingComparison.Compare(
            new BunkerPairingComparisonOptions { Before = backup, After = bunker.Path, AsOf = bunker.Now }, new RecordingHost())));

        Assert.Equal(PairingChangeKind.Changed, change.Change);
        Assert.Equal(["KeyUserId", "ClientPubkey", "State"], change.ChangedFields);
        Assert.Contains("State Live -> Dangling", change.Details);
    }

    [Fact]
    public void WhenOnlyTheKeyUserIsGoneItIsMadeAgainFromTheTokenAndLnbitsClientKey()
    {
        var bunker = BunkerFixture.Create(_dir.File("nsecbunker.db"));
        var policy = bunker.CreatePolicy("lnbits-default", new FixtureRule("sign_event", "1"));
        var alice = Pair(bunker, "alice", policy);
        Pair(bunker, "bob", policy);
        bunker.DeleteKeyUser((long)bunker.Scalar("SELECT keyUserId FROM Token WHERE id = $id", ("$id", alice.Id))!);
        var lnbits = Lnbits();
        var tokenBefore = bunker.Scalar("SELECT quote(id) || quote(keyName) || quote(token) || quote(redeemedAt) || quote(policyId) || quote(updatedAt) FROM Token WHERE id = $id", ("$id", alice.Id));

        var result = Assert.Single(Repair(bunker, lnbits));

        Assert.Equal((PairingRepairAction.Repaired, PairingRepairMethod.RecreatedKeyUser, "alice"), (result.Action, result.Method, result.Username));
        var keyUser = (long)bunker.Scalar("SELECT keyUserId FROM Token WHERE id = $id", ("$id", alice.Id))!;
        Assert.Equal(keyUser, result.KeyUserId);
        Assert.Equal((Key, KeyOf("alice").Pubkey, "LNbits alice"), ((string)bunker.Scalar("SELECT keyName FROM KeyUser WHERE id = $id", ("$id", keyUser))!,
            (string)bunker.Scalar("SELECT userPubkey FROM KeyUser WHERE id = $id", ("$id", keyUser))!, (string)bunker.Scalar("SELECT description FROM KeyUser WHERE id = $id", ("$id", keyUser))!));
        Assert.Equal(tokenBefore, bunker.Scalar("SELECT quote(id) || quote(keyName) || quote(token) || quote(redeemedAt) || quote(policyId) || quote(updatedAt) FROM Token WHERE id = $id", ("$id", alice.Id)));
        Assert.All(Verdicts(bunker, lnbits), v => Assert.Equal(PairingVerdict.Healthy, v.Verdict));
    }

    [Fact]
    public void OnTheUpstreamSchemaARecreatedKeyUserComesWithAWarningThatItHasNoGrants()
    {
        var bunker = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        var alice = Pair(bunker, "alice", bunker.CreatePolicy("lnbits-default", new FixtureRule("sign_event", "1")));
        bunker.DeleteKeyUser((long)bunker.Scalar("SELECT keyUserId FROM Token WHERE id = $id", ("$id", alice.Id))!);
        var host = new RecordingHost();

        var result = Assert.Single(Repair(bunker, Lnbits(), host: host));

        Assert.Equal((PairingRepairAction.Repaired, PairingRepairMethod.RecreatedKeyUser), (result.Action, result.Method));
        Assert.Contains(host.Warnings, w => w.Contains("upstream schema") && w.Contains("no grants"));
    }

    [Fact]
    public void WhatCannotBeRepairedWithoutANewIdentityIsListedWithTheReasonAndNothingChanges()
    {
        var bunker = BunkerFixture.Create(_dir.File("nsecbunker.db"));
        var policy = bunker.CreatePolicy("lnbits-default", new FixtureRule("sign_event", "1"));
        var token = bunker.CreateToken(Key, "LNbits mallory", policy);
        bunker.RedeemToken(token, KeyOf("someone else").Pubkey);
        _accounts.Add(new LnbitsTestAccount("acct-mallory", "mallory", LnbitsFixture.SignerConfig(token.Value, KeyOf("mallory"), policy)));
        _accounts.Add(new LnbitsTestAccount("acct-wiped", "wiped", LnbitsFixture.SignerConfig(BunkerFixture.Hex("never here"), KeyOf("wiped"), policy)));
        var emptyBackup = Backup(BunkerFixture.Create(_dir.File("empty.db")), _dir.File("empty.db.bak"));
        var lnbits = Lnbits();
        var snapshot = FileSnapshot.Take(bunker.Path);
        var files = Directory.GetFiles(_dir.Path).Order().ToList();

        var withoutBackup = Repair(bunker, lnbits).ToDictionary(r => r.Username!);
        var withBackup = Repair(bunker, lnbits, emptyBackup).ToDictionary(r => r.Username!);

        Assert.All(withoutBackup.Values.Concat(withBackup.Values), r => Assert.Equal((PairingRepairAction.NotRepairable, PairingRepairMethod.None, null),
            (r.Action, r.Method, r.BackupPath)));
        Assert.Contains("no -FromBackup was given", withoutBackup["wiped"].Reason);
        Assert.Contains("provision()", withoutBackup["wiped"].Reason);
        Assert.Contains("does not hold this pairing Healthy either (Dangling", withBackup["wiped"].Reason);
        Assert.StartsWith("IdentityMismatch: ", withoutBackup["mallory"].Reason);
        snapshot.AssertUnchanged();
        Assert.Equal(files, Directory.GetFiles(_dir.Path).Order().ToList());
    }

    [Fact]
    public void ALiveRowInTheWayIsAConflictNamedWithItsReasonAndNeverOverwritten()
    {
        var (bunker, backup, dave) = WipedAfterBackup();
        const long aliceToken = 1; // alice's token id in the backup; dave's row takes it
        bunker.Sql("UPDATE Token SET id = $id WHERE id = $dave", ("$id", aliceToken), ("$dave", dave.Id));
        var lnbits = Lnbits();
        var daveRow = bunker.Scalar("SELECT quote(token) || quote(keyUserId) FROM Token WHERE id = $id", ("$id", aliceToken));

        var results = Repair(bunker, lnbits, backup).ToDictionary(r => r.Username!);

        Assert.Equal(PairingRepairAction.NotRepairable, results["alice"].Action);
        Assert.Contains($"Token id {aliceToken} is taken by another row", results["alice"].Reason);
        Assert.Contains("a live row is never overwritten", results["alice"].Reason);
        Assert.Equal(PairingRepairAction.Repaired, results["bob"].Action);
        Assert.Equal(daveRow, bunker.Scalar("SELECT quote(token) || quote(keyUserId) FROM Token WHERE id = $id", ("$id", aliceToken)));
        Assert.Equal(["Dangling", "Healthy", "Healthy"], Verdicts(bunker, lnbits).OrderBy(v => v.Username).Select(v => v.Verdict.ToString()));
    }

    [Theory]
    [InlineData("CREATE TRIGGER rewrite AFTER INSERT ON KeyUser BEGIN UPDATE KeyUser SET userPubkey = lower(hex(randomblob(32))) WHERE id = NEW.id; END;", RepairPlan.ProofFailed)]
    [InlineData("CREATE TRIGGER touch AFTER INSERT ON Token BEGIN INSERT INTO SigningCondition (method, allowed) VALUES ('connect', 1); END;", MaintenanceTransaction.PreservedRowsChanged)]
    [InlineData("CREATE TRIGGER other AFTER INSERT ON Token BEGIN UPDATE Token SET clientName = 'changed' WHERE id <> NEW.id; END;", RepairPlan.ProofFailed)]
    public void WhenTheProofFailsInsideTheTransactionEverythingIsRolledBack(string trigger, string errorId)
    {
        var (bunker, backup, _) = WipedAfterBackup();
        bunker.Sql(trigger);
        var lnbits = Lnbits();
        var before = SqlDump.Of(bunker.Path, "before");

        var error = Assert.Throws<LamassuOpsException>(() => Repair(bunker, lnbits, backup));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains("rolled back", error.Message);
        Assert.Contains("The verified backup taken before it is kept", error.Message);
        Assert.Equal(before, SqlDump.Of(bunker.Path, "before"));
    }

    [Fact]
    public void WhatIfListsWhatWouldBeRepairedAndLeavesEveryFileAsItWas()
    {
        var (bunker, backup, _) = WipedAfterBackup();
        var lnbits = Lnbits();
        var snapshots = new[] { bunker.Path, backup, lnbits }.Select(FileSnapshot.Take).ToList();
        var files = Directory.GetFiles(_dir.Path).Order().ToList();
        var host = new RecordingHost(allowChanges: false);

        var results = Repair(bunker, lnbits, backup, host, accounts: new HashSet<string> { "acct-alice" });

        var result = Assert.Single(results);
        Assert.Equal((PairingRepairAction.WouldRepair, PairingRepairMethod.CopiedFromBackup, "alice", null), (result.Action, result.Method, result.Username, result.BackupPath));
        Assert.Equal(["copied Policy 1", "copied PolicyRule 1", "copied PolicyRule 2", "copied KeyUser 1", "copied Token 1"], result.Rows);
        var (target, action) = Assert.Single(host.ShouldProcessCalls);
        Assert.Equal(bunker.Path, target);
        Assert.StartsWith("Repair 1 pairing(s) (alice: copied Policy 1", action);
        snapshots.ForEach(s => s.AssertUnchanged());
        Assert.Equal(files, Directory.GetFiles(_dir.Path).Order().ToList());
    }

    [Fact]
    public void TheLiveDatabaseIsRefusedAsItsOwnBackupUnderAnyName()
    {
        var (bunker, _, _) = WipedAfterBackup();
        var lnbits = Lnbits();

        var link = _dir.File("hard-link.db");
        Assert.Equal(0, ExternalProcess.Run("ln", [bunker.Path, link]).ExitCode);

        foreach (var backup in new[] { bunker.Path, link })
        {
            var error = Assert.Throws<LamassuOpsException>(() => Repair(bunker, lnbits, backup));
            Assert.Equal(BunkerPairingRepairOperation.BackupIsTheDatabase, error.ErrorId);
            Assert.NotNull(error.RecommendedAction);
        }
    }

    [Fact]
    public void LamassuopsComparesAndRepairsAsJsonWithExitCodesForTimers()
    {
        var (bunker, backup, _) = WipedAfterBackup();
        var lnbits = Lnbits();
        var asOf = bunker.Now.ToString("o");

        var compare = CliProcess.Run("Compare-BunkerPairing", backup, bunker.Path, "--lnbits-database", lnbits, "--as-of", asOf, "--json");
        var whatIf = CliProcess.Run("Repair-BunkerPairing", bunker.Path, lnbits, "--from-backup", backup, "--as-of", asOf, "--what-if", "--json");
        var unconfirmed = CliProcess.Run("Repair-BunkerPairing", bunker.Path, lnbits, "--from-backup", backup, "--as-of", asOf, "--json");
        var repair = CliProcess.Run("Repair-BunkerPairing", bunker.Path, lnbits, "--from-backup", backup, "--as-of", asOf, "--force", "--json");
        var compareAfter = CliProcess.Run("Compare-BunkerPairing", backup, bunker.Path, "--lnbits-database", lnbits, "--as-of", asOf, "--json");

        Assert.True(compare.ExitCode == 1, compare.Stderr);
        Assert.Equal(["Added", "Removed", "Removed"], compare.JsonLines.Where(l => l.TryGetProperty("Change", out _)).Select(l => l.GetProperty("Change").GetString()));
        Assert.Contains(compare.JsonLines, l => l.TryGetProperty("After", out var after) && after.GetString() == "Dangling" && l.GetProperty("Username").GetString() == "alice");
        Assert.Equal(0, whatIf.ExitCode);
        Assert.All(whatIf.JsonLines, l => Assert.Equal("WouldRepair", l.GetProperty("Action").GetString()));
        Assert.Contains("What if: Performing the operation \"Repair 2 pairing(s)", whatIf.Stderr);
        Assert.Equal(1, unconfirmed.ExitCode);
        Assert.Contains("ConfirmationNotPossible", unconfirmed.Stderr);
        Assert.True(repair.ExitCode == 0, repair.Stderr);
        Assert.Equal(2, repair.JsonLines.Count);
        Assert.All(repair.JsonLines, l => Assert.Equal(("Repaired", "CopiedFromBackup", true),
            (l.GetProperty("Action").GetString(), l.GetProperty("Method").GetString(), l.GetProperty("IdentityUnchanged").GetBoolean())));
        Assert.All(_keys.Values, k => Assert.DoesNotContain(k.Nsec, compare.Stdout + whatIf.Stdout + repair.Stdout + repair.Stderr));
        Assert.True(compareAfter.ExitCode == 0, compareAfter.Stderr);
        Assert.All(compareAfter.JsonLines.Where(l => l.TryGetProperty("After", out _)), l => Assert.Equal("Healthy", l.GetProperty("After").GetString()));
    }
}
