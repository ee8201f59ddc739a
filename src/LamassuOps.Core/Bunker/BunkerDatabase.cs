using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Core.Bunker;

/// <summary>How to open an nsecbunkerd database.</summary>
public sealed class BunkerOpenOptions
{
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for another process's lock (nsecbunkerd writing) before giving up.</summary>
    public TimeSpan BusyTimeout { get; init; } = DefaultBusyTimeout;
}

/// <summary>
/// An open nsecbunkerd database (nsecbunker.db). Opening validates the file before SQLite touches it, so bad input
/// fails with a specific error id and leaves the file as it was: a missing path is never created, a read-only open
/// never writes (not even the modification time), and a read-write open proves it could take the write lock.
/// </summary>
public sealed class BunkerDatabase : IDisposable
{
    private static readonly byte[] SqliteHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");

    private BunkerDatabase(string path, bool isReadOnly, TimeSpan busyTimeout, SqliteConnection connection, BunkerSchema schema)
    {
        Path = path;
        IsReadOnly = isReadOnly;
        BusyTimeout = busyTimeout;
        Connection = connection;
        Schema = schema;
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    public bool IsReadOnly { get; }

    public TimeSpan BusyTimeout { get; }

    /// <summary>
    /// The SQLite connection (read-only: <c>Mode=ReadOnly</c>; read-write: <c>PRAGMA foreign_keys=ON</c>). Run SQL
    /// through <see cref="Query{T}"/>, <see cref="Execute"/> or <see cref="Guard{T}"/> so SQLite errors become
    /// operator errors.
    /// </summary>
    public SqliteConnection Connection { get; }

    public BunkerSchema Schema { get; }

    /// <summary>Opens for inspection. Nothing this connection does can change the file.</summary>
    public static BunkerDatabase OpenReadOnly(string path, BunkerOpenOptions? options = null) =>
        Open(path, writable: false, options ?? new BunkerOpenOptions());

    /// <summary>
    /// Opens for maintenance: also checks the file can be written and that the write lock can be had within the
    /// busy timeout (BEGIN IMMEDIATE, rolled back at once), and turns foreign keys on.
    /// </summary>
    public static BunkerDatabase OpenReadWrite(string path, BunkerOpenOptions? options = null) =>
        Open(path, writable: true, options ?? new BunkerOpenOptions());

    /// <summary>
    /// Opens a verified copy of <paramref name="reportedPath"/> (a snapshot LamassuOps took itself) read-only, as that
    /// database: results and errors name <paramref name="reportedPath"/>, while the reads hold no lock on it.
    /// </summary>
    public static BunkerDatabase OpenCopy(string copyPath, string reportedPath)
    {
        var copy = Open(copyPath, writable: false, new BunkerOpenOptions());
        return new BunkerDatabase(System.IO.Path.GetFullPath(reportedPath), isReadOnly: true, copy.BusyTimeout, copy.Connection, copy.Schema);
    }

    /// <summary>
    /// Checks that <paramref name="path"/> is an existing, readable SQLite file (and writable when asked) without
    /// opening it with SQLite. Throws the matching <see cref="BunkerErrors"/> error otherwise.
    /// </summary>
    public static void ValidateFile(string path, bool writable)
    {
        ValidateKind(path);

        var header = new byte[SqliteHeader.Length];
        int read;
        long length;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            length = stream.Length;
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (UnauthorizedAccessException e)
        {
            throw BunkerErrors.AccessDenied(path, e);
        }
        if (length == 0) throw BunkerErrors.Empty(path);
        if (read < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader)) throw BunkerErrors.NotSqlite(path);

        if (writable) ValidateWritable(path);
    }

    /// <summary>
    /// Refuses what is not a regular file before anything opens it (opening a FIFO would block forever), and says
    /// why a path cannot be reached: a missing file, a symbolic link loop, a parent directory this user cannot search.
    /// </summary>
    public static void ValidateKind(string path)
    {
        var kind = FileStat.Of(path).Kind;
        switch (kind)
        {
            case FileKind.Regular:
                return;
            case FileKind.Directory:
                throw BunkerErrors.IsDirectory(path);
            case FileKind.Missing or FileKind.ParentNotDirectory or FileKind.DanglingSymlink:
                throw BunkerErrors.NotFound(path);
            case FileKind.ParentAccessDenied:
                throw PathErrors.ParentAccessDenied(path);
            default:
                throw PathErrors.NotRegularFile(path, kind);
        }
    }

    private static void ValidateWritable(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode anyWrite = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
            var mode = File.GetUnixFileMode(path);
            if ((mode & anyWrite) == 0)
                throw BunkerErrors.ReadOnly(path, $"it is marked read-only (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')})");
        }
        try
        {
            using var _ = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (UnauthorizedAccessException e)
        {
            throw BunkerErrors.ReadOnly(path, "permission denied for writing", e);
        }
        catch (IOException e)
        {
            throw BunkerErrors.ReadOnly(path, e.Message.TrimEnd('.', ' ').ToLowerInvariant(), e);
        }
    }

