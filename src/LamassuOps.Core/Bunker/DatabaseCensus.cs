using System.Text;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Core.Bunker;

/// <summary>The number of rows of one table.</summary>
public sealed class TableRowCount
{
    public required string Table { get; init; }

    public required long Rows { get; init; }
}

/// <summary>
/// What a database holds, in the terms a backup is verified by: its schema (every table, index and trigger
/// definition) and the row count of every table. Taken inside one read transaction it describes one snapshot.
/// </summary>
public sealed class DatabaseCensus
{
    private DatabaseCensus(string schema, IReadOnlyList<TableRowCount> tables)
    {
        Schema = schema;
        Tables = tables;
    }

    /// <summary>
    /// Every definition of sqlite_master, in type and name order. Kept as text, not hashed: it is a few KB, and it is only
    /// compared (a SHA-256 would load OpenSSL into the command, 5 MiB, for that alone).
    /// </summary>
    public string Schema { get; }

    public IReadOnlyList<TableRowCount> Tables { get; }

    public long TotalRows => Tables.Sum(t => t.Rows);

    public static DatabaseCensus Take(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        var schema = new StringBuilder();
        var tableNames = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                schema.Append(reader.GetString(0)).Append('\0').Append(reader.GetString(1)).Append('\0')
                    .Append(reader.GetString(2)).Append('\0').Append(reader.GetString(3)).Append('\n');
                if (reader.GetString(0) == "table") tableNames.Add(reader.GetString(1));
            }
        }

        var tables = new List<TableRowCount>(tableNames.Count);
        foreach (var table in tableNames)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var count = connection.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = $"SELECT count(*) FROM {TableFingerprint.Quote(table)}";
            tables.Add(new TableRowCount { Table = table, Rows = (long)count.ExecuteScalar()! });
        }
        return new DatabaseCensus(schema.ToString(), tables);
    }

    /// <summary>How <paramref name="other"/> differs from this census, in words; empty when it does not.</summary>
    public IReadOnlyList<string> DifferencesFrom(DatabaseCensus other)
    {
        var differences = new List<string>();
        if (!string.Equals(Schema, other.Schema, StringComparison.Ordinal)) differences.Add("the schema (tables, indexes, triggers) differs");
        var theirs = other.Tables.ToDictionary(t => t.Table, t => t.Rows, StringComparer.Ordinal);
        foreach (var table in Tables)
        {
            if (!theirs.Remove(table.Table, out var rows)) differences.Add($"table {table.Table} is missing");
            else if (rows != table.Rows) differences.Add($"{table.Table} has {rows} rows instead of {table.Rows}");
        }
        differences.AddRange(theirs.Keys.Select(t => $"table {t} is extra"));
        return differences;
    }
}
