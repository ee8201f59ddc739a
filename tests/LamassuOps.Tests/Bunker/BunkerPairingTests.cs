using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Bunker;

/// <summary>Get-BunkerPairing's operation over real databases: every state, several tokens, dangling and unredeemed tokens.</summary>
public sealed class BunkerPairingTests : IDisposable
{
    private const string Key = "lnbits";
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void EachKeyUserGetsItsStateAtTheMomentAsked(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"), new FixtureRule("encrypt"));
        var expires = db.Now.AddDays(30);
        var live = Pair(db, "live", policy, expires);
        var revokedUser = Pair(db, "revoked user", policy, null);
        var deletedToken = db.CreateToken(Key, "deleted token", policy);
        var deleted = db.RedeemToken(deletedToken, BunkerFixture.Pubkey("deleted token"));
        var webOnly = db.WebApprove(Key, BunkerFixture.Pubkey("web"), "connect");
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);
        var revokedTokenValue = db.CreateToken(Key, "revoked token", policy);
        var revokedToken = db.RedeemToken(revokedTokenValue, BunkerFixture.Pubkey("revoked token"));
        db.Now = db.Now.AddDays(1);
        db.RevokeKeyUser(revokedUser);
        db.DeleteToken(deletedToken.Id);
        if (fork) db.RevokeToken(revokedTokenValue.Id);

        var now = Get(new() { Path = db.Path, AsOf = db.Now }).ToDictionary(p => p.KeyUserId!.Value);
        var atExpiry = Get(new() { Path = db.Path, AsOf = expires }).ToDictionary(p => p.KeyUserId!.Value);

        Assert.Equal(BunkerPairingState.Live, now[live].State);
        Assert.Equal($"token 1 is live until {expires:yyyy-MM-dd HH:mm:ss}Z", now[live].StateReason);
        Assert.Equal(BunkerPairingState.Expired, atExpiry[live].State);
        Assert.Equal(BunkerPairingState.Revoked, now[revokedUser].State);
        Assert.True(now[revokedUser].KeyUserRevoked);
        Assert.Equal(db.Now, now[revokedUser].KeyUserRevokedAt);
        Assert.Equal(BunkerPairingState.Deleted, now[deleted].State);
        Assert.Equal(db.Now, now[deleted].TokenDeletedAt);
        Assert.Equal(BunkerPairingState.Unbound, now[webOnly].State);
        Assert.Contains("only its 2 signing condition(s) grant", now[webOnly].StateReason);
        Assert.Equal(fork ? BunkerPairingState.Revoked : BunkerPairingState.Live, now[revokedToken].State);

