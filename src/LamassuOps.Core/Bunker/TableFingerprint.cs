using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Core.Bunker;

/// <summary>
/// The exact content of one table: its row count and a SHA-256 over its column names and every row in rowid
/// order, each value with its SQLite storage class and its exact bytes (integers and reals bit for bit, text
/// and blobs as stored). Two fingerprints are equal only when the tables are byte-for-byte the same. Rows are
/// streamed, never held in memory. Rows whose rowid is in <c>skippedRowids</c> are left out (the rows an operation
/// means to change), so the rest can be proven byte-for-byte unchanged.
/// </summary>
public sealed record TableFingerprint(string Table, long Rows, string Sha256)
{
    public static TableFingerprint Compute(SqliteConnection connection, string table, SqliteTransaction? transaction,
        CancellationToken cancellationToken, IReadOnlySet<long>? skippedRowids = null)
    {
        var columns = ColumnNames(connection, table, transaction);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var column in columns) AppendText(hash, column);

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT " + string.Join(", ", columns.Select(c => $"typeof({Quote(c)}), {Quote(c)}"))
            + (skippedRowids is null ? "" : ", rowid") + $" FROM {Quote(table)} ORDER BY rowid";
        using var reader = command.ExecuteReader();
        long rows = 0;
        Span<byte> number = stackalloc byte[8];
        while (reader.Read())
        {
            if (skippedRowids is not null && skippedRowids.Contains(reader.GetInt64(2 * columns.Count))) continue;
            if ((++rows & 0xFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < columns.Count; i++)
            {
                var storageClass = reader.GetString(2 * i);
                hash.AppendData([(byte)storageClass[0]]);
                var value = 2 * i + 1;
                switch (storageClass)
                {
                    case "integer":
                        BinaryPrimitives.WriteInt64LittleEndian(number, reader.GetInt64(value));
                        hash.AppendData(number);
                        break;
                    case "real":
                        BinaryPrimitives.WriteDoubleLittleEndian(number, reader.GetDouble(value));
                        hash.AppendData(number);
                        break;
                    case "text":
                    case "blob":
                        AppendBytes(hash, reader.GetFieldValue<byte[]>(value));
                        break;
                }
            }
        }
        return new TableFingerprint(table, rows, Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant());
    }

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static List<string> ColumnNames(SqliteConnection connection, string table, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT name FROM pragma_table_info($table) ORDER BY cid";
        command.Parameters.AddWithValue("$table", table);
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    private static void AppendText(IncrementalHash hash, string text) => AppendBytes(hash, Encoding.UTF8.GetBytes(text));

    /// <summary>Length-prefixed, so ("ab","c") and ("a","bc") hash differently.</summary>
    private static void AppendBytes(IncrementalHash hash, byte[] bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
