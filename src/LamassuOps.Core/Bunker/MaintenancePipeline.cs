namespace LamassuOps.Core.Bunker;

/// <summary>
/// One destructive maintenance change as the pipeline runs it: the plan's summary (confirmed with ShouldProcess),
/// the change, the proofs that it kept what it must, the backup to take first and how the change is written.
/// </summary>
public sealed class MaintenanceRun<T>
{
    /// <summary>What ShouldProcess names: the database's path.</summary>
    public required string Target { get; init; }

    /// <summary>The open database; null only for a restore onto a file that does not exist yet (nothing to back up or capture).</summary>
    public required BunkerDatabase? Database { get; init; }

    /// <summary>The plan's summary, the action ShouldProcess shows.</summary>
    public required string Summary { get; init; }

    /// <summary>The change itself; by default it runs inside the write transaction.</summary>
    public required Func<T> Apply { get; init; }

    /// <summary>Verified in this order: the first that fails names the failure.</summary>
    public IReadOnlyList<IMaintenanceProof> Proofs { get; init; } = [];

    /// <summary>The verified backup to take first; null when there is no database to copy.</summary>
    public required MaintenanceBackup? Backup { get; init; }

    public IMaintenanceWrite Write { get; init; } = MaintenancePipeline.OneTransaction;
}

/// <summary>How a change is written, and where its proofs capture and verify.</summary>
public interface IMaintenanceWrite
{
    T Run<T>(BunkerDatabase? database, IReadOnlyList<IMaintenanceProof> proofs, Func<T> apply, IOperationHost host);
}

/// <summary>
/// The safety pipeline every destructive Bunker operation goes through: the operation plans (outside the write
/// transaction) and hands over a <see cref="MaintenanceRun{T}"/>; the pipeline confirms (ShouldProcess with the
/// plan's summary; -WhatIf stops here, before any file is written), takes the verified backup (unless -NoBackup),
/// opens one write transaction, captures every proof, applies the change, verifies every proof and commits; any
/// failure or a stop rolls back, keeps the verified backup and names it.
/// </summary>
public static class MaintenancePipeline
{
    /// <summary>BEGIN IMMEDIATE .. COMMIT on the database's own connection.</summary>
    public static readonly IMaintenanceWrite OneTransaction = new TransactionWrite();

    /// <summary>The change's result and the verified backup taken before it; null when ShouldProcess declined.</summary>
    public static (T Result, string? BackupPath)? Run<T>(MaintenanceRun<T> run, IOperationHost host)
    {
        if (!host.ShouldProcess(run.Target, run.Summary)) return null;
        var backupPath = run.Database is null ? null : run.Backup?.Take(run.Database, host);
        return (KeepingBackup(run.Target, backupPath, () => run.Write.Run(run.Database, run.Proofs, run.Apply, host), host), backupPath);
    }

    /// <summary>
    /// Runs <paramref name="change"/>; when it fails (and is rolled back) the backup stays, since it may be the
    /// operator's only copy, and the error names it; a stop, which has no error of its own, says so in a warning.
    /// </summary>
    private static T KeepingBackup<T>(string target, string? backupPath, Func<T> change, IOperationHost host)
    {
        try
        {
            return change();
        }
        catch (LamassuOpsException failure) when (backupPath is not null)
        {
            throw failure.WithNote($"The verified backup taken before it is kept: '{backupPath}'.");
        }
        catch (OperationCanceledException) when (backupPath is not null)
        {
            host.WriteWarning($"Stopped; '{target}' is as it was. The verified backup taken before is kept: '{backupPath}'.");
            throw;
        }
    }

    /// <summary>Verifies every proof in order on <paramref name="database"/>; says what was checked <paramref name="where"/>.</summary>
    public static void VerifyAll(BunkerDatabase database, IReadOnlyList<IMaintenanceProof> proofs, string where, IOperationHost host)
    {
        var checks = proofs.Select(proof => proof.Verify(database, host)).ToList();
        if (checks.Count > 0) host.WriteVerbose($"Checked {where}: {string.Join("; ", checks)}.");
    }

