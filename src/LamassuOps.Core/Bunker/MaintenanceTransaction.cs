namespace LamassuOps.Core.Bunker;

/// <summary>
/// The shared pieces of the destructive Bunker operations: open read-write with a busy timeout that outlasts
/// nsecbunkerd's short writes, and the pipeline's steps for an operation not (yet) on <see cref="MaintenancePipeline"/>:
/// a verified backup first, then the change in one write transaction that is committed only when the tables that
/// must survive are byte-for-byte as they were.
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

    /// <summary>
    /// A verified backup first (<see cref="MaintenanceBackup.Beside"/>), then <see cref="Run{T}"/>; a failure keeps the
    /// backup and names it (<see cref="MaintenancePipeline.KeepingBackup{T}"/>). The pipeline's steps after the confirmation.
    /// </summary>
    public static (T Result, string? BackupPath) RunAfterBackup<T>(BunkerDatabase database, bool noBackup, string? backupDirectory,
        DateTimeOffset now, IReadOnlyList<string> preservedTables, Func<T> change, IOperationHost host)
    {
        var backupPath = MaintenanceBackup.Beside(noBackup, backupDirectory, now).Take(database, host);
        return (MaintenancePipeline.KeepingBackup(database.Path, backupPath, () => Run(database, preservedTables, change, host), host), backupPath);
    }

    /// <summary>
    /// Runs <paramref name="change"/> inside BEGIN IMMEDIATE .. COMMIT with the proof that <paramref name="preservedTables"/>
    /// are byte-for-byte unchanged (<see cref="PreservedTablesProof"/>); any difference, any exception or a stop rolls back.
    /// </summary>
    public static T Run<T>(BunkerDatabase database, IReadOnlyList<string> preservedTables, Func<T> change, IOperationHost host) =>
        MaintenancePipeline.OneTransaction.Run(database, [new PreservedTablesProof(preservedTables)], change, host);

    /// <summary>A count(*) query's result.</summary>
    public static long Count(BunkerDatabase database, string sql, params (string Name, object? Value)[] parameters) =>
        Convert.ToInt64(database.Scalar(sql, parameters) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
}
