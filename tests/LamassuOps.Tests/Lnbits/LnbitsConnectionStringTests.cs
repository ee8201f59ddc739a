using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Core.Lnbits;
using LamassuOps.Core.Postgres;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Fixtures.Lnbits;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Lnbits;

/// <summary>
/// -LnbitsDatabase (and Get-LnbitsSignerAccount -Database) as a libpq key=value connection string: read as libpq
/// itself reads it (PQconninfoParse, called directly), resolved as the URLs are, connected to the test PostgreSQL
/// (peer auth over the socket); bad strings are refused with a specific id and a string that starts with a keyword
/// and '=' is a connection string, not a file.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LnbitsConnectionStringTests(PostgresServer server) : IDisposable
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("host=/run/postgresql dbname=lnbits user=lnbits")]
    [InlineData("  host = /tmp/sock   port=5433 dbname='my db' user=lnbits  ")]
    [InlineData(@"host=/tmp dbname='it\'s here' user=a\ b")]
    [InlineData(@"dbname='back\\slash' sslmode=disable application_name=lamassuops connect_timeout=5")]
    [InlineData("host=localhost port=6543 dbname= user=lnbits")]
    [InlineData("host=/tmp password='s3cret pw' dbname=lnbits")]
    public void AConnectionStringIsReadAsLibpqReadsIt(string connectionString)
    {
        var (libpq, libpqError) = Libpq.Parse(connectionString);
        Assert.Null(libpqError);

        var endpoint = PostgresUrl.ParseConnectionString(connectionString, new RecordingHost(), NoEnvironment, "os-user");

        var read = new Dictionary<string, string>
        {
            ["host"] = endpoint.Host, ["port"] = endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["user"] = endpoint.Username, ["dbname"] = endpoint.Database, ["password"] = endpoint.Password ?? "",
        };
        foreach (var (name, value) in endpoint.Parameters) read[name] = value;
        Assert.All(libpq!.Where(given => given.Value.Length > 0), given => Assert.Equal(given.Value, read[given.Key]));
    }

    [Theory]
    [InlineData("host=/tmp dbname", "PostgresConnectionStringInvalid", "'dbname' has no '=value'")]
    [InlineData("host='/tmp dbname=lnbits", "PostgresConnectionStringInvalid", "no closing quote")]
    [InlineData("hots=/tmp dbname=lnbits", "PostgresConnectionStringUnknownKeyword", "'hots' is not a libpq connection keyword")]
    [InlineData("lnbits=database.sqlite3", "PostgresConnectionStringUnknownKeyword", "'lnbits' is not a libpq connection keyword")]
    [InlineData("host=/tmp port=54x2", "PostgresUrlInvalidPort", "is not a number")]
    public void ABadConnectionStringIsRefusedWithItsOwnIdAsLibpqRefusesIt(string connectionString, string errorId, string message)
    {
        var error = Assert.Throws<LamassuOpsException>(() => PostgresUrl.ParseConnectionString(connectionString, new RecordingHost(), NoEnvironment, "os-user"));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains(message, error.Message);
        // A port libpq only checks when it connects is refused as in a URL; the string's own errors are libpq's, with the fix.
        if (errorId == "PostgresUrlInvalidPort") return;
        Assert.NotNull(Libpq.Parse(connectionString).Error);
        Assert.False(string.IsNullOrEmpty(error.RecommendedAction));
    }

    [Fact]
    public void APasswordNeverAppearsInAnErrorOrTheNameShown()
    {
        var quoted = Assert.Throws<LamassuOpsException>(() => PostgresUrl.ParseConnectionString("host=/tmp password='hunter2 x", new RecordingHost()));
        Assert.DoesNotContain("hunter2", quoted.Message + quoted.RecommendedAction);

        Assert.Equal("host=/tmp password=**** dbname=lnbits sslpassword=****",
            PostgresUrl.MaskConnectionString("host=/tmp password=hunter2 dbname=lnbits sslpassword='a b'"));
        Assert.Equal("(unparsable connection string)", PostgresUrl.MaskConnectionString("host=/tmp password='hunter2"));
    }

    [Theory]
    [InlineData("host=x", true)]
    [InlineData(" dbname = lnbits", true)]
    [InlineData("lnbits=1.sqlite3", true)]
    [InlineData("./host=x", false)]
    [InlineData("/var/lib/lnbits/host=x", false)]
    [InlineData("data/database.sqlite3", false)]
    [InlineData("database.sqlite3", false)]
    [InlineData("postgresql:///lnbits?host=/run/postgresql", true)]
    public void AStringThatStartsWithAKeywordAndEqualsIsPostgresAPathIsAFile(string database, bool postgres) =>
        Assert.Equal(postgres, LnbitsDatabaseLocation.IsPostgres(database));

    /// <summary>The accounts read through a key=value string are the URL's; the name shown is the string, its password masked.</summary>
    [Fact]
    public void TheSignerAccountsAreReadThroughAConnectionStringAsThroughTheUrl()
    {
        var lnbits = new LnbitsDatabases(server, _dir);
        try
        {
            var key = NostrTestKey.Generate();
            var url = lnbits.Write(postgres: true, [new LnbitsTestAccount("acct-alice", "alice", LnbitsFixture.SignerConfig(BunkerFixture.Hex("token"), key, 1))]);
            var database = new Uri(url).AbsolutePath.TrimStart('/');
            var connectionString = $"host='{server.SocketDirectory}' port={server.Port} dbname={database} user=postgres password='not used by peer auth'";

            var fromUrl = Assert.Single(LnbitsSignerAccounts.Get(new LnbitsSignerAccountOptions { Database = url }, new RecordingHost()).ToList());
            var host = new RecordingHost();
            var fromString = Assert.Single(LnbitsSignerAccounts.Get(new LnbitsSignerAccountOptions { Database = connectionString }, host).ToList());

            Assert.Equal((fromUrl.AccountId, fromUrl.ClientPubkey), (fromString.AccountId, fromString.ClientPubkey));
            Assert.Equal(key.Pubkey, fromString.ClientPubkey);
            Assert.Equal($"host='{server.SocketDirectory}' port={server.Port} dbname={database} user=postgres password=****", fromString.LnbitsDatabase);
            Assert.DoesNotContain("not used", host.AllMessages);
            Assert.Empty(host.Warnings);
        }
        finally
        {
            lnbits.Dispose();
        }
    }

    /// <summary>A strip with its LNbits proof through a key=value string: the proof runs against PostgreSQL as with a URL.</summary>
    [Fact]
    public void TheStripTakesItsLnbitsProofThroughAConnectionString()
    {
        var lnbits = new LnbitsDatabases(server, _dir);
        try
        {
            var bunker = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.ForkTokenRevokedAt);
            var policy = bunker.CreatePolicy("lnbits-default", new FixtureRule("sign_event", "1"));
            var key = NostrTestKey.Generate();
            var token = bunker.CreateToken("lnbits", "alice", policy);
            bunker.RedeemToken(token, key.Pubkey);
            bunker.UpgradeTo(BunkerFixtureSchema.LiveGrant);
            var url = lnbits.Write(postgres: true, [new LnbitsTestAccount("acct-alice", "alice", LnbitsFixture.SignerConfig(token.Value, key, policy))]);
            var connectionString = $"host={server.SocketDirectory} port={server.Port} dbname={new Uri(url).AbsolutePath.TrimStart('/')} user=postgres";
            var host = new RecordingHost();

            var removal = Assert.Single(new StaleSigningConditionStrip().Run(new RemoveStaleSigningConditionOptions
            {
                Path = bunker.Path, AsOf = bunker.Now.AddDays(60), NoBackup = true, LnbitsDatabase = connectionString,
            }, host).ToList());

            Assert.True(removal.Removed > 0);
            Assert.Contains(host.Verbose, v => v.StartsWith("Checked inside the transaction: 1 Healthy LNbits pairing(s) of 'host=", StringComparison.Ordinal));
        }
        finally
        {
            lnbits.Dispose();
        }
    }
}