    /// <summary>
    /// BEGIN IMMEDIATE .. COMMIT: the proofs capture, the change runs, the proofs verify, all inside; any exception
    /// (a proof's included) or a stop rolls everything back. The transaction is begun in SQL rather than with
    /// BeginTransaction so queries of shared readers (which set no SqliteCommand.Transaction) run inside it.
    /// </summary>
    private sealed class TransactionWrite : IMaintenanceWrite
    {
        public T Run<T>(BunkerDatabase? database, IReadOnlyList<IMaintenanceProof> proofs, Func<T> apply, IOperationHost host)
        {
            ArgumentNullException.ThrowIfNull(database);
            database.Execute("BEGIN IMMEDIATE;");
            var committed = false;
            try
            {
                foreach (var proof in proofs) proof.Capture(database, host);
                var result = apply();
                VerifyAll(database, proofs, "inside the transaction", host);
                host.CancellationToken.ThrowIfCancellationRequested();
                database.Execute("COMMIT;");
                committed = true;
                return result;
            }
            finally
            {
                if (!committed) MaintenancePipeline.Rollback(database);
            }
        }
    }

    /// <summary>Rolls back the transaction open on <paramref name="database"/>, if SQLite has not already.</summary>
    internal static void Rollback(BunkerDatabase database)
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

/// <summary>
/// The verified backup a change takes first: beside the database or in a directory (-BackupDirectory), to a file
/// chosen before the confirmation (a restore's safety copy), the verified snapshot a change was planned on (the
/// strip's), or none (-NoBackup).
/// </summary>
public sealed class MaintenanceBackup
{
    private static readonly MaintenanceBackup None = new((database, host) =>
    {
        host.WriteVerbose($"No backup of '{database.Path}' (-NoBackup).");
        return null;
    });

    private readonly Func<BunkerDatabase, IOperationHost, string?> _take;

    private MaintenanceBackup(Func<BunkerDatabase, IOperationHost, string?> take) => _take = take;

    /// <summary>Beside the database, or in <paramref name="backupDirectory"/>; none with <paramref name="noBackup"/>.</summary>
    public static MaintenanceBackup Beside(bool noBackup, string? backupDirectory, DateTimeOffset now) => noBackup ? None : new((database, host) =>
        BackupNaming.Write(database, Destination(database.Path, backupDirectory, now), MaintenanceTransaction.BackupDirectoryParameter, now, host).BackupPath);

    /// <summary>To <paramref name="destination"/>, a name resolved (and shown) before the confirmation.</summary>
    public static MaintenanceBackup To(string destination, DateTimeOffset now) =>
        new((database, host) => BackupNaming.Write(database, destination, parameter: null, now, host).BackupPath);

    /// <summary>
    /// The verified <paramref name="snapshot"/> the change was planned on, published as the backup at
    /// <paramref name="destination"/> (<see cref="Destination"/>); none when <paramref name="destination"/> is null (-NoBackup).
    /// </summary>
    internal static MaintenanceBackup Promoting(StripSnapshot snapshot, string? destination) => destination is null ? None : new((database, host) =>
    {
        var backupPath = snapshot.KeepAs(destination, MaintenanceTransaction.BackupDirectoryParameter);
        host.WriteVerbose($"Backed up '{database.Path}' to '{backupPath}': integrity_check ok, {snapshot.Census.TotalRows} rows in " +
                          $"{snapshot.Census.Tables.Count} tables as in the snapshot.");
        return backupPath;
    });

    /// <summary>
    /// Where a backup of <paramref name="databasePath"/> goes: a new name beside it or in <paramref name="backupDirectory"/>,
    /// which must exist (unlike Backup-BunkerDatabase -Destination, a backup directory is never taken as a file name).
    /// </summary>
    public static string Destination(string databasePath, string? backupDirectory, DateTimeOffset now)
    {
        const string parameter = MaintenanceTransaction.BackupDirectoryParameter;
        if (backupDirectory is not null && !Directory.Exists(backupDirectory))
            throw BackupErrors.DestinationDirectoryMissing(backupDirectory, backupDirectory, parameter);
        return BackupNaming.Resolve(databasePath, backupDirectory, now, kind: null, parameter);
    }

    /// <summary>Writes and verifies the backup; its path, or null with -NoBackup.</summary>
    public string? Take(BunkerDatabase database, IOperationHost host) => _take(database, host);
}
