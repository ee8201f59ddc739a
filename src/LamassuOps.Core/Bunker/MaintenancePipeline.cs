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
    public static T KeepingBackup<T>(string target, string? backupPath, Func<T> change, IOperationHost host)
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
                if (!committed) Rollback(database);
            }
        }

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
}

/// <summary>
/// The verified backup a change takes first: beside the database or in a directory (-BackupDirectory), to a file
/// chosen before the confirmation (a restore's safety copy), or none (-NoBackup).
/// </summary>
public sealed class MaintenanceBackup
{
    private readonly bool _skip;
    private readonly string? _directory;
    private readonly string? _destination;
    private readonly DateTimeOffset _now;

    private MaintenanceBackup(bool skip, string? directory, string? destination, DateTimeOffset now) =>
        (_skip, _directory, _destination, _now) = (skip, directory, destination, now);

    /// <summary>Beside the database, or in <paramref name="backupDirectory"/>; none with <paramref name="noBackup"/>.</summary>
    public static MaintenanceBackup Beside(bool noBackup, string? backupDirectory, DateTimeOffset now) => new(noBackup, backupDirectory, null, now);

    /// <summary>To <paramref name="destination"/>, a name resolved (and shown) before the confirmation.</summary>
    public static MaintenanceBackup To(string destination, DateTimeOffset now) => new(false, null, destination, now);

    /// <summary>Writes and verifies the backup; its path, or null with -NoBackup.</summary>
    public string? Take(BunkerDatabase database, IOperationHost host)
    {
        if (_destination is not null) return BackupNaming.Write(database, _destination, parameter: null, _now, host).BackupPath;
        if (_skip)
        {
            host.WriteVerbose($"No backup of '{database.Path}' (-NoBackup).");
            return null;
        }
        const string parameter = MaintenanceTransaction.BackupDirectoryParameter;
        // Unlike Backup-BunkerDatabase -Destination, a backup directory is never taken as a file name.
        if (_directory is not null && !Directory.Exists(_directory))
            throw BackupErrors.DestinationDirectoryMissing(_directory, _directory, parameter);
        var destination = BackupNaming.Resolve(database.Path, _directory, _now, kind: null, parameter);
        return BackupNaming.Write(database, destination, parameter, _now, host).BackupPath;
    }
}
