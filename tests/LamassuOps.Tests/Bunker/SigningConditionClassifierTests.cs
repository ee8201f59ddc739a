using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures.Bunker;

namespace LamassuOps.Tests.Bunker;

/// <summary>
/// Every shape of the writer table, on the upstream schema and on the live-grant fork (upgraded from upstream, so the
/// copies predate it), with dates stored as INTEGER milliseconds and as TEXT.
/// </summary>
public sealed class SigningConditionClassifierTests : IDisposable
{
    private const string Key = "lnbits";
    private static readonly string Alice = BunkerFixture.Pubkey("alice");
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void RedemptionCopiesAreRedundantWhileTheTokenLivesAndStaleFromItsExpiry(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"), new FixtureRule("encrypt"));
        var expires = db.Now.AddDays(30);
        var token = db.CreateToken(Key, "LNbits alice", policy, expires);
        db.RedeemToken(token, Alice);
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);

        var before = Classify(db, expires.AddMilliseconds(-1));
        var atExpiry = Classify(db, expires);

        Assert.Equal(["connect/ConnectCopy", "sign_event/RuleCopy", "encrypt/RuleCopy"], before.Select(r => $"{r.Method}/{r.Reason}"));
        Assert.All(before, r =>
        {
            Assert.Equal(SigningConditionClass.PolicyCopy, r.Classification);
            Assert.Equal(SigningConditionVerdict.Redundant, r.Verdict);
            Assert.Equal(expires, r.StaleAfter);
            Assert.Equal(token.Id, r.TokenId);
            Assert.Equal(BunkerTokenState.Live, r.TokenState);
            Assert.Equal(policy, r.PolicyId);
            Assert.Equal(Alice, r.ClientPubkey);
            Assert.Contains("Redundant", r.Evidence);
        });
        Assert.All(atExpiry, r =>
        {
            Assert.Equal(SigningConditionVerdict.Stale, r.Verdict);
            Assert.Equal(BunkerTokenState.Expired, r.TokenState);
            Assert.Null(r.StaleAfter);
            Assert.Contains("expired", r.Evidence);
        });
        Assert.Contains("matches rule", before[1].Evidence);
        if (fork)
        {
            Assert.All(before, r => Assert.Equal(BunkerDateEncoding.Text, r.CreatedAtEncoding));
            Assert.Contains("predates the live-grant lifecycle migration", before[0].Evidence);
            Assert.Contains("override layer", atExpiry[0].Evidence);
        }
        else
        {
            Assert.Contains("upstream schema: no live token join", before[0].Evidence);
        }
    }

    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void CopiesOfADeletedOrRevokedTokenAreStale(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var deleted = db.CreateToken(Key, "deleted", policy);
        var deletedUser = db.RedeemToken(deleted, Alice);
        var revoked = db.CreateToken(Key, "revoked", policy);
        var revokedUser = db.RedeemToken(revoked, BunkerFixture.Pubkey("bob"));
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);
        db.Now = db.Now.AddDays(1);
        db.DeleteToken(deleted.Id);
        if (fork) db.RevokeToken(revoked.Id);

        var rows = Classify(db, db.Now);

        Assert.All(rows.Where(r => r.KeyUserId == deletedUser), r =>
        {
            Assert.Equal((SigningConditionClass.PolicyCopy, SigningConditionVerdict.Stale, BunkerTokenState.Deleted), (r.Classification, r.Verdict!.Value, r.TokenState!.Value));
            Assert.Contains($"token {deleted.Id} was deleted", r.Evidence);
        });
        Assert.All(rows.Where(r => r.KeyUserId == revokedUser), r => Assert.Equal(
            fork ? (SigningConditionVerdict.Stale, BunkerTokenState.Revoked) : (SigningConditionVerdict.Redundant, BunkerTokenState.Live),
            (r.Verdict!.Value, r.TokenState!.Value)));
    }

    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void ALiveTokenJustifiesOnlyTheRulesOfItsOwnPolicy(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        var broad = db.CreatePolicy("broad", new FixtureRule("sign_event", "1"), new FixtureRule("encrypt"));
        var narrow = db.CreatePolicy("narrow", new FixtureRule("sign_event", "1"));
        var old = db.CreateToken(Key, "old", broad, db.Now.AddDays(1));
        db.RedeemToken(old, Alice);
        var current = db.CreateToken(Key, "current", narrow, db.Now.AddDays(60));
        db.RedeemToken(current, Alice);
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);

        var rows = Classify(db, db.Now.AddDays(2));

        Assert.Equal(
            [
                $"connect Redundant {current.Id}", $"sign_event Redundant {current.Id}", $"encrypt Stale {old.Id}",
                $"connect Redundant {current.Id}", $"sign_event Redundant {current.Id}",
            ],
            rows.Select(r => $"{r.Method} {r.Verdict} {r.TokenId}"));
        Assert.Contains("no live token justifies it", rows[2].Evidence);
    }

    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void WebApprovalRowsAreManual(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);
        var policy = db.CreatePolicy("default", new FixtureRule("decrypt"));
        db.RedeemToken(db.CreateToken(Key, "alice", policy), Alice);
        var approvedOnly = db.WebApprove(Key, BunkerFixture.Pubkey("erin"), "connect", "erin's client");
        db.WebApprove(Key, Alice, "connect");
        db.WebApprove(Key, Alice, "decrypt");

        var rows = Classify(db, db.Now);

        Assert.Equal(["connect all NoToken", "sign_event all NoToken"],
            rows.Where(r => r.KeyUserId == approvedOnly).Select(r => $"{r.Method} {r.Kind} {r.Reason}"));
        var aliceManual = rows.Where(r => r.ClientPubkey == Alice && r.Classification == SigningConditionClass.ManualOverride).ToList();
        Assert.Equal(["connect all WebApproval", "sign_event all WebApproval", "decrypt all WebApproval"],
            aliceManual.Select(r => $"{r.Method} {r.Kind} {r.Reason}"));
        Assert.All(aliceManual, r => Assert.Null(r.Verdict));
        Assert.Contains("web approval", aliceManual[0].Evidence);
    }

    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void CreateAccountRowsBelongToAKeyUserWithoutToken(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);
        db.CreatePolicy("default", new FixtureRule("sign_event", "all"), new FixtureRule("encrypt"));

        db.CreateAccount("frank@bunker.example", BunkerFixture.Pubkey("frank"));

        var rows = Classify(db, db.Now);
        Assert.Equal(["connect  NoToken", "sign_event all NoToken", "encrypt  NoToken", "decrypt  NoToken"],
            rows.Select(r => $"{r.Method} {r.Kind} {r.Reason}"));
        Assert.All(rows, r => Assert.Equal(SigningConditionClass.ManualOverride, r.Classification));
    }

    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void AdminAlwaysAllowOutsideThePolicyIsManual(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var token = db.CreateToken(Key, "alice", policy);
        var alice = db.RedeemToken(token, Alice);
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);

        db.AlwaysAllow(Key, Alice, "sign_event", "30023");
        db.AlwaysAllow(Key, Alice, "nip44_encrypt");

        var manual = Classify(db, db.Now).Where(r => r.KeyUserId == alice && r.Classification == SigningConditionClass.ManualOverride).ToList();
        Assert.Equal(["sign_event 30023 NotInPolicy", "nip44_encrypt  NotInPolicy"], manual.Select(r => $"{r.Method} {r.Kind} {r.Reason}"));
        Assert.Contains($"token {token.Id} ('alice', policy {policy} 'default')", manual[0].Evidence);
    }

    /// <summary>
    /// An admin "always allow" (or fork add_signing_condition) of exactly a policy rule's shape cannot be told from a copy
    /// on upstream, nor on the fork when its date is TEXT: no origin column exists. On the fork the live-grant daemon
    /// writes INTEGER createdAt, which tells it apart.
    /// </summary>
    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void CopyShapedGrantsWrittenAfterTheLiveGrantUpgradeAreToldApartByTheirIntegerCreatedAt(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var token = db.CreateToken(Key, "alice", policy);
        var alice = db.RedeemToken(token, Alice);
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);

        if (fork) db.AddSigningCondition(alice, "sign_event", "1", true);
        else db.AlwaysAllow(Key, Alice, "sign_event", "1");
        var grant = (long)db.Scalar("SELECT max(id) FROM SigningCondition")!;

        var row = Classify(db, db.Now).Single(r => r.Id == grant);
        var toldApart = fork && encoding == BunkerDateEncoding.Milliseconds;
        Assert.Equal(toldApart ? SigningConditionClass.ManualOverride : SigningConditionClass.PolicyCopy, row.Classification);
        Assert.Equal(toldApart ? SigningConditionReason.WrittenAfterLiveGrants : SigningConditionReason.RuleCopy, row.Reason);
        if (toldApart)
        {
            Assert.Equal(token.Id, row.TokenId);
            Assert.Contains("createdAt is INTEGER milliseconds", row.Evidence);
        }
    }

    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void DenialsRejectsAndUndecidedRowsAreManual(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var alice = db.RedeemToken(db.CreateToken(Key, "alice", policy), Alice);
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);

        var adminReject = db.AdminReject(Key, BunkerFixture.Pubkey("mallory"));
        var rejectAll = fork ? db.RejectAll(alice) : Insert(db, alice, "*", null, 0);
        var denial = fork ? db.AddSigningCondition(alice, "sign_event", "1", false) : Insert(db, alice, "sign_event", "1", 0);
        var undecided = Insert(db, alice, "sign_event", "1", null);

        var rows = Classify(db, db.Now).ToDictionary(r => r.Id);
        Assert.Equal(SigningConditionReason.Denial, rows[rows.Values.Single(r => r.KeyUserId == adminReject).Id].Reason);
        Assert.Equal(SigningConditionReason.RejectAll, rows[rejectAll].Reason);
        Assert.Equal(SigningConditionReason.Denial, rows[denial].Reason);
        Assert.Equal(SigningConditionReason.NoDecision, rows[undecided].Reason);
        Assert.False(rows[denial].Allowed);
        Assert.Null(rows[undecided].Allowed);
        Assert.All(new[] { rejectAll, denial, undecided }, id => Assert.Equal(SigningConditionClass.ManualOverride, rows[id].Classification));
    }

    [Theory]
    [InlineData(BunkerDateEncoding.Milliseconds)]
    [InlineData(BunkerDateEncoding.Text)]
    public void ForkOverridesWithTheirOwnExpiryOrRevocationAreManual(BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        db.UpgradeTo(BunkerFixtureSchema.LiveGrant);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var alice = db.RedeemToken(db.CreateToken(Key, "alice", policy), Alice);

        var expiring = db.AddSigningCondition(alice, "sign_event", "1", true, expiresAt: db.Now.AddDays(7));
        var revoked = db.AddSigningCondition(alice, "sign_event", "1", true, revokedAt: db.Now);

        var rows = Classify(db, db.Now).ToDictionary(r => r.Id);
        Assert.Equal(SigningConditionReason.OwnLifecycle, rows[expiring].Reason);
        Assert.Equal(db.Now.AddDays(7), rows[expiring].ExpiresAt);
        Assert.Equal(SigningConditionReason.OwnLifecycle, rows[revoked].Reason);
        Assert.Equal(db.Now, rows[revoked].RevokedAt);
    }

    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void RowsOfADeletedKeyUserAreOrphans(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var byPrisma = db.RedeemToken(db.CreateToken(Key, "a", policy), Alice);
        var byShell = db.RedeemToken(db.CreateToken(Key, "b", policy), BunkerFixture.Pubkey("bob"));
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);
        db.DeleteKeyUser(byPrisma);
        db.DeleteKeyUser(byShell, enforceForeignKeys: false);

        var rows = Classify(db, db.Now);

        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal((SigningConditionClass.Orphan, SigningConditionReason.KeyUserMissing), (r.Classification, r.Reason)));
        Assert.Equal([null, null, byShell, byShell], rows.Select(r => r.KeyUserId));
        Assert.Contains("keyUserId is NULL", rows[0].Evidence);
        Assert.Contains($"keyUserId {byShell} points at a KeyUser that does not exist", rows[2].Evidence);
    }

    [Fact]
    public void AKeyUserIdNoKeyUserIdCanEqualIsAnOrphanEvenBesideAKeyUserItRoundsTo()
    {
        var db = Create(BunkerDateEncoding.Text);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var alice = db.RedeemToken(db.CreateToken(Key, "alice", policy), Alice);
        var bob = db.RedeemToken(db.CreateToken(Key, "bob", policy), BunkerFixture.Pubkey("bob"));
        // By hand in the sqlite3 shell (foreign keys off): a REAL between alice's id and bob's, and TEXT, which sorts
        // after every number.
        SqliteShell.Query(db.Path, $"INSERT INTO SigningCondition (method, kind, allowed, keyUserId) VALUES ('sign_event', '1', 1, {alice}.5), " +
               $"('sign_event', '1', 1, '{bob}x')");

        var rows = Classify(db, db.Now);

        Assert.Equal(
            [$"{alice} PolicyCopy", $"{alice} PolicyCopy", $"{alice} Orphan", $"{bob} PolicyCopy", $"{bob} PolicyCopy", $"{bob} Orphan"],
            rows.Select(r => $"{r.KeyUserId} {r.Classification}"));
        Assert.All(rows.Where(r => r.Classification == SigningConditionClass.Orphan), r => Assert.Null(r.ClientPubkey));
        Assert.Equal([Alice, Alice, BunkerFixture.Pubkey("bob"), BunkerFixture.Pubkey("bob")],
            rows.Where(r => r.Classification == SigningConditionClass.PolicyCopy).Select(r => r.ClientPubkey));
    }

    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void WhenTheTokensPolicyIsGoneOnlyTheConnectCopyCanStillBeMatched(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var token = db.CreateToken(Key, "alice", policy);
        db.RedeemToken(token, Alice);
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);
        db.Sql("DELETE FROM Policy WHERE id = $id", ("$id", policy));

        var rows = Classify(db, db.Now);

        Assert.Equal(["ConnectCopy Redundant", "TokenPolicyMissing "], rows.Select(r => $"{r.Reason} {r.Verdict}"));
        Assert.Contains("no policy", rows[1].Evidence);
    }

    [Theory]
    [MemberData(nameof(BunkerVariants.ForkAndEncoding), MemberType = typeof(BunkerVariants))]
    public void ARevokedKeyUserIsNamedInTheEvidence(bool fork, BunkerDateEncoding encoding)
    {
        var db = Create(encoding);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var alice = db.RedeemToken(db.CreateToken(Key, "alice", policy), Alice);
        if (fork) db.UpgradeTo(BunkerFixtureSchema.LiveGrant);
        db.RevokeKeyUser(alice);

        var rows = Classify(db, db.Now);

        Assert.All(rows, r =>
        {
            Assert.True(r.KeyUserRevoked);
            Assert.Equal(SigningConditionVerdict.Redundant, r.Verdict);
            Assert.Contains($"KeyUser {alice} was revoked", r.Evidence);
        });
        Assert.All(Classify(db, db.Now.AddMilliseconds(-1)), r => Assert.False(r.KeyUserRevoked));
    }

    [Fact]
    public void ManyKeyUsersAndRowsAreMergedWithTheirOwnTokens()
    {
        var db = Create(BunkerDateEncoding.Milliseconds);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var users = new List<(long KeyUser, bool Live)>();
        for (var i = 0; i < 40; i++)
        {
            var token = db.CreateToken(Key, $"client {i}", policy, i % 2 == 0 ? db.Now.AddDays(10) : null);
            var keyUser = db.RedeemToken(token, BunkerFixture.Pubkey($"client {i}"));
            if (i % 2 == 1) db.DeleteToken(token.Id);
            users.Add((keyUser, i % 2 == 0));
        }
        var unpaired = db.AlwaysAllow(Key, BunkerFixture.Pubkey("no token"), "ping");
        const int count = 30_000;
        db.Bulk(bulk => bulk.SigningConditions(count, i =>
        {
            var user = i % 7 == 0 ? unpaired : users[(i * 13) % users.Count].KeyUser;
            return new BulkSigningCondition(user, "sign_event", i % 3 == 0 ? "2" : "1", true);
        }));

        var rows = Classify(db, db.Now);

        Assert.Equal(count + 40 * 2 + 1, rows.Count);
        Assert.Equal(rows.OrderBy(r => r.KeyUserId).ThenBy(r => r.Id).Select(r => r.Id), rows.Select(r => r.Id));
        var live = users.Where(u => u.Live).Select(u => (long?)u.KeyUser).ToHashSet();
        // Each KeyUser's columns are read once for its run of rows: every row still carries its own KeyUser's.
        var pubkeys = users.Select((u, i) => (u.KeyUser, Pubkey: BunkerFixture.Pubkey($"client {i}")))
            .Append((KeyUser: unpaired, Pubkey: BunkerFixture.Pubkey("no token"))).ToDictionary(u => u.KeyUser, u => u.Pubkey);
        foreach (var row in rows)
        {
            Assert.Equal(pubkeys[row.KeyUserId!.Value], row.ClientPubkey);
            Assert.Equal(Key, row.KeyName);
            var expected = row.KeyUserId == unpaired ? "ManualOverride NoToken "
                : row.Kind == "2" ? "ManualOverride NotInPolicy "
                : $"PolicyCopy {(row.Method == "connect" ? "ConnectCopy" : "RuleCopy")} {(live.Contains(row.KeyUserId) ? "Redundant" : "Stale")}";
            Assert.Equal(expected, $"{row.Classification} {row.Reason} {row.Verdict}");
        }
    }

    [Fact]
    public void AnUnreadableDateStopsWithItsLocation()
    {
        var db = Create(BunkerDateEncoding.Milliseconds);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        var token = db.CreateToken(Key, "alice", policy);
        db.RedeemToken(token, Alice);
        db.Sql("UPDATE Token SET expiresAt = 'next tuesday' WHERE id = $id", ("$id", token.Id));

        var error = Assert.Throws<LamassuOpsException>(() => Classify(db, db.Now));

        Assert.Equal(BunkerErrors.DateUnreadable, error.ErrorId);
        Assert.Contains($"Token {token.Id} expiresAt", error.Message);
    }

    private BunkerFixture Create(BunkerDateEncoding encoding) => BunkerVariants.CreateUpstream(_dir, encoding);

    private static long Insert(BunkerFixture db, long keyUserId, string? method, string? kind, int? allowed)
    {
        db.Sql("INSERT INTO SigningCondition (method, kind, allowed, keyUserId) VALUES ($method, $kind, $allowed, $keyUserId)",
            ("$method", method), ("$kind", kind), ("$allowed", allowed), ("$keyUserId", keyUserId));
        return (long)db.Scalar("SELECT max(id) FROM SigningCondition")!;
    }

    private static List<BunkerSigningCondition> Classify(BunkerFixture db, DateTimeOffset asOf)
    {
        using var database = BunkerDatabase.OpenReadOnly(db.Path);
        return new SigningConditionClassifier(database, asOf).Classify().ToList();
    }
}
