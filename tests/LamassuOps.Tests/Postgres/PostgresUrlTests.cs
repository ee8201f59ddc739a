using LamassuOps.Core;
using LamassuOps.Core.Postgres;
using LamassuOps.Tests.Postgres.Support;
using Npgsql;

namespace LamassuOps.Tests.Postgres;

public sealed class PostgresUrlTests
{
    private static readonly IReadOnlyDictionary<string, string?> NoPgVariables = new Dictionary<string, string?>();

    /// <summary>URLs on which libpq and node-postgres agree; the parser must agree with both.</summary>
    public static readonly string[] AgreedUrls =
    [
        "postgres://lamassu:@%2Frun%2Fpostgresql:5432/lamassu",
        "postgresql://lamassu@/lamassu?host=/run/postgresql",
        "postgresql://lamassu-server@/lamassu?host=%2Frun%2Fpostgresql&port=5433",
        "postgresql://u:pw@127.0.0.1:5433/db",
        "postgres://u@localhost/db?port=6543",
        "postgresql://%75ser@db.example/d%62",
        "postgresql://u@h/db?host=/tmp/sock",
        "postgresql:///db?host=/var/run/postgresql&user=x",
        "postgres://u:p%40ss%3Aw0rd@h:1/db",
        "postgresql://u@h/db?sslmode=require&application_name=app",
        "postgresql://u@h:5432",
        "postgres://h/db",
        "postgresql://u@h/caf%C3%A9",
    ];

    private static PostgresEndpoint Parse(string url, RecordingHost? host = null) =>
        PostgresUrl.Parse(url, host ?? new RecordingHost(), NoPgVariables, "root");

    [Fact]
    public void AgreesWithNodePostgresOnHostPortUserDatabaseAndPassword()
    {
        var node = NodePostgres.Parse(AgreedUrls, TestPaths.NodeModulesNew);

        foreach (var expected in node)
        {
            Assert.True(expected.Ok, expected.Url + ": " + expected.Error);
            var ours = Parse(expected.Url);
            var resolved = expected.Resolved!;
            Assert.Equal((resolved.Host, resolved.Port, resolved.User, resolved.Database),
                (ours.Host, ours.Port.ToString(), ours.Username, ours.Database));
            Assert.Equal(resolved.Password, ours.Password);
        }
    }

    [Fact]
    public void AgreesWithLibpqOnEveryPartTheUrlGives()
    {
        foreach (var url in AgreedUrls.Where(u => u.StartsWith("postgres", StringComparison.Ordinal)))
        {
            var (libpq, error) = Libpq.Parse(url);
            Assert.True(libpq is not null, url + ": " + error);
            var ours = Parse(url);

            void Same(string keyword, string part, string value)
            {
                if (libpq.TryGetValue(keyword, out var given)) Assert.True(given == value, $"{url}: libpq {keyword}={given}, ours {value}");
                else Assert.True(ours.Defaulted.Contains(part), $"{url}: libpq has no {keyword}, ours did not mark {part} defaulted");
            }

            Same("host", "Host", ours.Host);
            Same("port", "Port", ours.Port.ToString());
            Same("user", "Username", ours.Username);
            Same("dbname", "Database", ours.Database);
            Assert.Equal(libpq.GetValueOrDefault("password"), ours.Password);
            foreach (var (name, value) in ours.Parameters) Assert.Equal(libpq[name], value);
        }
    }

    [Fact]
    public void UnencodedSocketPathIsRefusedSayingWhatNodePostgresWouldDo()
    {
        const string url = "postgres://lamassu:@/run/postgresql:5432/lamassu";
        var node = NodePostgres.Parse([url], TestPaths.NodeModulesNew).Single().Resolved!;
        Assert.Equal("localhost", node.Host);

        var error = Assert.Throws<LamassuOpsException>(() => Parse(url));

        Assert.Equal("PostgresUrlUnencodedSocketPath", error.ErrorId);
        Assert.Contains($"connect to {node.Host} over TCP", error.Message);
        Assert.Contains($"'{node.Database}'", error.Message);
        Assert.Contains("%2Frun%2Fpostgresql", error.RecommendedAction);
    }

    [Theory]
    [InlineData("postgres://undefined:undefined@undefined:undefined/undefined", "POSTGRES_PORT", "fail to parse")]
    [InlineData("postgres://lamassu:undefined@%2Frun%2Fpostgresql:5432/lamassu", "POSTGRES_PASSWORD", "send the password 'undefined'")]
    [InlineData("postgres://lamassu:@undefined:5432/lamassu", "POSTGRES_HOST", "host named 'undefined'")]
    [InlineData("postgres://lamassu:@%2Frun%2Fpostgresql:5432/undefined", "POSTGRES_DB", "database named 'undefined'")]
    public void UndefinedPartsFromUnsetVariablesAreRefused(string url, string variable, string effect)
    {
        var error = Assert.Throws<LamassuOpsException>(() => Parse(url));

        Assert.Equal("PostgresUrlUndefinedPart", error.ErrorId);
        Assert.Contains(variable, error.Message);
        Assert.Contains(effect, error.Message);
    }

