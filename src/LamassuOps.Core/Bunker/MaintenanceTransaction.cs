using Microsoft.Data.Sqlite;

namespace LamassuOps.Core.Bunker;

/// <summary>
/// The steps every destructive Bunker operation takes: open read-write with a busy timeout that outlasts
/// nsecbunkerd's short writes, a verified backup first, then the change in one write transaction that is
/// committed only when the tables that must survive are byte-for-byte as they were.
/// </summary>
public static class MaintenanceTransaction
{
    public const string PreservedRowsChanged = "BunkerPreservedRowsChanged";

    /// <summary>The pairing tables: what a maintenance operation must never change.</summary>
    public static readonly IReadOnlyList<string> PairingTables = ["KeyUser", "Token", "Policy", "PolicyRule"];

    /// <summary>The parameter that chooses where the backup goes, named in the fixes of write failures.</summary>
    public const string BackupDirectoryParameter = "-BackupDirectory";

    public static BunkerDatabase Open(string path) =>
        BunkerDatabase.OpenReadWrite(path, new BunkerOpenOptions { BusyTimeout = BackupNaming.BusyTimeout });

    /// <summary>A verified backup beside the database (or in <paramref name="backupDirectory"/>), unless <paramref name="noBackup"/>.</summary>
    private static string? BackupFirst(BunkerDatabase database, bool noBackup, string? backupDirectory, DateTimeOffset now,
        IOperationHost host)
    {
        if (noBackup)
        {
            host.WriteVerbose($"No backup of '{database.Path}' (-NoBackup).");
            return null;
        }
        // Unlike Backup-BunkerDatabase -Destination, a backup directory is never taken as a file name.
        if (backupDirectory is not null && !Directory.Exists(backupDirectory))
            throw BackupErrors.DestinationDirectoryMissing(backupDirectory, backupDirectory, BackupDirectoryParameter);
        var destination = BackupNaming.Resolve(database.Path, backupDirectory, now, kind: null, BackupDirectoryParameter);
        return BackupNaming.Write(database, destination, BackupDirectoryParameter, now, host).BackupPath;
    }

    /// <summary>
    /// A verified backup first (<see cref="BackupFirst"/>), then <see cref="Run{T}"/>. When the change fails and is rolled
    /// back, the backup stays, since it may be the operator's only copy, and the error names it; a stop, which has no
    /// error of its own, says so in a warning.
    /// </summary>
    public static (T Result, string? BackupPath) RunAfterBackup<T>(BunkerDatabase database, bool noBackup, string? backupDirectory,
        DateTimeOffset now, IReadOnlyList<string> preservedTables, Func<T> change, IOperationHost host)
    {
        var backupPath = BackupFirst(database, noBackup, backupDirectory, now, host);
        try
        {
            return (Run(database, preservedTables, change, host), backupPath);
        }
        catch (LamassuOpsException failure) when (backupPath is not null)
        {
            throw failure.WithNote($"The verified backup taken before it is kept: '{backupPath}'.");
        }
        catch (OperationCanceledException) when (backupPath is not null)
        {
            host.WriteWarning($"Stopped; '{database.Path}' is as it was. The verified backup taken before is kept: '{backupPath}'.");
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="change"/> inside BEGIN IMMEDIATE .. COMMIT. Before and after the change (still inside
    /// the transaction) it fingerprints <paramref name="preservedTables"/> by streaming every row; any difference, any
    /// exception from <paramref name="change"/> (its own checks included) or a stop rolls everything back.
    /// The transaction is begun in SQL rather than with BeginTransaction so queries of shared readers (which set no
    /// SqliteCommand.Transaction) run inside it.
    /// </summary>
    public static T Run<T>(BunkerDatabase database, IReadOnlyList<string> preservedTables, Func<T> change, IOperationHost host)
    {
        var tables = preservedTables.Where(database.Schema.HasTable).ToList();
        database.Execute("BEGIN IMMEDIATE;");
        var committed = false;
        try
        {
            var before = database.Guard(() => Fingerprints(database.Connection, tables, host.CancellationToken));
            var result = change();
            var after = database.Guard(() => Fingerprints(database.Connection, tables, host.CancellationToken));
            var changed = before.Zip(after).Where(pair => pair.First != pair.Second).Select(pair => pair.First.Table).ToList();
            if (changed.Count > 0)
                throw new LamassuOpsException(PreservedRowsChanged, FailureKind.InvalidResult,
                    $"The change to '{database.Path}' would have altered {string.Join(", ", changed)}; it was rolled back and nothing changed.",
                    database.Path, "This is a bug or a trigger in the database: report it with the output of `sqlite3 nsecbunker.db .schema`.");
            host.WriteVerbose($"Checked inside the transaction: {string.Join(", ", after.Select(f => $"{f.Table} ({f.Rows} rows)"))} byte-for-byte unchanged.");
            host.CancellationToken.ThrowIfCancellationRequested();
            database.Execute("COMMIT;");
            committed = true;
            return result;
        }
        finally
        {
            if (!committed) Rollback(database);
        }
    }

    /// <summary>A count(*) query's result.</summary>
    public static long Count(BunkerDatabase database, string sql, params (string Name, object? Value)[] parameters) =>
        Convert.ToInt64(database.Scalar(sql, parameters) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);

    private static List<TableFingerprint> Fingerprints(SqliteConnection connection, List<string> tables, CancellationToken cancellationToken) =>
        tables.Select(table => TableFingerprint.Compute(connection, table, null, cancellationToken)).ToList();

    private static void Rollback(BunkerDatabase database)
    {
        try
        {
            database.Execute("ROLLBACK;");
        }
        catch (LamassuOpsException)
        {
            // SQLite had already rolled back (it does so itself on some errors): no transaction was active any more.
        }
    }
}
