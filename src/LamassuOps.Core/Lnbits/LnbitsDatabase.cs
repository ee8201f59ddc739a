using System.Data.Common;
using LamassuOps.Core.Postgres;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Core.Lnbits;

/// <summary>One row of LNbits' <c>accounts</c> with a signer_config, as text.</summary>
internal sealed record LnbitsAccountRow(string Id, string? Username, string? Pubkey, string SignerConfig);

/// <summary>
/// How an LNbits database is named: a PostgreSQL URL (LNBITS_DATABASE_URL), a libpq key=value connection string, or
/// else a file path (SQLite). A string that starts with a keyword and '=' (host=/run/postgresql dbname=lnbits) is a
/// connection string even if a file of that name exists: such a file is named ./host=x.
/// </summary>
public static class LnbitsDatabaseLocation
{
    /// <summary>Whether the database is PostgreSQL, named by a URL (postgres://, postgresql://, socket:) or a key=value string, rather than a file.</summary>
    public static bool IsPostgres(string database) => IsUrl(database) || PostgresUrl.IsConnectionString(database);

    private static bool IsUrl(string database) =>
        new[] { "postgres://", "postgresql://", "socket:" }.Any(scheme => database.StartsWith(scheme, StringComparison.OrdinalIgnoreCase));

    /// <summary>The database as it may be shown: a PostgreSQL URL or connection string with its password masked, a file path as it is.</summary>
    public static string Display(string database) =>
        IsUrl(database) ? PostgresUrl.MaskUrl(database)
        : PostgresUrl.IsConnectionString(database) ? PostgresUrl.MaskConnectionString(database)
        : database;

    /// <summary>The PostgreSQL endpoint and its name for display (the password masked); null for a file.</summary>
    internal static (string Name, PostgresEndpoint Endpoint)? Postgres(string database, IOperationHost host) =>
        IsUrl(database) ? (PostgresUrl.MaskUrl(database), PostgresUrl.Parse(database, host))
        : PostgresUrl.IsConnectionString(database) ? (PostgresUrl.MaskConnectionString(database), PostgresUrl.ParseConnectionString(database, host))
        : null;
}

/// <summary>
/// An LNbits database, read-only: SQLite (a file path, LNbits' default) or PostgreSQL (a URL, as LNBITS_DATABASE_URL
/// gives it, or a libpq key=value string; peer auth over the socket). The accounts table's columns are read from the database, not assumed: the
/// fork that adds signer_config is not public.
/// </summary>
internal sealed class LnbitsDatabase : IDisposable
{
    private const string Table = "accounts";
    private const string SignerColumn = "signer_config";
    private readonly DbConnection _connection;
    private readonly IReadOnlySet<string> _columns;

    private LnbitsDatabase(string name, DbConnection connection, IReadOnlySet<string> columns)
    {
        Name = name;
        _connection = connection;
        _columns = columns;
    }

    /// <summary>The file's full path, or the URL or connection string with its password masked.</summary>
    public string Name { get; }

    public static LnbitsDatabase Open(string database, IOperationHost host)
    {
        var (name, connection) = LnbitsDatabaseLocation.Postgres(database, host) is { } postgres
            ? (postgres.Name, PostgresConnector.OpenReadOnly(postgres.Endpoint, host))
            : OpenSqlite(database);
        try
        {
            var columns = Columns(connection, name);
            if (columns.Count == 0) throw LnbitsErrors.NoAccountsTable(name);
            if (!columns.Contains(SignerColumn)) throw LnbitsErrors.NoSignerConfig(name);
            if (!columns.Contains("id")) throw LnbitsErrors.UnreadableAccounts(name, "it has no id column");
            host.WriteVerbose($"Reading {Table} of '{name}' (columns: {string.Join(", ", columns.Order(StringComparer.Ordinal))}).");
            return new LnbitsDatabase(name, connection, columns);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The accounts with a signer_config (LNbits' RemoteBunkerSigner accounts), in id order, streamed.</summary>
    public IEnumerable<LnbitsAccountRow> Accounts(CancellationToken cancellationToken)
    {
        string Optional(string column) => _columns.Contains(column) ? $"CAST(\"{column}\" AS TEXT)" : "NULL";
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT CAST(id AS TEXT), {Optional("username")}, {Optional("pubkey")}, CAST({SignerColumn} AS TEXT) " +
                              $"FROM {Table} WHERE {SignerColumn} IS NOT NULL ORDER BY CAST(id AS TEXT)";
        using var reader = Guard(Name, command.ExecuteReader);
        while (Guard(Name, reader.Read))
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? Text(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
            if (Text(3) is not { } config || string.IsNullOrWhiteSpace(config)) continue;
            yield return new LnbitsAccountRow(reader.GetString(0), Text(1), Text(2), config);
        }
    }

    public void Dispose() => _connection.Dispose();

    private static (string, DbConnection) OpenSqlite(string path)
    {
        var fullPath = Path.GetFullPath(path);
        // Refused before anything opens it, as for the bunker's database: opening a FIFO would block forever.
        switch (FileStat.Of(fullPath).Kind)
        {
            case FileKind.Regular:
                break;
            case FileKind.Directory:
                throw LnbitsErrors.IsDirectory(fullPath);
            case FileKind.Missing or FileKind.ParentNotDirectory or FileKind.DanglingSymlink:
                throw LnbitsErrors.NotFound(fullPath);
            case FileKind.ParentAccessDenied:
                throw PathErrors.ParentAccessDenied(fullPath);
            case var kind:
                throw PathErrors.NotRegularFile(fullPath, kind);
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 5,
        }.ToString());
        try
        {
            Guard(fullPath, () =>
            {
                connection.Open();
                return 0;
            });
            return (fullPath, connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static HashSet<string> Columns(DbConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = connection is SqliteConnection
            ? $"SELECT name FROM pragma_table_info('{Table}')"
            : $"SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass('{Table}') AND attnum > 0 AND NOT attisdropped";
        using var reader = Guard(name, command.ExecuteReader);
        var columns = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read()) columns.Add(reader.GetString(0));
        return columns;
    }

    /// <summary>Runs a step of SQLite or PostgreSQL work; a database failure becomes an error naming the database.</summary>
    private static T Guard<T>(string name, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (DbException error)
        {
            throw LnbitsErrors.UnreadableAccounts(name, error.Message.TrimEnd('.'), error);
        }
    }
}