    [Fact]
    public void UndefinedPartsMatchWhatNodePostgresReallyDoes()
    {
        var node = NodePostgres.Parse(
            ["postgres://undefined:undefined@undefined:undefined/undefined", "postgres://lamassu:undefined@%2Frun%2Fpostgresql:5432/lamassu"],
            TestPaths.NodeModulesNew);

        Assert.False(node[0].Ok);
        Assert.Equal("undefined", node[1].Resolved!.Password);
    }

    [Fact]
    public void NoHostMeansTheDefaultSocketForLibpqButLocalhostForNodeAndSaysSo()
    {
        var host = new RecordingHost();
        var node = NodePostgres.Parse(["postgresql:///lamassu"], TestPaths.NodeModulesNew).Single().Resolved!;

        var ours = Parse("postgresql:///lamassu", host);

        Assert.Equal("localhost", node.Host);
        Assert.Equal(PostgresEndpoint.DefaultSocketDirectory, ours.Host);
        Assert.Contains("Host", ours.Defaulted);
        Assert.Contains(host.Warnings, w => w.Contains("localhost over TCP") && w.Contains("?host=/run/postgresql"));
    }

    [Fact]
    public void SocketFormOfNodePostgres()
    {
        var url = "socket:/run/postgresql?db=lamassu&user=lamassu-server";
        var node = NodePostgres.Parse([url], TestPaths.NodeModulesNew).Single().Resolved!;

        var ours = Parse(url);

        Assert.Equal((node.Host, node.Port, node.User, node.Database), (ours.Host, ours.Port.ToString(), ours.Username, ours.Database));
        Assert.True(ours.IsUnixSocket);
        Assert.Equal("/run/postgresql/.s.PGSQL.5432", ours.SocketPath);
    }

    [Fact]
    public void QueryPortIsReadButOldNodePostgresIgnoresItAndTheWarningSaysSo()
    {
        const string url = "postgresql://u@/db?host=/run/x&port=5433";
        var host = new RecordingHost();
        var old = NodePostgres.Parse([url], TestPaths.NodeModulesOld).Single().Resolved!;

        var ours = Parse(url, host);

        Assert.Equal(5433, ours.Port);
        Assert.Equal("5432", old.Port);
        Assert.Contains(host.Warnings, w => w.Contains("ignores ?port=") && w.Contains("postgresql://USER@localhost:5433/DATABASE?host=DIRECTORY"));
    }

    [Fact]
    public void PgVariablesFillWhatTheUrlLeavesOut()
    {
        var environment = new Dictionary<string, string?>
        {
            ["PGHOST"] = "/tmp/pgsock", ["PGPORT"] = "5499", ["PGUSER"] = "alice", ["PGDATABASE"] = "shop",
        };

        var ours = PostgresUrl.Parse("postgresql://", new RecordingHost(), environment, "root");

        Assert.Equal(("/tmp/pgsock", 5499, "alice", "shop"), (ours.Host, ours.Port, ours.Username, ours.Database));
        Assert.Equal(["Host", "Port", "Username", "Database"], ours.Defaulted);
    }

    [Fact]
    public void QueryParametersOverrideUriPartsWithAWarningForTheHost()
    {
        var host = new RecordingHost();

        var ours = Parse("postgresql://a@h1:1/d1?host=/s&port=2&user=b&dbname=d2", host);

        Assert.Equal(("/s", 2, "b", "d2"), (ours.Host, ours.Port, ours.Username, ours.Database));
        Assert.Contains(host.Warnings, w => w.Contains("overrides the URL's host 'h1'"));
        Assert.Contains(host.Warnings, w => w.Contains("?dbname= is honoured by libpq but ignored by node-postgres"));
    }

