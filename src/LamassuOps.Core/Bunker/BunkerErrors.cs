using Microsoft.Data.Sqlite;
using static SQLitePCL.raw;

namespace LamassuOps.Core.Bunker;

/// <summary>The error ids of the Bunker area, and the errors themselves with their messages and fixes.</summary>
public static class BunkerErrors
{
    public const string DatabaseNotFound = "BunkerDatabaseNotFound";
    public const string PathIsDirectory = "BunkerPathIsDirectory";
    public const string DatabaseEmpty = "BunkerDatabaseEmpty";
    public const string NotSqliteDatabase = "NotSqliteDatabase";
    public const string DatabaseCorrupt = "BunkerDatabaseCorrupt";
    public const string NotNsecbunkerDatabase = "NotNsecbunkerDatabase";
    public const string DatabaseLocked = "BunkerDatabaseLocked";
    public const string DatabaseAccessDenied = "BunkerDatabaseAccessDenied";
    public const string DatabaseReadOnly = "BunkerDatabaseReadOnly";
    public const string DatabaseNeedsRecovery = "BunkerDatabaseNeedsRecovery";
    public const string DatabaseReadFailed = "BunkerDatabaseReadFailed";
    public const string DateUnreadable = "BunkerDateUnreadable";
    public const string SchemaUnreadable = "BunkerSchemaUnreadable";

    private const string FixCorrupt =
        "Stop nsecbunkerd and restore nsecbunker.db from a backup; `sqlite3 nsecbunker.db .recover` can salvage rows into a new file.";

    internal static LamassuOpsException ColumnsMissing(string path, IReadOnlyList<string> columns) => new(SchemaUnreadable, FailureKind.InvalidData,
        $"'{path}' lacks column(s) nsecbunkerd's schema has: {string.Join(", ", columns)}; nothing was read. The file itself is not corrupt.",
        path, FixSchema);

    private const string FixSchema =
        "Apply nsecbunkerd's migrations to it (`npx prisma migrate deploy` in nsecbunkerd's directory); a schema edited by hand cannot be read.";

    internal static LamassuOpsException NotFound(string path) => new(DatabaseNotFound, FailureKind.ObjectNotFound,
        $"No nsecbunkerd database at '{path}'.", path,
        "Check the path: nsecbunkerd keeps nsecbunker.db in its data directory (see 'database' in nsecbunker.json). LamassuOps never creates one.");

    internal static LamassuOpsException IsDirectory(string path) => new(PathIsDirectory, FailureKind.InvalidArgument,
        $"'{path}' is a directory, not a database file.", path,
        File.Exists(Path.Combine(path, "nsecbunker.db"))
            ? $"Give the database file inside it: '{Path.Combine(path, "nsecbunker.db")}'."
            : "Give the nsecbunker.db file itself.");

    internal static LamassuOpsException Empty(string path) => new(DatabaseEmpty, FailureKind.InvalidData,
        $"'{path}' is an empty (0-byte) file: nsecbunkerd never initialised it, or it was truncated.", path,
        "If it was truncated, restore it from a backup; a new install gets its tables from `prisma migrate deploy`.");

    internal static LamassuOpsException NotSqlite(string path) => new(NotSqliteDatabase, FailureKind.InvalidData,
        $"'{path}' is not an SQLite database (it does not start with the 'SQLite format 3' header).", path,
        "Give nsecbunker.db, not nsecbunker.json, a log or a compressed backup (decompress a backup first).");

    internal static LamassuOpsException Corrupt(string path, string detail, Exception? inner = null) => new(DatabaseCorrupt,
        FailureKind.InvalidData, $"'{path}' is corrupt: {detail}.", path, FixCorrupt, inner);

