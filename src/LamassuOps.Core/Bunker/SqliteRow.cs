using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using static SQLitePCL.raw;

namespace LamassuOps.Core.Bunker;

/// <summary>
/// One query's statement and the row it stands on, for <see cref="BunkerDatabase.Query{T}"/>: read with the names and
/// meanings of <see cref="SqliteDataReader"/> (GetValue gives long, double, string, byte[] or DBNull; a Get of a NULL
/// throws; GetString of a number gives its text), one call into SQLite a column.
/// </summary>
/// <remarks>
/// Why not SqliteDataReader: it makes three to five calls into SQLite for each column it reads (the column count,
/// the type, often twice, then the value), each through SQLitePCLRaw's SafeHandle with its reference count. At a million
/// rows of twelve columns that is about 2.5 s against 0.4 s this way (docs/benchmarks.md, twelfth pass). The column
/// functions are called on the statement's pointer without a GC transition: they neither block nor call back, and the
/// statement is this object's, finalized only by <see cref="Dispose"/>. Prepare and step go through SQLitePCLRaw, whose
/// errors Microsoft.Data.Sqlite turns into the same <see cref="SqliteException"/> its own reader throws.
/// </remarks>
public sealed class SqliteRow : IDisposable
{
    private const string Library = "e_sqlite3";

    private readonly sqlite3 _connection;
    private readonly sqlite3_stmt _statement;
    private readonly IntPtr _handle;

    private SqliteRow(sqlite3 connection, sqlite3_stmt statement)
    {
        _connection = connection;
        _statement = statement;
        _handle = statement.DangerousGetHandle();
        FieldCount = sqlite3_column_count(statement);
    }

    public int FieldCount { get; }

    /// <summary>
    /// Prepares <paramref name="sql"/> (one statement) on <paramref name="connection"/> and binds
    /// <paramref name="parameters"/> by name ($name, @name or :name, as written in the SQL); every parameter the SQL
    /// names must be given. SQLite's errors are thrown as <see cref="SqliteException"/>.
    /// </summary>
    public static SqliteRow Prepare(SqliteConnection connection, string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        var database = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = sqlite3_prepare_v2(database, sql, out var statement, out var tail);
        if (rc != SQLITE_OK)
        {
            statement.Dispose();
            SqliteException.ThrowExceptionForRC(rc, database);
        }
        var row = new SqliteRow(database, statement);
        try
        {
            if (!string.IsNullOrWhiteSpace(tail)) throw new ArgumentException($"Query runs one statement; this SQL has more: '{tail.Trim()}'.", nameof(sql));
            row.Bind(parameters);
            return row;
        }
        catch
        {
            row.Dispose();
            throw;
        }
    }

    /// <summary>Moves to the next row; false when there is none.</summary>
    public bool Step()
    {
        var rc = sqlite3_step(_statement);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        SqliteException.ThrowExceptionForRC(rc, _connection);
        return false;
    }

    public bool IsDBNull(int ordinal) => Type(ordinal) == SQLITE_NULL;

    public long GetInt64(int ordinal)
    {
        RequireValue(ordinal);
        return ColumnInt64(_handle, ordinal);
    }

    public int GetInt32(int ordinal) => (int)GetInt64(ordinal);

    public bool GetBoolean(int ordinal) => GetInt64(ordinal) != 0;

    public double GetDouble(int ordinal)
    {
        RequireValue(ordinal);
        return ColumnDouble(_handle, ordinal);
    }

    public string GetString(int ordinal)
    {
        RequireValue(ordinal);
        return Text(ordinal);
    }

    public byte[] GetBlob(int ordinal)
    {
        RequireValue(ordinal);
        return Blob(ordinal);
    }

    /// <summary>The value as SQLite stores it: long, double, string, byte[], or DBNull for NULL.</summary>
    public object GetValue(int ordinal) => Type(ordinal) switch
    {
        SQLITE_INTEGER => ColumnInt64(_handle, ordinal),
        SQLITE_FLOAT => ColumnDouble(_handle, ordinal),
        SQLITE_TEXT => Text(ordinal),
        SQLITE_NULL => DBNull.Value,
        _ => Blob(ordinal),
    };

    /// <summary>The column's name in the result.</summary>
    public string GetName(int ordinal) => sqlite3_column_name(_statement, ordinal).utf8_to_string();

    public void Dispose() => _statement.Dispose();

    private int Type(int ordinal)
    {
        if ((uint)ordinal >= (uint)FieldCount) throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, $"The row has {FieldCount} columns.");
        return ColumnType(_handle, ordinal);
    }

    private void RequireValue(int ordinal)
    {
        if (IsDBNull(ordinal))
            throw new InvalidOperationException($"The data is NULL at ordinal {ordinal}. This method can't be called on NULL values. Check using IsDBNull before calling.");
    }

    // SQLite's documented order: the text or blob first, then its length in bytes.
    private string Text(int ordinal)
    {
        var text = ColumnText(_handle, ordinal);
        var length = ColumnBytes(_handle, ordinal);
        if (text == IntPtr.Zero && length > 0) throw new OutOfMemoryException("SQLite could not convert a column to text.");
        return length == 0 ? "" : Marshal.PtrToStringUTF8(text, length);
    }

    private byte[] Blob(int ordinal)
    {
        var blob = ColumnBlob(_handle, ordinal);
        var bytes = new byte[ColumnBytes(_handle, ordinal)];
        if (bytes.Length > 0) Marshal.Copy(blob, bytes, 0, bytes.Length);
        return bytes;
    }

    private void Bind(IReadOnlyList<(string Name, object? Value)> parameters)
    {
        var count = sqlite3_bind_parameter_count(_statement);
        for (var index = 1; index <= count; index++)
        {
            var name = sqlite3_bind_parameter_name(_statement, index).utf8_to_string();
            var found = -1;
            for (var i = 0; i < parameters.Count && found < 0; i++)
                if (string.Equals(parameters[i].Name, name, StringComparison.Ordinal)) found = i;
            if (found < 0) throw new ArgumentException($"The SQL names parameter {name}, which was not given.", nameof(parameters));
            var rc = parameters[found].Value switch
            {
                null or DBNull => sqlite3_bind_null(_statement, index),
                long number => sqlite3_bind_int64(_statement, index, number),
                int number => sqlite3_bind_int64(_statement, index, number),
                bool flag => sqlite3_bind_int64(_statement, index, flag ? 1 : 0),
                double number => sqlite3_bind_double(_statement, index, number),
                string text => sqlite3_bind_text(_statement, index, text),
                byte[] bytes => sqlite3_bind_blob(_statement, index, bytes),
                var other => throw new ArgumentException($"Parameter {name} has a {other.GetType().Name}, which Query does not bind.", nameof(parameters)),
            };
            if (rc != SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _connection);
        }
    }

    [DllImport(Library, EntryPoint = "sqlite3_column_type", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern int ColumnType(IntPtr statement, int column);

    [DllImport(Library, EntryPoint = "sqlite3_column_int64", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern long ColumnInt64(IntPtr statement, int column);

    [DllImport(Library, EntryPoint = "sqlite3_column_double", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern double ColumnDouble(IntPtr statement, int column);

    [DllImport(Library, EntryPoint = "sqlite3_column_text", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern IntPtr ColumnText(IntPtr statement, int column);

    [DllImport(Library, EntryPoint = "sqlite3_column_blob", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern IntPtr ColumnBlob(IntPtr statement, int column);

    [DllImport(Library, EntryPoint = "sqlite3_column_bytes", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern int ColumnBytes(IntPtr statement, int column);
}
