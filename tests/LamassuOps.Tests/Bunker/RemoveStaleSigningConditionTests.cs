using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Bunker;

public sealed class RemoveStaleSigningConditionTests : IDisposable
{
    private static readonly (string Method, int? Kind)[] PolicyRequests = [("sign_event", 1), ("sign_event", 7), ("encrypt", null), ("decrypt", null)];

    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TheDefaultStripRemovesEveryPolicyCopyAndKeepsManualOverrides()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var classes = Classified(bunker);

        var removal = Strip(bunker, new RemoveStaleSigningConditionOptions { Path = bunker.Path, AsOf = bunker.AsOf, NoBackup = true });

        Assert.Equal(classes.Count(c => c.Verdict == SigningConditionVerdict.Stale), removal.RemovedStale);
        Assert.Equal(classes.Count(c => c.Verdict == SigningConditionVerdict.Redundant), removal.RemovedRedundant);
        Assert.Equal(2 * (PolicyRequestsCount + 1), removal.RemovedStale);
        Assert.Equal(0, removal.RemovedOther);
        Assert.Equal(classes.Count, removal.SigningConditionsBefore);
        Assert.Equal(removal.SigningConditionsBefore - removal.Removed, removal.SigningConditionsAfter);
        var remaining = Classified(bunker);
        Assert.All(remaining, c => Assert.NotEqual(SigningConditionClass.PolicyCopy, c.Classification));
        Assert.Equal(classes.Where(c => c.Classification != SigningConditionClass.PolicyCopy).Select(c => c.Id).Order(),
            remaining.Select(c => c.Id).Order());
        Assert.Equal(remaining.Select(c => c.Id).Order(), removal.KeptOverrides.Select(k => k.Id).Order());
        Assert.Equal(remaining.Count, removal.KeptOverrideCount);
        Assert.Contains(removal.KeptOverrides, k => k.Reason == SigningConditionReason.RejectAll);
        Assert.Equal(6, removal.Pairings);
    }

    /// <summary>
    /// A large database keeps hundreds of thousands of overrides: the result counts them all and lists the first
    /// hundred in KeyUser order, so the strip's memory does not grow with them.
    /// </summary>
    [Fact]
    public void KeptOverridesAreCountedAndTheFirstHundredListed()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var alive = bunker.KeyUserId("alice");
        const int denials = StaleSigningConditionStrip.KeptOverridesListed * 3;
        bunker.Fixture.Bulk(bulk => bulk.SigningConditions(denials, i => new BulkSigningCondition(alive, "sign_event", i.ToString(), false)));
        var kept = Classified(bunker).Where(c => c.Classification != SigningConditionClass.PolicyCopy).ToList();

        var removal = Strip(bunker, new RemoveStaleSigningConditionOptions { Path = bunker.Path, AsOf = bunker.AsOf, NoBackup = true });

        Assert.Equal(kept.Count, removal.KeptOverrideCount);
        Assert.True(kept.Count > denials);
        Assert.Equal(kept.Take(StaleSigningConditionStrip.KeptOverridesListed).Select(k => k.Id), removal.KeptOverrides.Select(k => k.Id));
        Assert.Equal(kept.Count, bunker.Count("SigningCondition"));
    }

    /// <summary>
    /// Judged by the grant rules themselves: after the strip every live pairing still grants its whole policy through
    /// the live token join, overrides decide as before, and the expired or revoked tokens' copies no longer grant.
    /// </summary>
    [Fact]
    public void AfterTheStripLivePairingsStillGrantAndDeadTokensNoLonger()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var evaluator = new GrantEvaluator(bunker.Path);
        GrantDecision Decide(string client, string method, int? kind) =>
            evaluator.Decide(PairedBunker.KeyName, BunkerFixture.Pubkey(client), method, kind, bunker.AsOf);
        foreach (var client in PairedBunker.DeadClients.Concat(PairedBunker.LiveClients))
            Assert.All(PolicyRequests, r => Assert.Equal(GrantDecision.Allow, Decide(client, r.Method, r.Kind)));

        Strip(bunker, new RemoveStaleSigningConditionOptions { Path = bunker.Path, AsOf = bunker.AsOf, NoBackup = true });

        foreach (var client in PairedBunker.LiveClients)
            Assert.All(PolicyRequests, r => Assert.Equal(GrantDecision.Allow, Decide(client, r.Method, r.Kind)));
        foreach (var client in PairedBunker.DeadClients)
            Assert.All(PolicyRequests, r => Assert.Equal(GrantDecision.Undecided, Decide(client, r.Method, r.Kind)));
        Assert.Equal(GrantDecision.Allow, Decide("frank", "ping", null));
        Assert.Equal(GrantDecision.Allow, Decide("erin", "sign_event", 30078));
        Assert.Equal(GrantDecision.Deny, Decide("gina", "sign_event", 1));
    }

    /// <summary>
    /// The snapshot is classified while it is verified. A broken index leaves every table readable, so the
    /// classification succeeds; integrity_check fails on the copy, and that alone must stop the strip.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ASnapshotThatFailsItsVerificationStopsTheStripThoughItCouldBeClassified(bool noBackup)
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        SqliteShell.Query(bunker.Path, "CREATE INDEX test_broken ON KeyUser(keyName); PRAGMA writable_schema = ON; " +
                                       "UPDATE sqlite_schema SET sql = 'CREATE INDEX test_broken ON KeyUser(userPubkey)' WHERE name = 'test_broken';");
        Assert.NotEmpty(Classified(bunker));
        var before = SqliteShell.ContentHash(bunker.Path);

        var error = Assert.Throws<LamassuOpsException>(() =>
            Strip(bunker, new RemoveStaleSigningConditionOptions { Path = bunker.Path, AsOf = bunker.AsOf, NoBackup = noBackup }));

        Assert.Equal(BackupErrors.VerificationFailed, error.ErrorId);
        Assert.Contains("missing from index test_broken", error.Message);
        Assert.Equal(before, SqliteShell.ContentHash(bunker.Path));
        Assert.Equal(["nsecbunker.db"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void StaleOnlyLeavesTheCopiesOfLiveTokens()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var redundant = Classified(bunker).Where(c => c.Verdict == SigningConditionVerdict.Redundant).Select(c => c.Id).ToList();

        var removal = Strip(bunker, new RemoveStaleSigningConditionOptions
        {
            Path = bunker.Path, AsOf = bunker.AsOf, NoBackup = true, Scope = StripScope.StaleOnly,
        });

        Assert.Equal(0, removal.RemovedRedundant);
        Assert.True(removal.RemovedStale > 0);
        Assert.Equal(redundant, Classified(bunker).Where(c => c.Classification == SigningConditionClass.PolicyCopy).Select(c => c.Id));
    }

    [Fact]
    public void IncludeManualOverrideIsTheRunbooksBlanketDeleteAndWarnsAboutDenials()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var pairing = PairingHashes(bunker.Path);
        var host = new RecordingHost();

        var removal = Assert.Single(new StaleSigningConditionStrip().Run(new RemoveStaleSigningConditionOptions
        {
            Path = bunker.Path, AsOf = bunker.AsOf, NoBackup = true, Scope = StripScope.Everything,
        }, host).ToList());

        Assert.Equal(0, removal.SigningConditionsAfter);
        Assert.Empty(removal.KeptOverrides);
        Assert.Equal(0, bunker.Count("SigningCondition"));
        Assert.Contains(host.Warnings, w => w.Contains("denials"));
        Assert.Equal(pairing, PairingHashes(bunker.Path));
    }

    [Fact]
    public void TheUpstreamSchemaIsRefusedWithTheSwitchNamedAndForceDoesNotBypassIt()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        var snapshot = FileSnapshot.Take(bunker.Path);

        var error = Assert.Throws<LamassuOpsException>(() =>
            Strip(bunker, new RemoveStaleSigningConditionOptions { Path = bunker.Path, AsOf = bunker.AsOf }));
        var forced = CliProcess.Run(["Remove-StaleSigningCondition", bunker.Path, "--force", "--no-backup"], null);

        Assert.Equal(StaleSigningConditionStrip.UpstreamSchemaStripRefused, error.ErrorId);
        Assert.Contains("-AcceptPermissionLoss", error.RecommendedAction);
        Assert.Contains("every permission", error.Message);
        Assert.Equal(1, forced.ExitCode);
        Assert.Contains(StaleSigningConditionStrip.UpstreamSchemaStripRefused, forced.Stderr);
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void AcceptPermissionLossStripsTheUpstreamSchema()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);

        var removal = Strip(bunker, new RemoveStaleSigningConditionOptions
        {
            Path = bunker.Path, AsOf = bunker.AsOf, NoBackup = true, AcceptPermissionLoss = true,
        });

        Assert.True(removal.Removed > 0);
        Assert.Equal(GrantDecision.Undecided,
            new GrantEvaluator(bunker.Path).Decide(PairedBunker.KeyName, BunkerFixture.Pubkey("alice"), "sign_event", 1, bunker.AsOf));
    }

    [Fact]
    public void WhatIfReportsExactlyWhatWouldGoAndChangesNothingNotEvenABackup()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var classes = Classified(bunker);
        var snapshot = FileSnapshot.Take(bunker.Path);
        var host = new RecordingHost(allowChanges: false);

        Assert.Empty(new StaleSigningConditionStrip().Run(
            new RemoveStaleSigningConditionOptions { Path = bunker.Path, AsOf = bunker.AsOf }, host).ToList());

        var action = Assert.Single(host.ShouldProcessCalls).Action;
        Assert.Contains($"{classes.Count(c => c.Verdict == SigningConditionVerdict.Stale)} stale", action);
        Assert.Contains($"{classes.Count(c => c.Verdict == SigningConditionVerdict.Redundant)} redundant", action);
        Assert.Contains($"keeping {classes.Count(c => c.Classification != SigningConditionClass.PolicyCopy)} manual overrides", action);
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void ByDefaultAVerifiedBackupOfTheStateBeforeIsKept()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var before = SqliteShell.ContentHash(bunker.Path);
        Directory.CreateDirectory(_dir.File("backups"));

        var removal = Strip(bunker, new RemoveStaleSigningConditionOptions
        {
            Path = bunker.Path, AsOf = bunker.AsOf, BackupDirectory = _dir.File("backups"),
        });

        Assert.StartsWith(_dir.File("backups"), removal.BackupPath);
        Assert.Equal(before, SqliteShell.ContentHash(removal.BackupPath!));
        Assert.NotEqual(before, SqliteShell.ContentHash(bunker.Path));
    }

    [Fact]
    public void AMissingBackupDirectoryIsAnErrorNotABackupFileOfThatName()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var snapshot = FileSnapshot.Take(bunker.Path);

        var error = Assert.Throws<LamassuOpsException>(() => Strip(bunker, new RemoveStaleSigningConditionOptions
        {
            Path = bunker.Path, AsOf = bunker.AsOf, BackupDirectory = _dir.File("backups"),
        }));

        Assert.Equal(BackupErrors.DestinationDirectoryNotFound, error.ErrorId);
        Assert.False(File.Exists(_dir.File("backups")));
        snapshot.AssertUnchanged();
    }

    /// <summary>A trigger that touches a pairing table makes the check inside the transaction fail: all is rolled back.</summary>
    [Theory]
    [InlineData("UPDATE KeyUser SET description = 'touched' WHERE id = OLD.keyUserId")]
    [InlineData("UPDATE PolicyRule SET maxUsageCount = 1")]
    [InlineData("DELETE FROM Token WHERE keyUserId = OLD.keyUserId")]
    public void AChangeToWhatMustBePreservedRollsEverythingBack(string triggerBody)
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        bunker.Fixture.Sql($"CREATE TRIGGER touch AFTER DELETE ON SigningCondition BEGIN {triggerBody}; END");
        var before = SqliteShell.ContentHash(bunker.Path);

        var error = Assert.Throws<LamassuOpsException>(() =>
            Strip(bunker, new RemoveStaleSigningConditionOptions { Path = bunker.Path, AsOf = bunker.AsOf, NoBackup = true }));

        Assert.Contains(error.ErrorId, new[] { MaintenanceTransaction.PreservedRowsChanged, StaleSigningConditionStrip.StripPairingLost });
        Assert.Contains("rolled back", error.Message);
        Assert.Equal(before, SqliteShell.ContentHash(bunker.Path));
        Assert.Equal("ok", SqliteShell.Query(bunker.Path, "PRAGMA integrity_check"));
    }

    /// <summary>
    /// A strip rolled back after its backup keeps that verified backup (it may be the operator's only copy) and the
    /// error names it; nothing else is left behind.
    /// </summary>
    [Fact]
    public void ARolledBackStripNamesTheVerifiedBackupItKeeps()
    {
        Directory.CreateDirectory(_dir.File("live"));
        var bunker = PairedBunker.Create(_dir.File("live", "nsecbunker.db"));
        bunker.Fixture.Sql("CREATE TRIGGER touch AFTER DELETE ON SigningCondition BEGIN UPDATE PolicyRule SET maxUsageCount = 1; END");
        var before = SqliteShell.ContentHash(bunker.Path);
        Directory.CreateDirectory(_dir.File("backups"));

        var error = Assert.Throws<LamassuOpsException>(() => Strip(bunker, new RemoveStaleSigningConditionOptions
        {
            Path = bunker.Path, AsOf = bunker.AsOf, BackupDirectory = _dir.File("backups"),
        }));

        var backup = Assert.Single(Directory.GetFiles(_dir.File("backups")));
        Assert.Contains($"The verified backup taken before it is kept: '{backup}'.", error.Message);
        Assert.Equal(before, SqliteShell.ContentHash(backup));
        Assert.Equal(before, SqliteShell.ContentHash(bunker.Path));
        Assert.Equal(["nsecbunker.db"], Directory.GetFiles(_dir.File("live")).Select(Path.GetFileName));
    }

    /// <summary>Get-BunkerSigningCondition output sends one object per row: the database is stripped once.</summary>
    [Fact]
    public void OnePipelineStripsEachDatabaseOnce()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var strip = new StaleSigningConditionStrip();
        var host = new RecordingHost();
        var options = new RemoveStaleSigningConditionOptions { Path = bunker.Path, AsOf = bunker.AsOf, NoBackup = true };

        var results = Classified(bunker).SelectMany(row => strip.Run(options, host)).ToList();

        Assert.Single(results);
        Assert.Contains(host.Verbose, v => v.Contains("already handled in this pipeline"));
    }

    [Fact]
    public void StaleOnlyAndIncludeManualOverrideTogetherAreAContradiction()
    {
        var error = Assert.Throws<LamassuOpsException>(() => StaleSigningConditionStrip.ScopeFrom(staleOnly: true, includeManualOverride: true));

        Assert.Equal(StaleSigningConditionStrip.StripScopeConflict, error.ErrorId);
    }

    [Fact]
    public void CliStripsAndWritesTheResultAsJson()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));

        var result = CliProcess.Run(["Remove-StaleSigningCondition", bunker.Path, "--force", "--as-of", bunker.AsOf.ToString("O"), "--json"], null);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var removal = Assert.Single(result.JsonLines);
        Assert.Equal(bunker.Path, removal.GetProperty("Path").GetString());
        Assert.Equal("PolicyCopies", removal.GetProperty("Scope").GetString());
        Assert.Equal(10, removal.GetProperty("RemovedStale").GetInt64());
        Assert.True(File.Exists(removal.GetProperty("BackupPath").GetString()));
        Assert.Contains(removal.GetProperty("KeptOverrides").EnumerateArray(), k => k.GetProperty("Reason").GetString() == "NoToken" && k.GetProperty("Kind").GetString() == "all");
    }

    private static int PolicyRequestsCount => PairedBunker.PolicyRules.Length;

    private static List<BunkerSigningCondition> Classified(PairedBunker bunker)
    {
        using var database = BunkerDatabase.OpenReadOnly(bunker.Path);
        return new SigningConditionClassifier(database, bunker.AsOf).Classify().ToList();
    }

    private static StaleSigningConditionRemoval Strip(PairedBunker bunker, RemoveStaleSigningConditionOptions options) =>
        Assert.Single(new StaleSigningConditionStrip().Run(options, new RecordingHost()).ToList());

    private static string PairingHashes(string path) =>
        ExternalProcess.RunChecked("sqlite3", "-batch", path, ".sha3sum KeyUser", ".sha3sum Token", ".sha3sum Policy", ".sha3sum PolicyRule").Stdout;
}