    internal static LamassuOpsException NotNsecbunker(string path, BunkerSchema schema) => schema.TableNames.Count == 0
        ? new(NotNsecbunkerDatabase, FailureKind.InvalidData,
            $"'{path}' is an SQLite database with no tables: nsecbunkerd never initialised it (the daemon would fail with 'table main.KeyUser does not exist').",
            path, "Apply nsecbunkerd's migrations (`prisma migrate deploy`) or restore the real nsecbunker.db from a backup.")
        : new(NotNsecbunkerDatabase, FailureKind.InvalidData,
            $"'{path}' is an SQLite database, but not nsecbunkerd's: it has no {string.Join(", ", schema.MissingRequiredTables)} table. " +
            $"Its tables: {string.Join(", ", schema.TableNames.Order(StringComparer.Ordinal).Take(8))}{(schema.TableNames.Count > 8 ? ", ..." : "")}.",
            path, "Give the nsecbunker.db of nsecbunkerd (see 'database' in nsecbunker.json).");

    internal static LamassuOpsException Locked(string path, TimeSpan waited, Exception? inner = null) => new(DatabaseLocked,
        FailureKind.ResourceBusy,
        $"'{path}' is locked by another process (still locked after waiting {waited.TotalSeconds:0.#} s).", path,
        "Another program is writing to it (nsecbunkerd, a migration, an sqlite3 shell). Wait for it to finish, or stop nsecbunkerd, and retry.",
        inner);

    internal static LamassuOpsException AccessDenied(string path, Exception? inner = null) => new(DatabaseAccessDenied,
        FailureKind.PermissionDenied, $"Permission denied reading '{path}'.", path,
        "Run as the user nsecbunkerd runs as (or with sudo), or grant read access to the file and its directory.", inner);

    internal static LamassuOpsException ReadOnly(string path, string reason, Exception? inner = null) => new(DatabaseReadOnly,
        FailureKind.PermissionDenied, $"'{path}' cannot be written: {reason}.", path,
        "Run as the user that owns it, make it writable again (chmod u+w) or remount the file system read-write; " +
        "SQLite also needs to create its journal in the same directory.", inner);

    internal static LamassuOpsException NeedsRecovery(string path, Exception inner) => new(DatabaseNeedsRecovery,
        FailureKind.InvalidOperation,
        $"'{path}' has a hot journal: a write was interrupted and must be rolled back before it can be read consistently.",
        path, "Start nsecbunkerd once (or open the file read-write with sqlite3) to roll the interrupted write back, then retry.", inner);

    /// <summary>
    /// Turns an SQLite failure while working with an open database into the error an operator can act on.
    /// </summary>
    public static LamassuOpsException FromSqlite(SqliteException error, string path, TimeSpan busyTimeout) =>
        (error.SqliteErrorCode, error.SqliteExtendedErrorCode) switch
        {
            (SQLITE_BUSY or SQLITE_LOCKED, _) => Locked(path, busyTimeout, error),
            (SQLITE_CORRUPT or SQLITE_NOTADB, _) => Corrupt(path, error.Message.TrimEnd('.'), error),
            (SQLITE_READONLY, SQLITE_READONLY_ROLLBACK) => NeedsRecovery(path, error),
            (SQLITE_READONLY, _) => ReadOnly(path, "SQLite opened it read-only", error),
            (SQLITE_PERM or SQLITE_CANTOPEN or SQLITE_AUTH, _) => AccessDenied(path, error),
            (SQLITE_ERROR, _) when error.Message.Contains("no such column", StringComparison.Ordinal)
                                   || error.Message.Contains("no such table", StringComparison.Ordinal) => new LamassuOpsException(SchemaUnreadable,
                FailureKind.InvalidData,
                $"'{path}' lacks a column or table nsecbunkerd's schema has ({error.Message.Replace("SQLite Error 1: ", "", StringComparison.Ordinal).TrimEnd('.')}); the file itself is not corrupt.",
                path, FixSchema, error),
            _ => new LamassuOpsException(DatabaseReadFailed, FailureKind.ReadError,
                $"SQLite failed on '{path}': {error.Message}", path, FixCorrupt, error),
        };
}