    [Theory]
    [InlineData("", "PostgresUrlEmpty")]
    [InlineData("mysql://u@h/db", "PostgresUrlInvalidScheme")]
    [InlineData("/run/postgresql lamassu", "PostgresUrlInvalidScheme")]
    [InlineData("postgresql://u@h1,h2/db", "PostgresUrlMultipleHosts")]
    [InlineData("postgresql://u@h:1,h2:2/db", "PostgresUrlMultipleHosts")]
    [InlineData("postgresql://u@h:port/db", "PostgresUrlInvalidPort")]
    [InlineData("postgresql://u@h:70000/db", "PostgresUrlInvalidPort")]
    [InlineData("postgresql://u@h/d%zz", "PostgresUrlInvalid")]
    [InlineData("postgresql://u@h/d%00b", "PostgresUrlInvalid")]
    [InlineData("postgresql://u@h/db?sslmode", "PostgresUrlInvalid")]
    [InlineData("postgresql://u@[::1/db", "PostgresUrlInvalid")]
    [InlineData("socket:relative?db=x", "PostgresUrlInvalid")]
    public void MalformedUrlsGetSpecificErrors(string url, string errorId)
    {
        var error = Assert.Throws<LamassuOpsException>(() => Parse(url));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void LibpqRefusesTheSameMalformedUrls()
    {
        foreach (var url in new[] { "postgresql://u@h/d%zz", "postgresql://u@h/d%00b", "postgresql://u@h/db?sslmode", "postgresql://u@[::1/db" })
            Assert.NotNull(Libpq.Parse(url).Error);
    }

    [Fact]
    public void PasswordsAreMaskedEverywhereUnlessIncludeSecret()
    {
        const string secret = "hunter2-very-secret";
        const string url = $"postgresql://lamassu:{secret}@127.0.0.1:5432/lamassu?sslpassword={secret}x&password={secret}";
        var host = new RecordingHost();

        var masked = PostgresUrl.Convert(new PostgresUrlOptions { Url = url, Environment = NoPgVariables }, host);
        var shown = PostgresUrl.Convert(new PostgresUrlOptions { Url = url, IncludeSecret = true, Environment = NoPgVariables }, host);

        var everything = string.Join("\n", masked.Url, masked.Password, masked.NpgsqlConnectionString,
            string.Join(",", masked.Parameters.Select(p => p.Value)), host.AllMessages);
        Assert.DoesNotContain("hunt", everything);
        Assert.Equal("****", masked.Password);
        Assert.Equal("postgresql://lamassu:****@127.0.0.1:5432/lamassu?sslpassword=****&password=****", masked.Url);
        Assert.Equal("****", new NpgsqlConnectionStringBuilder(masked.NpgsqlConnectionString).Password);
        Assert.Equal(secret, shown.Password);
        Assert.Equal(url, shown.Url);
        var builder = new NpgsqlConnectionStringBuilder(shown.NpgsqlConnectionString);
        Assert.Equal(secret, builder.Password);
        Assert.Equal(secret + "x", builder.SslPassword);
    }

    [Theory]
    [InlineData("postgresql://lamassu:se/cret-pw@127.0.0.1:5432/lamassu")]
    [InlineData("postgresql://lamassu:se?cret-pw@127.0.0.1:5432/lamassu")]
    [InlineData("postgresql://lamassu:se#cret-pw@127.0.0.1:5432/lamassu")]
    [InlineData("postgresql://lamassu:secret-pw@127.0.0.1:54x2/lamassu")]
    public void MistypedPasswordsAreRefusedWithoutEchoingThem(string url)
    {
        var host = new RecordingHost();

        var error = Assert.Throws<LamassuOpsException>(() => Parse(url, host));

        Assert.DoesNotContain("cret", error.Message + error.RecommendedAction + host.AllMessages);
    }

    [Fact]
    public void AnAtSignInsideAQueryValueIsFine()
    {
        var ours = Parse("postgresql://u@h/db?application_name=ops@host");

        Assert.Equal("ops@host", Assert.Single(ours.Parameters).Value);
    }

    [Fact]
    public void AnEmptyPasswordIsNoneAsForLibpqAndNodePostgres()
    {
        var info = PostgresUrl.Convert(new PostgresUrlOptions { Url = "postgres://lamassu:@%2Frun%2Fpostgresql:5432/lamassu", Environment = NoPgVariables },
            new RecordingHost());

        Assert.Null(info.Password);
        Assert.Null(new NpgsqlConnectionStringBuilder(info.NpgsqlConnectionString).Password);
    }

    [Fact]
    public void NpgsqlConnectionStringCarriesEveryPart()
    {
        var host = new RecordingHost();
        var info = PostgresUrl.Convert(new PostgresUrlOptions
        {
            Url = "postgresql://lamassu@/lamassu;x?host=/run/postgresql&port=5433&sslmode=verify-full&application_name=lamassu%20server&keepalives=1",
            Environment = NoPgVariables,
        }, host);

        var builder = new NpgsqlConnectionStringBuilder(info.NpgsqlConnectionString);
        Assert.Equal(("/run/postgresql", 5433, "lamassu", "lamassu;x"), (builder.Host, builder.Port, builder.Username, builder.Database));
        Assert.Equal(SslMode.VerifyFull, builder.SslMode);
        Assert.Equal("lamassu server", builder.ApplicationName);
        Assert.Contains(host.Warnings, w => w.Contains("'keepalives' has no Npgsql equivalent"));
    }
}
