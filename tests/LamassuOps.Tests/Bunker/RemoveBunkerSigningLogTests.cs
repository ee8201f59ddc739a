using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Bunker;

public sealed class RemoveBunkerSigningLogTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// hank's policy caps sign_event kind 1 at 4 per day and ping at 5 for ever; both caps are used up. alice's
    /// policy has no caps. One row has a createdAt that is no date.
    /// </summary>
    private (PairedBunker Bunker, string Hank) WithUsage()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"));
        var fixture = bunker.Fixture;
        var asOf = bunker.AsOf;
        var capped = fixture.CreatePolicy("capped",
            new FixtureRule("sign_event", "1", MaxUsageCount: 4, WindowSeconds: 86_400),
            new FixtureRule("ping", MaxUsageCount: 5));
        var hank = BunkerFixture.Pubkey("hank");
        var hankId = fixture.RedeemToken(fixture.CreateToken(PairedBunker.KeyName, "hank", capped), hank);
        var aliceId = bunker.KeyUserId("alice");
        fixture.Bulk(bulk =>
        {
            bulk.SigningLog(3, _ => new BulkSigningLog(hankId, "sign_event", "1", asOf.AddDays(-2)));
            bulk.SigningLog(4, i => new BulkSigningLog(hankId, "sign_event", "1", asOf.AddHours(-2),
                i % 2 == 0 ? BunkerDateEncoding.Text : BunkerDateEncoding.Milliseconds));
            bulk.SigningLog(2, _ => new BulkSigningLog(hankId, "sign_event", "1", asOf.AddMinutes(-10)));
            bulk.SigningLog(5, _ => new BulkSigningLog(hankId, "ping", null, asOf.AddDays(-30)));
            bulk.SigningLog(6, _ => new BulkSigningLog(aliceId, "sign_event", "1", asOf.AddDays(-2)));
        });
        fixture.Sql("INSERT INTO SigningLog (keyUserId, method, kind, createdAt) VALUES ($id, 'ping', NULL, 'garbage')", ("$id", hankId));
        return (bunker, hank);
    }

    [Fact]
    public void RowsACapStillCountsAreKeptAndExplainedTheRestGo()
    {
        var (bunker, _) = WithUsage();

        var removal = Prune(bunker, TimeSpan.FromHours(1));

        Assert.Equal((21L, 18L, 9L, 12L), (removal.RowsBefore, removal.Old, removal.Removed, removal.RowsAfter));
        Assert.Equal((5L, 4L, 1L), (removal.KeptLifetimeCap, removal.KeptInsideRuleWindow, removal.KeptUnreadableDate));
        var lifetime = Assert.Single(removal.Kept, k => k.Reason == SigningLogKeptReason.LifetimeCap);
        Assert.Equal("ping", lifetime.Method);
        Assert.Contains("no window", lifetime.Explanation);
        Assert.Equal("12", SqliteShell.Query(bunker.Path, "SELECT count(*) FROM SigningLog"));
        Assert.Equal("0", SqliteShell.Query(bunker.Path, $"SELECT count(*) FROM SigningLog WHERE keyUserId = {bunker.KeyUserId("alice")}"));
    }

    /// <summary>Pruning never gives a client back quota: every capped decision is the same before and after.</summary>
    [Fact]
    public void PruningChangesNoDecisionOfTheGrantRules()
    {
        var (bunker, hank) = WithUsage();
        var evaluator = new GrantEvaluator(bunker.Path);
        (string Method, int? Kind)[] requests = [("sign_event", 1), ("ping", null), ("sign_event", 7)];
        var before = requests.Select(r => evaluator.Decide(PairedBunker.KeyName, hank, r.Method, r.Kind, bunker.AsOf)).ToList();

        Prune(bunker, TimeSpan.FromMinutes(1));

        Assert.Equal(before, requests.Select(r => evaluator.Decide(PairedBunker.KeyName, hank, r.Method, r.Kind, bunker.AsOf)));
        Assert.Equal([GrantDecision.Undecided, GrantDecision.Undecided, GrantDecision.Undecided], before);
    }

    [Fact]
    public void WhatIfChangesNothing()
    {
        var (bunker, _) = WithUsage();
        var snapshot = FileSnapshot.Take(bunker.Path);
        var host = new RecordingHost(allowChanges: false);

        Assert.Empty(RemoveBunkerSigningLogOperation.Run(new RemoveBunkerSigningLogOptions
        {
            Path = bunker.Path, OlderThan = TimeSpan.FromHours(1), AsOf = bunker.AsOf,
        }, host).ToList());

        Assert.Contains("Delete 9 SigningLog rows", Assert.Single(host.ShouldProcessCalls).Action);
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void TheUpstreamSchemaHasNoSigningLogToPrune()
    {
        var bunker = PairedBunker.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        var snapshot = FileSnapshot.Take(bunker.Path);

        var error = Assert.Throws<LamassuOpsException>(() => Prune(bunker, TimeSpan.FromDays(1)));

        Assert.Equal(RemoveBunkerSigningLogOperation.NoSigningLog, error.ErrorId);
        snapshot.AssertUnchanged();
    }

    [Fact]
    public void CliPrunesAndWritesTheKeptRowsAsJson()
    {
        var (bunker, _) = WithUsage();

        var result = CliProcess.Run(["Remove-BunkerSigningLog", bunker.Path, "--older-than", "01:00:00", "--force", "--no-backup", "--json"], null);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var removal = Assert.Single(result.JsonLines);
        Assert.Equal(5, removal.GetProperty("KeptLifetimeCap").GetInt64());
        Assert.Equal(1, removal.GetProperty("KeptUnreadableDate").GetInt64());
        Assert.Contains(removal.GetProperty("Kept").EnumerateArray(), k => k.GetProperty("Reason").GetString() == "LifetimeCap");
    }

    private BunkerSigningLogRemoval Prune(PairedBunker bunker, TimeSpan olderThan) =>
        Assert.Single(RemoveBunkerSigningLogOperation.Run(new RemoveBunkerSigningLogOptions
        {
            Path = bunker.Path, OlderThan = olderThan, AsOf = bunker.AsOf, NoBackup = true,
        }, new RecordingHost()).ToList());
}
