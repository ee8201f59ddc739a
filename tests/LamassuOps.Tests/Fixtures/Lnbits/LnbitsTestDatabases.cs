using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Fixtures.Lnbits;

/// <summary>
/// A test's LNbits databases: an SQLite file in its scratch directory, or a new database on the test PostgreSQL
/// (peer auth), dropped again on Dispose.
/// </summary>
public sealed class LnbitsTestDatabases(PostgresServer server, ScratchDirectory dir) : IDisposable
{
    private readonly List<string> _databases = [];

    /// <summary>Writes the accounts; the SQLite file's path or the PostgreSQL URL.</summary>
    public string Write(bool postgres, IEnumerable<LnbitsTestAccount> accounts)
    {
        if (!postgres) return LnbitsFixture.WriteSqlite(dir.File("database.sqlite3"), accounts);
        var name = "lamassuops-lnbits-" + Guid.NewGuid().ToString("N")[..8];
        _databases.Add(name);
        return LnbitsFixture.WritePostgres(server, name, accounts);
    }

    public void Dispose()
    {
        foreach (var database in _databases) server.Execute($"""DROP DATABASE "{database}" WITH (FORCE)""");
    }
}
