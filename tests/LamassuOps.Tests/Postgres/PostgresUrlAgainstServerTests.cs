using System.Text.RegularExpressions;
using LamassuOps.Core.Postgres;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Postgres.Support;
using Npgsql;

namespace LamassuOps.Tests.Postgres;

/// <summary>
/// Defaults are what libpq applies when it connects (PQconninfoParse leaves them out), so these URLs are given to a
/// real psql against the test server, and its \conninfo is compared with the parser's result; the Npgsql connection
/// string from the same URL must reach the same session.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class PostgresUrlAgainstServerTests(PostgresServer server)
{
    [GeneratedRegex("""connected to database "(?<db>[^"]*)" as user "(?<user>[^"]*)" via socket in "(?<host>[^"]*)" at port "(?<port>\d+)"\.""")]
    private static partial Regex ConnInfo();

    [Fact]
    public void PsqlConnectsWhereTheParserSaysAndSoDoesItsNpgsqlString()
    {
        var socket = server.SocketDirectory;
        var port = server.Port.ToString();
        var cases = new (string Url, Dictionary<string, string?> Environment)[]
        {
            ($"postgresql://postgres@{Uri.EscapeDataString(socket)}:{port}/postgres", []),
            ($"postgresql:///?host={socket}&port={port}&user=postgres", []),
            ("postgresql://postgres@/", new() { ["PGHOST"] = socket, ["PGPORT"] = port }),
            ("postgresql:///postgres", new() { ["PGHOST"] = socket, ["PGPORT"] = port, ["PGUSER"] = "postgres" }),
            ($"postgres://postgres:@{Uri.EscapeDataString(socket)}:{port}/{PostgresServer.ServiceUser}", []),
        };

        foreach (var (url, environment) in cases)
        {
            var psqlEnvironment = new Dictionary<string, string?>
            {
                ["PGHOST"] = null, ["PGPORT"] = null, ["PGUSER"] = null, ["PGDATABASE"] = null, ["PGSERVICE"] = null,
            };
            foreach (var (name, value) in environment) psqlEnvironment[name] = value;
            var psql = ExternalProcess.Run("psql", ["-X", "-c", @"\conninfo", url], environment: psqlEnvironment);
            Assert.True(psql.ExitCode == 0, url + ": " + psql.Describe());
            var libpq = ConnInfo().Match(psql.Stdout);
            Assert.True(libpq.Success, psql.Stdout);

            var ours = PostgresUrl.Parse(url, new RecordingHost(), environment, "root");

            Assert.Equal((libpq.Groups["host"].Value, libpq.Groups["port"].Value, libpq.Groups["user"].Value, libpq.Groups["db"].Value),
                (ours.Host, ours.Port.ToString(), ours.Username, ours.Database));
            using var connection = new NpgsqlConnection(ours.ToNpgsqlConnectionString(maskSecrets: false, pooling: false));
            connection.Open();
            using var command = new NpgsqlCommand("SELECT current_user || '/' || current_database()", connection);
            Assert.Equal($"{ours.Username}/{ours.Database}", command.ExecuteScalar());
        }
    }
}