        var pairing = now[live];
        Assert.Equal((Key, BunkerFixture.Pubkey("live"), "live", "live"), (pairing.KeyName, pairing.ClientPubkey, pairing.Description, pairing.ClientName));
        Assert.Equal((policy, "default", 2, 3, 1), (pairing.PolicyId!.Value, pairing.PolicyName, pairing.RuleCount, pairing.SigningConditionCount, pairing.TokenCount));
        Assert.Equal(BunkerFixture.DefaultNow, pairing.RedeemedAt);
        Assert.Equal(expires, pairing.TokenExpiresAt);
        Assert.Equal(db.Path, pairing.Path);
    }

    [Fact]
    public void AKeyUserWithSeveralTokensIsOneObjectGovernedByItsLongestLivedLiveToken()
    {
        var db = Create(BunkerDateEncoding.Milliseconds);
        db.UpgradeTo(BunkerFixtureSchema.LiveGrant);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var client = BunkerFixture.Pubkey("alice");
        var shortLived = db.CreateToken(Key, "first", policy, db.Now.AddDays(10));
        var longLived = db.CreateToken(Key, "second", policy, db.Now.AddDays(90));
        var expired = db.CreateToken(Key, "third", policy, db.Now.AddDays(1));
        db.RedeemToken(shortLived, client);
        db.RedeemToken(longLived, client);
        db.RedeemToken(expired, client);

        var pairing = Assert.Single(Get(new() { Path = db.Path, AsOf = db.Now.AddDays(2) }));

        Assert.Equal(BunkerPairingState.Live, pairing.State);
        Assert.Equal(longLived.Id, pairing.TokenId);
        Assert.Equal("second", pairing.ClientName);
        Assert.Equal(3, pairing.TokenCount);
        Assert.Contains("(3 tokens are bound; 2 live)", pairing.StateReason);
        Assert.Equal([(shortLived.Id, BunkerTokenState.Live), (longLived.Id, BunkerTokenState.Live), (expired.Id, BunkerTokenState.Expired)],
            pairing.Tokens.Select(t => (t.TokenId, t.State)));

        var later = Assert.Single(Get(new() { Path = db.Path, AsOf = db.Now.AddDays(100) }));
        Assert.Equal(BunkerPairingState.Expired, later.State);
        Assert.Equal(expired.Id, later.TokenId); // none live: the one redeemed last
    }

    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void DanglingTokensAreListedOnRequestAndWarnedAboutOtherwise(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var byPrisma = db.CreateToken(Key, "LNbits grace", policy);
        var byShell = db.CreateToken(Key, "LNbits heidi", policy);
        db.DeleteKeyUser(db.RedeemToken(byPrisma, BunkerFixture.Pubkey("grace")));
        var gone = db.RedeemToken(byShell, BunkerFixture.Pubkey("heidi"));
        db.DeleteKeyUser(gone, enforceForeignKeys: false);
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);

        var quiet = new RecordingHost();
        Assert.Empty(BunkerPairings.Get(new BunkerPairingOptions { Path = db.Path }, quiet).ToList());
        var dangling = Get(new() { Path = db.Path, IncludeDangling = true });

        Assert.Contains("2 redeemed token(s)", Assert.Single(quiet.Warnings));
        Assert.Equal([(byPrisma.Id, BunkerPairingState.Dangling), (byShell.Id, BunkerPairingState.Dangling)], dangling.Select(p => (p.TokenId!.Value, p.State)));
        Assert.Contains("its KeyUser was deleted (keyUserId NULL)", dangling[0].StateReason);
        Assert.Contains($"keyUserId {gone} points at a KeyUser that does not exist", dangling[1].StateReason);
        Assert.All(dangling, p => Assert.Null(p.KeyUserId));
        Assert.Equal("LNbits grace", dangling[0].ClientName);
    }

    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void UnredeemedTokensAreListedOnRequestWithWhetherTheyCanStillBeRedeemed(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var open = db.CreateToken(Key, "open", policy, db.Now.AddDays(7));
        var expired = db.CreateToken(Key, "expired", policy, db.Now);
        var noPolicy = db.CreateToken(Key, "no policy", null);

        var rows = Get(new() { Path = db.Path, IncludeUnredeemed = true, AsOf = db.Now });

        Assert.Equal([(open.Id, BunkerPairingState.Unredeemed), (expired.Id, BunkerPairingState.Unredeemable), (noPolicy.Id, BunkerPairingState.Unredeemable)],
            rows.Select(p => (p.TokenId!.Value, p.State)));
        Assert.Contains("expired", rows[1].StateReason);
        Assert.Contains("no policy, so the daemon refuses it", rows[2].StateReason);
        Assert.Equal(1, rows[0].RuleCount);
    }

    [Fact]
    public void TokensAreMaskedUnlessTheSecretIsAskedFor()
    {
        var db = Create(BunkerDateEncoding.Milliseconds);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var token = db.CreateToken(Key, "alice", policy);
        db.RedeemToken(token, BunkerFixture.Pubkey("alice"));
        var host = new RecordingHost();

        var masked = Assert.Single(BunkerPairings.Get(new BunkerPairingOptions { Path = db.Path }, host).ToList());
        var shown = Assert.Single(Get(new() { Path = db.Path, IncludeSecret = true }));

        Assert.Equal(Secret.Mask(token.Value), masked.Token);
        Assert.Equal(Secret.Mask(token.Value), Assert.Single(masked.Tokens).Token);
        Assert.DoesNotContain(token.Value, host.AllMessages);
        Assert.Equal(token.Value, shown.Token);
        Assert.Equal(token.Value, Assert.Single(shown.Tokens).Token);
    }

    [Fact]
    public void KeyNameAndClientPubkeyFilterWithWildcards()
    {
        var db = Create(BunkerDateEncoding.Milliseconds);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        db.RedeemToken(db.CreateToken("lnbits", "a", policy), "aaaa" + new string('0', 60));
        db.RedeemToken(db.CreateToken("lnbits", "b", policy), "bbbb" + new string('0', 60));
        db.RedeemToken(db.CreateToken("shop", "c", policy), "aaab" + new string('0', 60));
        db.CreateToken("lnbits", "unredeemed", policy);

        Assert.Equal(["a", "b", "unredeemed"], Get(new() { Path = db.Path, KeyName = ["LN*"], IncludeUnredeemed = true }).Select(p => p.ClientName));
        Assert.Equal(["a", "c"], Get(new() { Path = db.Path, ClientPubkey = ["aaa?0*"], IncludeUnredeemed = true }).Select(p => p.ClientName));
        Assert.Equal(["c"], Get(new() { Path = db.Path, KeyName = ["shop", "nothing"] }).Select(p => p.ClientName));
    }

    [Fact]
    public void ReadingPairingsLeavesTheDatabaseUntouched()
    {
        var db = Create(BunkerDateEncoding.Milliseconds);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        db.RedeemToken(db.CreateToken(Key, "a", policy), BunkerFixture.Pubkey("a"));
        var before = FileSnapshot.Take(db.Path);

        Assert.Single(Get(new() { Path = db.Path, IncludeDangling = true, IncludeUnredeemed = true }));

        before.AssertUnchanged();
    }

    private BunkerFixture Create(BunkerDateEncoding encoding) => BunkerVariants.CreateUpstream(_dir, encoding);

    private static long Pair(BunkerFixture db, string client, long policy, DateTimeOffset? expiresAt) =>
        db.RedeemToken(db.CreateToken(Key, client, policy, expiresAt), BunkerFixture.Pubkey(client));

    private static List<BunkerPairing> Get(BunkerPairingOptions options) =>
        BunkerPairings.Get(options, new RecordingHost()).ToList();
}
