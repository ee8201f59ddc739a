using System.Text;
using System.Text.Json;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Postgres.Support;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Tests.Fixtures.Lnbits;

/// <summary>One LNbits account row: signer_config is the JSON text as the fork stores it (null: no remote signer).</summary>
public sealed record LnbitsTestAccount(string Id, string Username, string? SignerConfig, string? Pubkey = null);

/// <summary>
/// An LNbits core database with upstream's accounts table (lnbits/core/migrations.py) plus the fork's signer_config,
/// as portable SQL that runs on SQLite and PostgreSQL alike.
/// </summary>
public static class LnbitsFixture
{
    public const string Schema = """
        CREATE TABLE accounts (
            id TEXT PRIMARY KEY,
            email TEXT,
            password_hash TEXT,
            username TEXT,
            extra TEXT,
            created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
            updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
            pubkey TEXT,
            access_control_list TEXT,
            external_id TEXT,
            ui_customization TEXT,
            activated BOOLEAN NOT NULL DEFAULT TRUE,
            signer_config TEXT
        );
        """;

    /// <summary>signer_config as RemoteBunkerSigner writes it: {token, client_nsec, policy_id}.</summary>
    public static string SignerConfig(string token, NostrTestKey client, long policyId) =>
        JsonSerializer.Serialize(new { token, client_nsec = client.Nsec, policy_id = policyId });

    public static string Sql(IEnumerable<LnbitsTestAccount> accounts)
    {
        var sql = new StringBuilder(Schema).Append('\n');
        foreach (var account in accounts)
            sql.Append("INSERT INTO accounts (id, username, email, pubkey, extra, signer_config) VALUES (")
                .Append(string.Join(", ", new[] { account.Id, account.Username, account.Username + "@lnbits.example", account.Pubkey, "{}", account.SignerConfig }.Select(Literal)))
                .Append(");\n");
        return sql.ToString();
    }

    private static string Literal(string? value) => value is null ? "NULL" : "'" + value.Replace("'", "''") + "'";

    /// <summary>Writes the accounts into a new SQLite file; returns its path.</summary>
    public static string WriteSqlite(string path, IEnumerable<LnbitsTestAccount> accounts)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = Sql(accounts);
        command.ExecuteNonQuery();
        return path;
    }

    /// <summary>Creates a new database on the test server holding the accounts; returns its peer-auth URL (as root: role postgres).</summary>
    public static string WritePostgres(PostgresServer server, string database, IEnumerable<LnbitsTestAccount> accounts)
    {
        server.Execute($"""CREATE DATABASE "{database}" """);
        server.Execute(Sql(accounts), database);
        return Url(server, database);
    }

    public static string Url(PostgresServer server, string database) =>
        $"postgresql://postgres@localhost:{server.Port}/{database}?host={Uri.EscapeDataString(server.SocketDirectory)}";
}

/// <summary>
/// The LNbits databases one test writes: SQLite files in its scratch directory, or databases on the test PostgreSQL,
/// which are dropped when it is disposed.
/// </summary>
public sealed class LnbitsDatabases(PostgresServer server, ScratchDirectory directory) : IDisposable
{
    private readonly List<string> _postgres = [];

    /// <summary>A new database holding the accounts: a file path, or a peer-auth URL.</summary>
    public string Write(bool postgres, IEnumerable<LnbitsTestAccount> accounts)
    {
        if (!postgres) return LnbitsFixture.WriteSqlite(directory.File($"lnbits-{Guid.NewGuid():N}.sqlite3"), accounts);
        var name = "lamassuops-lnbits-" + Guid.NewGuid().ToString("N")[..8];
        _postgres.Add(name);
        return LnbitsFixture.WritePostgres(server, name, accounts);
    }

    public void Dispose()
    {
        foreach (var database in _postgres) server.Execute($"""DROP DATABASE "{database}" WITH (FORCE)""");
    }
}
