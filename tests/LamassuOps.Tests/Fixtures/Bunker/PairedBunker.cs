using LamassuOps.Core.Bunker;

namespace LamassuOps.Tests.Fixtures.Bunker;

/// <summary>
/// An LNbits-paired bunker as the runbook finds it, built through the daemon's own steps: tokens redeemed while
/// redemption still photocopied the policy into SigningCondition, then the fork's migrations, then time passing.
/// At <see cref="AsOf"/>: alice and bob have live tokens (their copies are redundant), carol's token has expired
/// and dave's is revoked (their copies are stale), erin was approved on the web and frank has an admin "always
/// allow" for ping beside his token (manual overrides), gina is denied everything ('*' reject).
/// </summary>
public sealed class PairedBunker
{
    public const string KeyName = "lnbits";

    /// <summary>The policy every LNbits account gets.</summary>
    public static readonly FixtureRule[] PolicyRules =
    [
        new("sign_event", "1"),
        new("sign_event", "7"),
        new("encrypt"),
        new("decrypt"),
    ];

    public static readonly string[] LiveClients = ["alice", "bob", "frank"];

    public static readonly string[] DeadClients = ["carol", "dave"];

    private PairedBunker(BunkerFixture fixture) => Fixture = fixture;

    public BunkerFixture Fixture { get; }

    public string Path => Fixture.Path;

    /// <summary>When the strip runs: after carol's token expired.</summary>
    public DateTimeOffset AsOf { get; private set; }

    public static PairedBunker Create(string path, BunkerFixtureSchema finalSchema = BunkerFixtureSchema.LiveGrant)
    {
        var fixture = BunkerFixture.Create(path, BunkerFixtureSchema.Upstream);
        var bunker = new PairedBunker(fixture);
        var policy = fixture.CreatePolicy("lnbits-default", PolicyRules);
        foreach (var client in new[] { "alice", "bob", "dave", "frank", "gina" })
            fixture.RedeemToken(fixture.CreateToken(KeyName, client, policy), BunkerFixture.Pubkey(client));
        var carol = fixture.CreateToken(KeyName, "carol", policy, expiresAt: fixture.Now.AddDays(30));
        fixture.RedeemToken(carol, BunkerFixture.Pubkey("carol"));
        fixture.WebApprove(KeyName, BunkerFixture.Pubkey("erin"), "connect");
        fixture.AlwaysAllow(KeyName, BunkerFixture.Pubkey("frank"), "ping");
        if (finalSchema == BunkerFixtureSchema.Upstream)
        {
            bunker.AsOf = fixture.Now.AddDays(31);
            return bunker;
        }

        fixture.Now = fixture.Now.AddDays(1);
        fixture.UpgradeTo(finalSchema);
        var dave = (long)fixture.Scalar("SELECT id FROM Token WHERE clientName = 'dave'")!;
        fixture.RevokeToken(dave);
        var gina = (long)fixture.Scalar("SELECT id FROM KeyUser WHERE description = 'gina'")!;
        fixture.RejectAll(gina);
        bunker.AsOf = fixture.Now.AddDays(30);
        return bunker;
    }

    public long KeyUserId(string client) => (long)Fixture.Scalar("SELECT id FROM KeyUser WHERE userPubkey = $p", ("$p", BunkerFixture.Pubkey(client)))!;

    public long Count(string table) => (long)Fixture.Scalar($"SELECT count(*) FROM \"{table}\"")!;

    /// <summary>Fills SigningCondition (and Request) with <paramref name="rows"/> extra copy-shaped rows of the dead clients, so a strip takes a while.</summary>
    public void AddStaleCopies(int rows)
    {
        var dead = DeadClients.Select(KeyUserId).ToArray();
        Fixture.Bulk(bulk => bulk.SigningConditions(rows, i =>
            new BulkSigningCondition(dead[i % dead.Length], "sign_event", i % 2 == 0 ? "1" : "7", true)));
    }
}
