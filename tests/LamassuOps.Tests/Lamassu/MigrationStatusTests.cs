using System.Text.Json;
using LamassuOps.Core;
using LamassuOps.Core.Lamassu;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Lamassu;

/// <summary>Get-LamassuMigrationStatus against lamassu's migrations table in a real PostgreSQL database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class MigrationStatusTests : IDisposable
{
    private const long FirstRun = 1_700_000_000_123;
    private readonly PostgresServer _server;
    private readonly string _root = Directory.CreateTempSubdirectory("lamassuops-migrations-").FullName;
    private readonly string _database = "lamassuops-migrations-" + Guid.NewGuid().ToString("N")[..8];

    public MigrationStatusTests(PostgresServer server)
    {
        _server = server;
        server.Execute($"""CREATE DATABASE "{_database}" """);
    }

    public void Dispose()
    {
        _server.Execute($"""DROP DATABASE "{_database}" WITH (FORCE)""");
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>lamassu-migrate's table, as node-migrate's postgres store creates it, with one state row.</summary>
    private void RecordState(string json)
    {
        _server.Execute("CREATE TABLE migrations (id serial PRIMARY KEY, data json NOT NULL)", _database);
        _server.Execute($"INSERT INTO migrations (id, data) VALUES (1, '{json.Replace("'", "''")}')", _database);
    }

    private static string State(string lastRun, params (string Title, long? Timestamp)[] migrations) =>
        JsonSerializer.Serialize(new
        {
            lastRun,
            migrations = migrations.Select(m => new { title = m.Title, description = (string?)null, timestamp = m.Timestamp }),
        });

    private LamassuPackageTree Package(bool v12, params string[] migrationFiles)
    {
        var tree = v12
            ? LamassuPackageTree.V12(Path.Combine(_root, "v12"), constantsPatch: false, typesafeDbPatch: false)
            : LamassuPackageTree.V10(Path.Combine(_root, "v10"), databaseUrlPatch: false);
        foreach (var file in migrationFiles) tree.Write(Path.Combine(tree.ServerDirectory, "migrations", file), "exports.up = function (next) { next() }\n");
        return tree;
    }

    private LamassuMigrationStatus Read(LamassuPackageTree package, RecordingHost? host = null) =>
        MigrationStatusReader.Read(new MigrationStatusOptions
        {
            PackagePath = package.Root, SocketDirectory = _server.SocketDirectory, Port = _server.Port, User = "postgres", Database = _database,
        }, host ?? new RecordingHost());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AppliedPendingAndMissingAgainstThePackagesFolder(bool v12)
    {
        var package = Package(v12, "001-initial.js", "002-add-cashbox.js", "004-rolled-back.js", "005-new.js", "helpers.js", "README.md");
        RecordState(State("002-add-cashbox.js", ("001-initial.js", FirstRun), ("002-add-cashbox.js", FirstRun + 60_000),
            ("003-removed-upstream.js", FirstRun + 120_000), ("004-rolled-back.js", null)));

        var status = Read(package);

        Assert.Equal(
            [
                ("001-initial.js", LamassuMigrationState.Applied), ("002-add-cashbox.js", LamassuMigrationState.Applied),
                ("003-removed-upstream.js", LamassuMigrationState.Missing), ("004-rolled-back.js", LamassuMigrationState.Pending),
                ("005-new.js", LamassuMigrationState.Pending),
            ],
            status.Migrations.Select(m => (m.Title, m.State)));
        Assert.Equal((2, 2, 1, false), (status.Applied, status.Pending, status.Missing, status.UpToDate));
        Assert.Equal("002-add-cashbox.js", status.LastRun);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(FirstRun), status.Migrations[0].AppliedAt);
        Assert.Null(status.Migrations[2].File);
        Assert.Equal(v12 ? "packages/server/migrations/001-initial.js" : "migrations/001-initial.js", status.Migrations[0].File);
        Assert.True(status.MigrationsTableExists);
    }

    [Fact]
    public void UpToDateWhenEveryFileIsApplied()
    {
        var package = Package(v12: true, "001-initial.js", "002-add-cashbox.js");
        RecordState(State("002-add-cashbox.js", ("001-initial.js", FirstRun), ("002-add-cashbox.js", FirstRun)));

        var status = Read(package);

        Assert.True(status.UpToDate);
        Assert.Equal(12, status.MinimumServerVersion);
        Assert.True(status.ServerVersionSupported);
        Assert.InRange(status.ServerVersionNumber, 150000, 159999);
        Assert.StartsWith("15.", status.ServerVersion);
    }

    [Fact]
    public void AFreshDatabaseHasEveryMigrationPending()
    {
        var status = Read(Package(v12: false, "001-initial.js", "002-add-cashbox.js"));

        Assert.False(status.MigrationsTableExists);
        Assert.All(status.Migrations, m => Assert.Equal(LamassuMigrationState.Pending, m.State));
        Assert.Null(status.LastRun);
    }

    [Theory]
    [InlineData("""{"lastRun": "x.js"}""")]
    [InlineData("""{"migrations": [{"description": "no title"}]}""")]
    [InlineData("""[1, 2]""")]
    public void StateThatIsNotNodeMigratesIsAnErrorAndNothingChanges(string json)
    {
        RecordState(json);

        var error = Assert.Throws<LamassuOpsException>(() => Read(Package(v12: false, "001-initial.js")));

        Assert.Equal("LamassuMigrationStateInvalid", error.ErrorId);
        using var connection = new Npgsql.NpgsqlConnection(_server.AdminConnectionString(_database));
        connection.Open();
        using var command = new Npgsql.NpgsqlCommand("SELECT data::text FROM migrations WHERE id = 1", connection);
        Assert.Equal(json, command.ExecuteScalar());
    }

    [Fact]
    public void ReadsThroughADatabaseUrlToo()
    {
        var package = Package(v12: false, "001-initial.js");
        RecordState(State("001-initial.js", ("001-initial.js", FirstRun)));
        var url = $"postgresql://postgres@/{_database}?host={_server.SocketDirectory}&port={_server.Port}";

        var status = MigrationStatusReader.Read(new MigrationStatusOptions { PackagePath = package.Root, DatabaseUrl = url }, new RecordingHost());

        Assert.Equal(_database, status.Database);
        Assert.True(status.UpToDate);
    }

    [Fact]
    public void AConnectionFailureCarriesThePeerAuthDiagnosis()
    {
        var package = Package(v12: false, "001-initial.js");

        var error = Assert.Throws<LamassuOpsException>(() => MigrationStatusReader.Read(new MigrationStatusOptions
        {
            PackagePath = package.Root, SocketDirectory = _server.SocketDirectory, Port = _server.Port, User = "postgres", Database = "lamassuops-no-db",
        }, new RecordingHost()));

        Assert.Equal("PeerAuthDatabaseMissing", error.ErrorId);
        Assert.Contains("ensureDatabases", error.RecommendedAction);
    }

    [Fact]
    public void APackageWithoutAMigrationsFolderIsAnError()
    {
        var error = Assert.Throws<LamassuOpsException>(() => Read(Package(v12: false)));

        Assert.Equal("LamassuMigrationsFolderNotFound", error.ErrorId);
    }

    [Theory]
    [InlineData(110022, 12, false)]
    [InlineData(119999, 12, false)]
    [InlineData(120000, 12, true)]
    [InlineData(150014, 12, true)]
    [InlineData(90624, null, true)]
    public void ServerVersionCheckOfLamassuMigrate(int serverVersionNumber, int? minimum, bool supported) =>
        Assert.Equal(supported, MigrationStatusReader.IsServerVersionSupported(serverVersionNumber, minimum));

    [Fact]
    public void CliJsonOutputAsTheServiceUser()
    {
        var package = Package(v12: true, "001-initial.js", "002-add-cashbox.js");
        RecordState(State("001-initial.js", ("001-initial.js", FirstRun)));
        _server.Execute($"""GRANT CONNECT ON DATABASE "{_database}" TO "{PostgresServer.ServiceUser}" """);
        _server.Execute($"""GRANT SELECT ON migrations TO "{PostgresServer.ServiceUser}" """, _database);
        ExternalProcess.RunChecked("chmod", "-R", "a+rX", _root);

        var result = _server.RunCliAs(PostgresServer.ServiceUser, "Get-LamassuMigrationStatus", package.Root,
            "--socket-directory", _server.SocketDirectory, "--port", _server.Port.ToString(), "--database", _database, "--json");
        var sameFromRoot = CliProcess.Run("Get-LamassuMigrationStatus", package.Root, "--database-url",
            $"postgresql://postgres@/{_database}?host={_server.SocketDirectory}&port={_server.Port}", "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var status = Assert.Single(result.JsonLines);
        Assert.Equal(1, status.GetProperty("Applied").GetInt32());
        Assert.Equal(1, status.GetProperty("Pending").GetInt32());
        Assert.Equal("Pending", status.GetProperty("Migrations")[1].GetProperty("State").GetString());
        Assert.Equal(FirstRun, status.GetProperty("Migrations")[0].GetProperty("AppliedAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.True(sameFromRoot.ExitCode == 0, sameFromRoot.Stderr);
        Assert.Equal(result.Stdout, sameFromRoot.Stdout);
    }
}
