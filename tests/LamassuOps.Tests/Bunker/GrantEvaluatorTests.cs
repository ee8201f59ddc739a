using LamassuOps.Tests.Fixtures.Bunker;

namespace LamassuOps.Tests.Bunker;

/// <summary>The test oracle on its own: each documented grant rule, upstream and live-grant fork.</summary>
public sealed class GrantEvaluatorTests : IDisposable
{
    private const string Key = "main";
    private static readonly string Alice = BunkerFixture.Pubkey("alice");
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private BunkerFixture Upstream() => BunkerFixture.Create(_dir.File("upstream.db"), BunkerFixtureSchema.Upstream);

    private BunkerFixture Fork() => BunkerFixture.Create(_dir.File("fork.db"), BunkerFixtureSchema.LiveGrant);

    private static GrantDecision Decide(BunkerFixture fixture, string method, int? kind, string client = "alice") =>
        new GrantEvaluator(fixture.Path).Decide(Key, BunkerFixture.Pubkey(client), method, kind, fixture.Now);

    [Fact]
    public void UpstreamAnUnknownClientIsUndecided() =>
        Assert.Equal(GrantDecision.Undecided, Decide(Upstream(), "sign_event", 1));

    [Fact]
    public void UpstreamRedemptionCopiesGrantExactlyThePolicysMethodsAndKinds()
    {
        var fixture = Upstream();
        var policy = fixture.CreatePolicy("p", new FixtureRule("sign_event", "1"), new FixtureRule("encrypt"));
        fixture.RedeemToken(fixture.CreateToken(Key, "alice", policy), Alice);

        Assert.Equal(GrantDecision.Allow, Decide(fixture, "connect", null));
        Assert.Equal(GrantDecision.Allow, Decide(fixture, "sign_event", 1));
        Assert.Equal(GrantDecision.Undecided, Decide(fixture, "sign_event", 7));
        Assert.Equal(GrantDecision.Allow, Decide(fixture, "encrypt", null));
        Assert.Equal(GrantDecision.Undecided, Decide(fixture, "decrypt", null));
    }

    [Fact]
    public void UpstreamKindAllMatchesEveryEventKind()
    {
        var fixture = Upstream();
        fixture.WebApprove(Key, Alice, "connect");

        Assert.Equal(GrantDecision.Allow, Decide(fixture, "sign_event", 30078));
    }

    [Fact]
    public void UpstreamAStarDenialBeatsEverythingAndTheFirstMatchingRowDecides()
    {
        var fixture = Upstream();
        var keyUser = fixture.AlwaysAllow(Key, Alice, "ping");
        fixture.Sql("INSERT INTO SigningCondition (method, kind, allowed, keyUserId) VALUES ('encrypt', NULL, 0, $k), ('encrypt', NULL, 1, $k)", ("$k", keyUser));

        Assert.Equal(GrantDecision.Deny, Decide(fixture, "encrypt", null));
        Assert.Equal(GrantDecision.Allow, Decide(fixture, "ping", null));
        fixture.Sql("INSERT INTO SigningCondition (method, kind, allowed, keyUserId) VALUES ('*', NULL, 0, $k)", ("$k", keyUser));
        Assert.Equal(GrantDecision.Deny, Decide(fixture, "ping", null));
    }

    [Fact]
    public void UpstreamARevokedKeyUsersGrantsAreDenied()
    {
        var fixture = Upstream();
        fixture.RevokeKeyUser(fixture.AlwaysAllow(Key, Alice, "ping"));

        Assert.Equal(GrantDecision.Deny, Decide(fixture, "ping", null));
    }

    [Fact]
    public void ForkTheLiveJoinGrantsWhileTheTokenLivesAndNotAtOrAfterItsExpiry()
    {
        var fixture = Fork();
        var policy = fixture.CreatePolicy("p", new FixtureRule("sign_event", "1"));
        fixture.RedeemToken(fixture.CreateToken(Key, "alice", policy, expiresAt: fixture.Now.AddDays(1)), Alice);

        Assert.Equal(GrantDecision.Allow, Decide(fixture, "sign_event", 1));
        Assert.Equal(GrantDecision.Undecided, Decide(fixture, "sign_event", 7));
        fixture.Now = fixture.Now.AddDays(1);
        Assert.Equal(GrantDecision.Undecided, Decide(fixture, "sign_event", 1));
    }

    [Fact]
    public void ForkARevokedTokenNoLongerGrants()
    {
        var fixture = Fork();
        var token = fixture.CreateToken(Key, "alice", fixture.CreatePolicy("p", new FixtureRule("encrypt")));
        fixture.RedeemToken(token, Alice);
        fixture.RevokeToken(token.Id);

        Assert.Equal(GrantDecision.Undecided, Decide(fixture, "encrypt", null));
    }

    [Fact]
    public void ForkOverridesHonourTheirOwnLifecycleAndDenialsBeatGrants()
    {
        var fixture = Fork();
        var keyUser = fixture.AlwaysAllow(Key, Alice, "ping");
        fixture.AddSigningCondition(keyUser, "encrypt", null, true, expiresAt: fixture.Now);
        fixture.AddSigningCondition(keyUser, "decrypt", null, true, revokedAt: fixture.Now.AddDays(-1));
        fixture.AddSigningCondition(keyUser, "sign_event", "all", true);
        fixture.AddSigningCondition(keyUser, "sign_event", "4", false);

        Assert.Equal(GrantDecision.Allow, Decide(fixture, "ping", null));
        Assert.Equal(GrantDecision.Undecided, Decide(fixture, "encrypt", null));
        Assert.Equal(GrantDecision.Undecided, Decide(fixture, "decrypt", null));
        Assert.Equal(GrantDecision.Allow, Decide(fixture, "sign_event", 1));
        Assert.Equal(GrantDecision.Deny, Decide(fixture, "sign_event", 4));
        fixture.RevokeKeyUser(keyUser);
        Assert.Equal(GrantDecision.Deny, Decide(fixture, "ping", null));
    }

    [Fact]
    public void ForkUsageCapsCountSigningLogInsideTheWindowOrForEver()
    {
        var fixture = Fork();
        var policy = fixture.CreatePolicy("p",
            new FixtureRule("sign_event", "1", MaxUsageCount: 2, WindowSeconds: 3600),
            new FixtureRule("ping", MaxUsageCount: 1));
        var keyUser = fixture.RedeemToken(fixture.CreateToken(Key, "alice", policy), Alice);
        fixture.LogSigning(keyUser, "sign_event", "1");
        fixture.LogSigning(keyUser, "sign_event", "1");

        Assert.Equal(GrantDecision.Undecided, Decide(fixture, "sign_event", 1));
        Assert.Equal(GrantDecision.Allow, Decide(fixture, "ping", null));
        fixture.LogSigning(keyUser, "ping");
        fixture.Now = fixture.Now.AddHours(2);
        Assert.Equal(GrantDecision.Allow, Decide(fixture, "sign_event", 1));
        Assert.Equal(GrantDecision.Undecided, Decide(fixture, "ping", null));
    }
}
