using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Bunker;

/// <summary>Get-BunkerSigningCondition's operation (filters, read-only) and what the shipped sample shows.</summary>
public sealed class BunkerSigningConditionsTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FiltersByKeyNameClientPubkeyAndClassificationAndLeavesTheFileUntouched()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        db.RedeemToken(db.CreateToken("lnbits", "alice", policy), BunkerFixture.Pubkey("alice"));
        db.RedeemToken(db.CreateToken("shop", "bob", policy), BunkerFixture.Pubkey("bob"));
        db.AlwaysAllow("lnbits", BunkerFixture.Pubkey("alice"), "ping");
        var before = FileSnapshot.Take(db.Path);

        var lnbits = Get(new() { Path = db.Path, KeyName = ["LN*"] });
        var bob = Get(new() { Path = db.Path, ClientPubkey = [BunkerFixture.Pubkey("bob")[..8] + "*"] });
        var overrides = Get(new() { Path = db.Path, Classification = [SigningConditionClass.ManualOverride, SigningConditionClass.Orphan] });

        Assert.Equal(3, lnbits.Count);
        Assert.All(lnbits, r => Assert.Equal("lnbits", r.KeyName));
        Assert.Equal(["shop", "shop"], bob.Select(r => r.KeyName));
        Assert.Equal(["ping"], overrides.Select(r => r.Method));
        Assert.All(lnbits, r => Assert.Equal(db.Path, r.Path));
        before.AssertUnchanged();
    }

    [Fact]
    public void TheShippedSampleHasEveryPairingStateAndEveryKindOfRow()
    {
        var path = BunkerSample.Load(_dir.File("sample.db"));

        var pairings = BunkerPairings.Get(new BunkerPairingOptions { Path = path, IncludeDangling = true, IncludeUnredeemed = true }, new RecordingHost()).ToList();
        var conditions = Get(new() { Path = path });

        Assert.Equal(Enum.GetValues<BunkerPairingState>().Order(), pairings.Select(p => p.State).Distinct().Order());
        Assert.Equal(BunkerSchemaVariant.LiveGrant, Assert.Single(conditions.Select(c => c.SchemaVariant).Distinct()));
        Assert.Contains(conditions, c => c.Verdict == SigningConditionVerdict.Stale);
        Assert.Contains(conditions, c => c.Verdict == SigningConditionVerdict.Redundant);
        Assert.Equal(
            [
                SigningConditionReason.ConnectCopy, SigningConditionReason.RuleCopy, SigningConditionReason.RejectAll, SigningConditionReason.Denial,
                SigningConditionReason.OwnLifecycle, SigningConditionReason.NoToken, SigningConditionReason.WebApproval, SigningConditionReason.NotInPolicy,
                SigningConditionReason.WrittenAfterLiveGrants, SigningConditionReason.KeyUserMissing,
            ],
            conditions.Select(c => c.Reason).Distinct().Order());
    }

    private static List<BunkerSigningCondition> Get(BunkerSigningConditionOptions options) =>
        BunkerSigningConditions.Get(options, new RecordingHost()).ToList();
}
