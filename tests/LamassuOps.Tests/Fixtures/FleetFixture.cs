using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Fixtures.Lnbits;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Fixtures;

/// <summary>
/// Several instances on one host, generated: "healthy" (a live-grant bunker with one healthy pairing, its LNbits
/// database and a fresh verified backup), "sample" (the shipped sample bunker and LNbits: copies to strip, pairings
/// not Healthy, old rows, no backup), "missing" (no database file), "corrupt" (a file that is no SQLite database), and
/// fleet.json naming them with paths relative to it.
/// </summary>
public sealed class FleetFixture
{
    /// <summary>The moment the checks are made at: after the sample's newest rows by more than the prunes' ages.</summary>
    public static readonly DateTimeOffset Now = new(2026, 9, 1, 12, 0, 0, TimeSpan.Zero);

    private FleetFixture(string inventory, string healthyBunker, string sampleBunker) =>
        (Inventory, HealthyBunker, SampleBunker) = (inventory, healthyBunker, sampleBunker);

    public string Inventory { get; }

    public string HealthyBunker { get; }

    public string SampleBunker { get; }

    public static FleetFixture Create(ScratchDirectory dir)
    {
        Directory.CreateDirectory(dir.File("healthy"));
        var bunker = BunkerFixture.Create(dir.File("healthy", "nsecbunker.db"));
        var policy = bunker.CreatePolicy("lnbits-default", new FixtureRule("sign_event", "1"));
        var client = NostrTestKey.FromSeed("fleet healthy");
        var token = bunker.CreateToken("lnbits", "LNbits healthy", policy);
        bunker.RedeemToken(token, client.Pubkey);
        LnbitsFixture.WriteSqlite(dir.File("healthy", "database.sqlite3"),
            [new LnbitsTestAccount("acct-healthy", "healthy", LnbitsFixture.SignerConfig(token.Value, client, policy))]);
        BackupBunkerDatabaseOperation.Run(new BackupBunkerDatabaseOptions { Path = bunker.Path, Now = Now.AddHours(-2) }, new RecordingHost()).ToList();

        Directory.CreateDirectory(dir.File("sample"));
        BunkerSample.Load(dir.File("sample", "nsecbunker.db"));
        using (var lnbits = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={dir.File("sample", "lnbits.sqlite3")};Pooling=False"))
        {
            lnbits.Open();
            using var command = lnbits.CreateCommand();
            command.CommandText = File.ReadAllText(RepositoryPaths.Combine(LnbitsSample.RelativePath.Split('/')));
            command.ExecuteNonQuery();
        }

        Directory.CreateDirectory(dir.File("corrupt"));
        File.WriteAllText(dir.File("corrupt", "nsecbunker.db"), "not a database\n");

        var inventory = dir.File("fleet.json");
        File.WriteAllText(inventory, """
            {
              "instances": [
                { "name": "healthy", "bunkerDatabase": "healthy/nsecbunker.db", "lnbitsDatabase": "healthy/database.sqlite3", "tags": ["eu", "atm"] },
                { "name": "sample", "bunkerDatabase": "sample/nsecbunker.db", "lnbitsDatabase": "sample/lnbits.sqlite3", "tags": ["eu"] },
                { "name": "missing", "bunkerDatabase": "missing/nsecbunker.db", "tags": ["us"] },
                { "name": "corrupt", "bunkerDatabase": "corrupt/nsecbunker.db", "tags": ["us", "atm"] }
              ]
            }
            """);
        return new FleetFixture(inventory, dir.File("healthy", "nsecbunker.db"), dir.File("sample", "nsecbunker.db"));
    }
}