    private static BunkerDatabase Open(string path, bool writable, BunkerOpenOptions options)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        ValidateFile(fullPath, writable);
        if (writable) RefuseHotJournal(fullPath, options);

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = writable ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        }.ToString());
        try
        {
            var schema = Guard(fullPath, options.BusyTimeout, () =>
            {
                connection.Open();
                var busyMilliseconds = ((long)options.BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
                ExecuteOn(connection, $"PRAGMA busy_timeout = {busyMilliseconds};");
                if (writable) ExecuteOn(connection, "PRAGMA foreign_keys = ON;");
                return BunkerSchema.Read(connection);
            });
            if (schema.MissingRequiredTables.Count > 0) throw BunkerErrors.NotNsecbunker(fullPath, schema);
            if (writable)
                Guard(fullPath, options.BusyTimeout, () => ExecuteOn(connection, "BEGIN IMMEDIATE; ROLLBACK;"));
            return new BunkerDatabase(fullPath, !writable, options.BusyTimeout, connection, schema);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One rule for an interrupted write, in every command: a hot journal (a -journal file no process holds the lock
    /// for) is refused with <see cref="BunkerErrors.DatabaseNeedsRecovery"/> and nothing is changed, never rolled back
    /// silently by a read-write open (which would change the file before the command decides anything). A read-only
    /// open reports it (SQLITE_READONLY_ROLLBACK), so a read-write command first looks through one. A -wal file is
    /// not an interrupted write: it holds committed transactions and every command reads it.
    /// </summary>
    private static void RefuseHotJournal(string path, BunkerOpenOptions options)
    {
        var journal = new FileInfo(path + "-journal");
        if (!journal.Exists || journal.Length == 0) return;
        using var probe = Open(path, writable: false, options);
    }

    /// <summary>A command on this connection with its parameters (names with their $ or @ prefix).</summary>
    public SqliteCommand CreateCommand(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>
    /// Streams the rows of <paramref name="sql"/> (one statement) through <paramref name="map"/>, one at a time (never
    /// the whole result in memory), read through <see cref="SqliteRow"/>. SQLite failures become
    /// <see cref="LamassuOpsException"/>s; cancellation is checked per row.
    /// </summary>
    public IEnumerable<T> Query<T>(string sql, Func<SqliteRow, T> map, CancellationToken cancellationToken = default,
        params (string Name, object? Value)[] parameters)
    {
        using var row = Guard(() => SqliteRow.Prepare(Connection, sql, parameters));
        Func<bool> step = row.Step; // one delegate for the query, not one a row
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!Guard(step)) yield break;
            yield return map(row);
        }
    }

    /// <summary>Runs a statement (or several), translating SQLite failures. Returns the rows changed.</summary>
    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = CreateCommand(sql, parameters);
        return Guard(command.ExecuteNonQuery);
    }

    /// <summary>The first column of the first row, or null.</summary>
    public object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = CreateCommand(sql, parameters);
        return Guard(command.ExecuteScalar) is var value and not DBNull ? value : null;
    }

    /// <summary>Runs <paramref name="action"/>, turning an SQLite failure into the operator error for this database.</summary>
    public T Guard<T>(Func<T> action) => Guard(Path, BusyTimeout, action);

    /// <summary>
    /// Refuses, before any query, a database whose <paramref name="tables"/> lack a column LamassuOps reads
    /// (<see cref="BunkerSchema.UpstreamColumns"/>), so the operator gets the missing columns, not a half-run command.
    /// </summary>
    public void RequireColumnsOf(params string[] tables)
    {
        var missing = Schema.MissingUpstreamColumns.Where(c => tables.Contains(c[..c.IndexOf('.')], StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count > 0) throw BunkerErrors.ColumnsMissing(Path, missing);
    }

    /// <summary>
    /// A DATETIME column's value (<see cref="BunkerDate.Parse"/>); an unreadable one is an error naming
    /// "<paramref name="table"/> <paramref name="key"/> <paramref name="column"/>", put into words only then (a read of a
    /// million rows parses millions of dates).
    /// </summary>
    public DateTimeOffset? ParseDate<TKey>(object? value, string table, TKey key, string column) =>
        BunkerDate.TryParse(value, out var date) ? date : BunkerDate.Parse(value, Path, $"{table} {key} {column}");

    public void Dispose() => Connection.Dispose();

    private static T Guard<T>(string path, TimeSpan busyTimeout, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (SqliteException e)
        {
            throw BunkerErrors.FromSqlite(e, path, busyTimeout);
        }
    }

    private static int ExecuteOn(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }
}
