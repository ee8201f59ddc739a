using LamassuOps.Core;
using LamassuOps.Core.Lnbits;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Fixtures.Lnbits;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Lnbits;

/// <summary>
/// Get-LnbitsSignerAccount and Test-BunkerPairing over a real bunker fixture and a real LNbits database, on SQLite and on
/// the test PostgreSQL (peer auth): every verdict, every token wrapper, every malformed signer_config.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BunkerPairingTestTests : IDisposable
{
    private const string Key = "lnbits";
    private readonly ScratchDirectory _dir = new();
    private readonly LnbitsDatabases _lnbits;

    public BunkerPairingTestTests(PostgresServer server)
    {
        _lnbits = new LnbitsDatabases(server, _dir);
    }

    public void Dispose()
    {
        _lnbits.Dispose();
        _dir.Dispose();
    }

    /// <summary>A bunker with one pairing per verdict and the LNbits accounts that go with them.</summary>
    private (BunkerFixture Bunker, List<LnbitsTestAccount> Accounts, Dictionary<string, NostrTestKey> Keys) Instance()
    {
        var bunker = BunkerFixture.Create(_dir.File("nsecbunker.db"));
        var policy = bunker.CreatePolicy("lnbits-default", new FixtureRule("sign_event", "1"), new FixtureRule("encrypt"));
        var other = bunker.CreatePolicy("other", new FixtureRule("sign_event", "1"));
        var keys = new Dictionary<string, NostrTestKey>();
        var accounts = new List<LnbitsTestAccount>();
        NostrTestKey KeyOf(string name) => keys.TryGetValue(name, out var key) ? key : keys[name] = NostrTestKey.Generate();
        void Account(string name, string? config) => accounts.Add(new LnbitsTestAccount("acct-" + name, name, config, KeyOf("own " + name).Pubkey));
        FixtureToken Paired(string name, long policyId, DateTimeOffset? expires = null, string? boundTo = null)
        {
            var token = bunker.CreateToken(Key, name, policyId, expires);
            bunker.RedeemToken(token, KeyOf(boundTo ?? name).Pubkey);
            return token;
        }

        Account("healthy", LnbitsFixture.SignerConfig(Paired("healthy", policy).Value, KeyOf("healthy"), policy));
        Account("npub-form", LnbitsFixture.SignerConfig(KeyOf("bunker key").Npub + "#" + Paired("npub-form", policy).Value, KeyOf("npub-form"), policy));
        Account("bunker-url", LnbitsFixture.SignerConfig(
            $"bunker://{KeyOf("bunker key").Pubkey}?relay=wss%3A%2F%2Frelay.example&secret={Paired("bunker-url", policy).Value}", KeyOf("bunker-url"), policy));
        Account("unknown", LnbitsFixture.SignerConfig(BunkerFixture.Hex("wiped"), KeyOf("unknown"), policy));
        var gone = Paired("gone", policy);
        bunker.DeleteKeyUser((long)bunker.Scalar("SELECT keyUserId FROM Token WHERE id = $id", ("$id", gone.Id))!);
        Account("gone", LnbitsFixture.SignerConfig(gone.Value, KeyOf("gone"), policy));
        Account("unredeemed", LnbitsFixture.SignerConfig(bunker.CreateToken(Key, "unredeemed", policy).Value, KeyOf("unredeemed"), policy));
        Account("mismatch", LnbitsFixture.SignerConfig(Paired("mismatch", policy, boundTo: "someone else").Value, KeyOf("mismatch"), policy));
        Account("policy", LnbitsFixture.SignerConfig(Paired("policy", other).Value, KeyOf("policy"), policy));
        Account("expired", LnbitsFixture.SignerConfig(Paired("expired", policy, bunker.Now.AddDays(1)).Value, KeyOf("expired"), policy));
        var revoked = Paired("revoked", policy);
        bunker.RevokeKeyUser((long)bunker.Scalar("SELECT keyUserId FROM Token WHERE id = $id", ("$id", revoked.Id))!);
        Account("revoked", LnbitsFixture.SignerConfig(revoked.Value, KeyOf("revoked"), policy));
        Account("bad-json", "{\"token\": ");
        Account("bad-checksum", LnbitsFixture.SignerConfig(Paired("bad-checksum", policy).Value, KeyOf("bad-checksum"), policy).Replace("nsec1", "nsec1q"));
        Account("short-key", $$"""{"token": "{{Paired("short-key", policy).Value}}", "client_nsec": "{{Bech32Encoder.Encode("nsec", new byte[16])}}", "policy_id": {{policy}}}""");
        Account("wrapper", LnbitsFixture.SignerConfig("token:" + Paired("wrapper", policy).Value, KeyOf("wrapper"), policy));
        accounts.Add(new LnbitsTestAccount("acct-local", "local", null));
        Paired("orphan", policy);
        bunker.Now = bunker.Now.AddDays(2);
        return (bunker, accounts, keys);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EachPairingGetsExactlyOneVerdictWithItsEvidenceAndRepair(bool postgres)
    {
        var (bunker, accounts, keys) = Instance();
        var lnbits = _lnbits.Write(postgres, accounts);

        var verdicts = BunkerPairingTest.Test(new BunkerPairingTestOptions { BunkerDatabase = bunker.Path, LnbitsDatabase = lnbits, AsOf = bunker.Now },
            new RecordingHost()).ToList();
        var byUser = verdicts.Where(v => v.Username is not null).ToDictionary(v => v.Username!);

        Assert.Equal(new Dictionary<string, PairingVerdict>
        {
            ["healthy"] = PairingVerdict.Healthy, ["npub-form"] = PairingVerdict.Healthy, ["bunker-url"] = PairingVerdict.Healthy,
            ["unknown"] = PairingVerdict.Dangling, ["gone"] = PairingVerdict.Dangling, ["unredeemed"] = PairingVerdict.Dangling,
            ["mismatch"] = PairingVerdict.IdentityMismatch, ["policy"] = PairingVerdict.PolicyMismatch, ["expired"] = PairingVerdict.Expired,
            ["revoked"] = PairingVerdict.Revoked, ["bad-json"] = PairingVerdict.Malformed, ["bad-checksum"] = PairingVerdict.Malformed,
            ["short-key"] = PairingVerdict.Malformed, ["wrapper"] = PairingVerdict.Malformed,
        }, byUser.ToDictionary(p => p.Key, p => p.Value.Verdict));
        var orphan = Assert.Single(verdicts, v => v.Verdict == PairingVerdict.OrphanedKeyUser);
        Assert.Equal((null, keys["orphan"].Pubkey), (orphan.AccountId, orphan.BunkerClientPubkey));
        Assert.Equal(byUser.Count + 1, verdicts.Count);

        Assert.Equal(keys["healthy"].Pubkey, byUser["healthy"].LnbitsClientPubkey);
        Assert.Equal(byUser["healthy"].LnbitsClientPubkey, byUser["healthy"].BunkerClientPubkey);
        Assert.False(byUser["healthy"].NeedsAttention);
        Assert.Null(byUser["healthy"].Repair);
        Assert.Contains("unknown to the bunker", byUser["unknown"].Evidence);
        Assert.Contains("its KeyUser is gone", byUser["gone"].Evidence);
        Assert.Contains("never redeemed", byUser["unredeemed"].Evidence);
        Assert.Contains("Create a KeyUser for key 'lnbits' with LNbits' client pubkey", byUser["gone"].Repair);
        Assert.Equal(keys["someone else"].Pubkey, byUser["mismatch"].BunkerClientPubkey);
        Assert.Contains("signer_config.policy_id", byUser["policy"].Repair);
        Assert.Contains("not valid JSON", byUser["bad-json"].Evidence);
        Assert.Contains("checksum does not verify", byUser["bad-checksum"].Evidence);
        Assert.Contains("holds 16 bytes", byUser["short-key"].Evidence);
        Assert.Contains("no form the bunker issues", byUser["wrapper"].Evidence);
        Assert.All(verdicts.Where(v => v.Verdict != PairingVerdict.Healthy), v => Assert.True(v.NeedsAttention));
        Assert.All(verdicts.Where(v => v.Verdict != PairingVerdict.Healthy), v => Assert.NotNull(v.Repair));
        Assert.All(verdicts, v => Assert.False(v.RepairChangesIdentity));
        Assert.All(verdicts, v => Assert.Equal(bunker.Path, v.Path));
        Assert.DoesNotContain(verdicts, v => v.Token is { Length: > 10 });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SignerAccountsAreListedWithTheirDerivedPubkeyAndNeverTheirNsec(bool postgres)
    {
        var (_, accounts, keys) = Instance();
        var lnbits = _lnbits.Write(postgres, accounts);

        var listed = LnbitsSignerAccounts.Get(new LnbitsSignerAccountOptions { Database = lnbits }, new RecordingHost()).ToDictionary(a => a.Username!);

        Assert.Equal(accounts.Count(a => a.SignerConfig is not null), listed.Count);
        Assert.False(listed.ContainsKey("local"));
        var healthy = listed["healthy"];
        Assert.Equal(("acct-healthy", keys["own healthy"].Pubkey, keys["healthy"].Pubkey, true), (healthy.AccountId, healthy.AccountPubkey, healthy.ClientPubkey, healthy.Readable));
        Assert.EndsWith("…****", healthy.Token);
        Assert.False(listed["bad-json"].Readable);
        Assert.Contains("not valid JSON", listed["bad-json"].Problem);
        var text = string.Join("\n", listed.Values.Select(a => string.Join("|", typeof(LnbitsSignerAccount).GetProperties().Select(p => p.GetValue(a)))));
        Assert.All(keys.Values, key => Assert.DoesNotContain(key.Nsec, text));
        Assert.Equal(postgres ? lnbits : Path.GetFullPath(lnbits), healthy.LnbitsDatabase);
    }

    [Fact]
    public void TheSummaryCountsTheVerdictsAndNeedsAttentionWhenOneIsNotHealthy()
    {
        var (bunker, accounts, _) = Instance();
        var lnbits = _lnbits.Write(false, accounts);

        var summary = BunkerPairingTest.Summarize(new BunkerPairingTestOptions { BunkerDatabase = bunker.Path, LnbitsDatabase = lnbits, AsOf = bunker.Now }, new RecordingHost());

        Assert.Equal((14, 3, 3, 1, 1, 1, 1, 4, 1), (summary.Accounts, summary.Healthy, summary.Dangling, summary.IdentityMismatch, summary.PolicyMismatch,
            summary.Expired, summary.Revoked, summary.Malformed, summary.OrphanedKeyUser));
        Assert.True(summary.NeedsAttention);
    }

    [Fact]
    public void ADatabaseThatIsNotLnbitsIsRefusedWithItsOwnErrorId()
    {
        var bunker = BunkerFixture.Create(_dir.File("nsecbunker.db"));

        var noTable = Assert.Throws<LamassuOpsException>(() => LnbitsSignerAccounts.Get(new() { Database = bunker.Path }, new RecordingHost()).ToList());
        var missing = Assert.Throws<LamassuOpsException>(() => LnbitsSignerAccounts.Get(new() { Database = _dir.File("none.sqlite3") }, new RecordingHost()).ToList());
        var upstream = _dir.File("upstream.sqlite3");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={upstream};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE accounts (id TEXT PRIMARY KEY, username TEXT)";
            command.ExecuteNonQuery();
        }
        var noSigner = Assert.Throws<LamassuOpsException>(() => LnbitsSignerAccounts.Get(new() { Database = upstream }, new RecordingHost()).ToList());

        Assert.Equal(("LnbitsAccountsTableNotFound", "LnbitsDatabaseNotFound", "LnbitsSignerConfigNotFound"), (noTable.ErrorId, missing.ErrorId, noSigner.ErrorId));
        Assert.NotNull(noSigner.RecommendedAction);
    }
}
