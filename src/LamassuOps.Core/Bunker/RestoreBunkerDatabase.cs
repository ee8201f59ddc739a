using LamassuOps.Core.Lnbits;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Core.Bunker;

public sealed class RestoreBunkerDatabaseOptions
{
    /// <summary>The live database to restore into (it may be missing: it is then created).</summary>
    public required string Path { get; init; }

    /// <summary>The backup to restore.</summary>
    public required string BackupPath { get; init; }

    /// <summary>The moment that names the safety copy; default now.</summary>
    public DateTimeOffset? Now { get; init; }

    /// <summary>Restore even though pairings, redeemed tokens or bunker keys of the live database are not in the backup.</summary>
    public bool AcceptPairingLoss { get; init; }

    /// <summary>Restore even though the backup's schema is older than the live one (fork additions, applied migrations).</summary>
    public bool AcceptSchemaDowngrade { get; init; }

    /// <summary>LNbits' database (a file or a PostgreSQL URL): its Healthy pairings must stay Healthy (<see cref="LnbitsPairingProof"/>).</summary>
    public string? LnbitsDatabase { get; init; }
}

/// <summary>What Restore-BunkerDatabase did.</summary>
public sealed class BunkerRestore
{
    public required string Path { get; init; }

    public required string BackupPath { get; init; }

    /// <summary>The verified copy of the database as it was before the restore; null when there was no database.</summary>
    public required string? SafetyCopyPath { get; init; }

    public required DateTimeOffset RestoredAt { get; init; }

    public required BunkerSchemaVariant SchemaVariant { get; init; }

    public required long TotalRows { get; init; }

    /// <summary>Row counts per table of the backup, which the restored database was verified to hold.</summary>
    public required IReadOnlyList<TableRowCount> Tables { get; init; }

    /// <summary>
    /// integrity_check passed after the restore and the schema and row counts equal the backup's. False only when
    /// another process (nsecbunkerd) wrote between the copy and the check, so counts could not be compared; see
    /// <see cref="Note"/>.
    /// </summary>
    public required bool Verified { get; init; }

    /// <summary>Pairings ("keyName userPubkey") the restore added: in the backup, not in the database before.</summary>
    public required IReadOnlyList<string> PairingsAdded { get; init; }

    /// <summary>Pairings ("keyName userPubkey") the restore removed (only with -AcceptPairingLoss).</summary>
    public required IReadOnlyList<string> PairingsRemoved { get; init; }

    public string? Note { get; init; }
}

/// <summary>
/// Restore-BunkerDatabase. The backup is verified first (an nsecbunkerd database that passes integrity_check),
/// the current database is kept as a verified safety copy, and the backup is written into the live file through
/// SQLite's backup API, not by replacing the file: SQLite takes the write lock and writes through the database's
/// own journal or WAL, so a running nsecbunkerd waits and then sees the restored content (its connections stay
/// valid; a file rename would leave it writing to the old, unlinked file and its -wal), the -wal/-shm files stay
/// consistent, and a crash part-way leaves a hot journal that rolls back to the state before. The database keeps
/// its own journal mode. Afterwards the restored database is checked again on the same connection.
/// </summary>
public static class RestoreBunkerDatabaseOperation
{
    public const string RestoreTargetNotDatabase = "RestoreTargetNotDatabase";
    public const string RestoreVerificationFailed = "RestoreVerificationFailed";
    public const string RestoreTargetNotWritable = "RestoreTargetNotWritable";
    public const string RestoreWouldLosePairings = "RestoreWouldLosePairings";
    public const string RestoreWouldDowngradeSchema = "RestoreWouldDowngradeSchema";

    public static IEnumerable<BunkerRestore> Run(RestoreBunkerDatabaseOptions options, IOperationHost host)
    {
        var now = options.Now ?? DateTimeOffset.UtcNow;
        var path = System.IO.Path.GetFullPath(options.Path);
        var backupPath = System.IO.Path.GetFullPath(options.BackupPath);
        var target = FileStat.Of(path);
        if (string.Equals(path, backupPath, StringComparison.Ordinal)) throw BackupErrors.BackupIsTargetError(path);
        if (target.IsSameFileAs(FileStat.Of(backupPath))) throw BackupErrors.BackupIsTargetUnderAnotherNameError(path, backupPath);
        // A restore creates a missing database, but never through a dangling link: that would create it elsewhere.
        if (target.Kind == FileKind.DanglingSymlink) throw PathErrors.NotRegularFile(path, target.Kind);
        if (target.Kind != FileKind.Missing) BunkerDatabase.ValidateKind(path);

        using var backup = BunkerDatabase.OpenReadOnly(backupPath, new BunkerOpenOptions { BusyTimeout = BackupNaming.BusyTimeout });
        var backupCensus = VerifyBackup(backup, host);
        using var current = target.Kind == FileKind.Missing ? null : OpenCurrent(path);
        var comparison = RestoreComparison.Compare(backup, current, host.CancellationToken);
        RefuseUnacceptedLoss(comparison, options, path, backupPath);
        var safetyCopy = current is null ? null : BackupNaming.Resolve(path, null, now, "pre-restore", parameter: null);
        var proofs = LnbitsPairingProof.For(options.LnbitsDatabase, now, host);

        var restored = MaintenancePipeline.Run(new MaintenanceRun<BunkerRestore>
        {
            Target = path,
            Database = current,
            Summary = $"Replace the database with the backup '{backupPath}' ({backupCensus.TotalRows} rows, {comparison.PairingsAdded.Count} pairing(s) added, " +
                      $"{comparison.PairingsRemoved.Count} removed){(safetyCopy is null ? "" : $", keeping the current one as '{safetyCopy}'")}",
            Backup = safetyCopy is null ? null : MaintenanceBackup.To(safetyCopy, now),
            Proofs = proofs,
            Write = new FromBackup(backup),
            Apply = () => Restore(backup, path, backupCensus, comparison, safetyCopy, now, host),
        }, host);
        if (restored is { } done) yield return done.Result;
    }

    /// <summary>
    /// How a restore is written: SQLite's backup API copies the backup in one write of its own, with no statement
    /// possible inside it, but what it writes is known before: the backup. So the proofs capture the current
    /// database (in one read snapshot) and verify the backup itself, both before the copy, and a failing proof
    /// refuses the restore before anything is written. Triggers do not fire during the copy.
    /// </summary>
    private sealed class FromBackup(BunkerDatabase backup) : IMaintenanceWrite
    {
        public T Run<T>(BunkerDatabase? current, IReadOnlyList<IMaintenanceProof> proofs, Func<T> apply, IOperationHost host)
        {
            if (proofs.Count > 0)
            {
                if (current is not null) InOneSnapshot(current, () => { foreach (var proof in proofs) proof.Capture(current, host); });
                InOneSnapshot(backup, () => MaintenancePipeline.VerifyAll(backup, proofs, $"in the backup '{backup.Path}' before restoring it", host));
            }
            return apply();
        }

        private static void InOneSnapshot(BunkerDatabase database, Action read)
        {
            database.Execute("BEGIN;");
            try
            {
                read();
            }
            finally
            {
                database.Execute("COMMIT;");
            }
        }
    }

    /// <summary>
    /// A backup that would drop pairings (or tokens, or keys) or take the schema back is refused unless the operator
    /// named that risk with its own switch; -Force only skips the prompt.
    /// </summary>
    private static void RefuseUnacceptedLoss(RestoreComparison comparison, RestoreBunkerDatabaseOptions options, string path, string backupPath)
    {
        var losesPairings = comparison.LosesPairings && !options.AcceptPairingLoss;
        var downgrades = comparison.DowngradesSchema && !options.AcceptSchemaDowngrade;
        if (!losesPairings && !downgrades) return;
        var switches = string.Join(" and ", new[] { losesPairings ? "-AcceptPairingLoss" : null, downgrades ? "-AcceptSchemaDowngrade" : null }.OfType<string>());
        LamassuOpsException Refusal(string errorId) => new(errorId, FailureKind.InvalidOperation,
            $"Not restoring '{backupPath}' over '{path}': {string.Join("; ", comparison.Describe())}. Nothing was changed.", path,
            $"Check that this is the right backup (Get-BunkerPairing -Path '{backupPath}' lists its pairings) and pick a newer one; " +
            $"to restore it anyway, losing what is listed, add {switches}.");
        throw losesPairings ? Refusal(RestoreWouldLosePairings) : Refusal(RestoreWouldDowngradeSchema);
    }

    private static DatabaseCensus VerifyBackup(BunkerDatabase backup, IOperationHost host)
    {
        var census = backup.Guard(() =>
        {
            var problems = OnlineBackup.IntegrityProblems(backup.Connection);
            if (problems.Count > 0)
                throw new LamassuOpsException(BackupErrors.VerificationFailed, FailureKind.InvalidData,
                    $"The backup '{backup.Path}' fails integrity_check ({string.Join("; ", problems)}); nothing was restored.",
                    backup.Path, "Restore an older backup; `sqlite3 <backup> .recover` can salvage rows into a new file.");
            return DatabaseCensus.Take(backup.Connection, null, host.CancellationToken);
        });
        host.WriteVerbose($"Backup '{backup.Path}' verified: an nsecbunkerd database ({backup.Schema.Variant}), integrity_check ok, {census.TotalRows} rows.");
        return census;
    }

    /// <summary>
    /// The database to be replaced must be nsecbunkerd's (or an SQLite file without tables, as left by a wipe):
    /// a restore never overwrites another program's database or a file SQLite cannot read.
    /// </summary>
    private static BunkerDatabase OpenCurrent(string path)
    {
        try
        {
            return MaintenanceTransaction.Open(path);
        }
        catch (LamassuOpsException e) when (e.ErrorId is BunkerErrors.NotSqliteDatabase or BunkerErrors.DatabaseCorrupt
                                                or BunkerErrors.DatabaseEmpty or BunkerErrors.NotNsecbunkerDatabase
                                                or BunkerErrors.PathIsDirectory)
        {
            throw new LamassuOpsException(RestoreTargetNotDatabase, FailureKind.InvalidOperation,
                $"Not restoring over '{path}': {e.Message} Nothing was changed.", path,
                "If this is a broken nsecbunker.db, move it (and any -wal, -shm or -journal beside it) aside and run the restore again.", e);
        }
    }

    private static BunkerRestore Restore(BunkerDatabase backup, string path, DatabaseCensus expected, RestoreComparison comparison,
        string? safetyCopy, DateTimeOffset now, IOperationHost host)
    {
        if (safetyCopy is not null) return RestoreInto(backup, path, expected, comparison, safetyCopy, now, host);
        // A new database holds every token of the backup: created with the backup's bits, whatever the umask, and
        // deleted again if the restore fails.
        try
        {
            OnlineBackup.CreateEmptyNoMoreReadableThan(backup.Path, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LamassuOpsException(RestoreTargetNotWritable, FailureKind.WriteError,
                $"Cannot create the database '{path}': {e.Message.TrimEnd('.')}. Nothing was changed.", path,
                "Create its directory first and make it writable by this user (or run as the nsecbunkerd user).", e);
        }
        try
        {
            return RestoreInto(backup, path, expected, comparison, null, now, host);
        }
        catch
        {
            OnlineBackup.DeleteWithSidecars(path);
            throw;
        }
    }

    private static BunkerRestore RestoreInto(BunkerDatabase backup, string path, DatabaseCensus expected, RestoreComparison comparison,
        string? safetyCopy, DateTimeOffset now, IOperationHost host)
    {
        using var live = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = (int)BackupNaming.BusyTimeout.TotalSeconds,
        }.ToString());
        var copying = false;
        long versionAfterCopy;
        try
        {
            live.Open();
            using (var busy = live.CreateCommand())
            {
                busy.CommandText = $"PRAGMA busy_timeout = {(int)BackupNaming.BusyTimeout.TotalMilliseconds};";
                busy.ExecuteNonQuery();
            }
            host.WriteProgress(new OperationProgress($"Restoring {System.IO.Path.GetFileName(path)}", $"from {backup.Path}"));
            copying = true;
            backup.Connection.BackupDatabase(live);
            copying = false;
            // data_version changes when another connection commits; unchanged means the check below sees our copy.
            versionAfterCopy = DataVersion(live, null);
        }
        catch (SqliteException e)
        {
            // Only a page SQLite cannot read is the backup's fault; a lock or a write failure is the live file's.
            var culprit = copying && e.SqliteErrorCode is SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB ? backup.Path : path;
            throw BunkerErrors.FromSqlite(e, culprit, BackupNaming.BusyTimeout);
        }

        var (problems, census, writtenMeanwhile) = CheckRestored(live, path, versionAfterCopy, host.CancellationToken);
        if (problems.Count > 0)
            throw new LamassuOpsException(RestoreVerificationFailed, FailureKind.InvalidResult,
                $"The restored '{path}' failed verification: {string.Join("; ", problems)}.", path,
                safetyCopy is null
                    ? "Run the restore again after stopping nsecbunkerd."
                    : $"Stop nsecbunkerd and run the restore again; the database as it was before is kept in '{safetyCopy}'.");
        var differences = expected.DifferencesFrom(census);
        if (differences.Count > 0 && !writtenMeanwhile)
            throw new LamassuOpsException(RestoreVerificationFailed, FailureKind.InvalidResult,
                $"The restored '{path}' does not match the backup: {string.Join("; ", differences)}.", path,
                safetyCopy is null ? null : $"The database as it was before is kept in '{safetyCopy}'.");
        string? note = null;
        if (writtenMeanwhile)
        {
            note = "Another process (nsecbunkerd) wrote to the database right after the restore; integrity_check passed, "
                + (differences.Count == 0 ? "and the row counts still equal the backup's." : "the row counts now differ: " + string.Join("; ", differences) + ".");
            host.WriteWarning(note);
        }
        host.WriteProgress(new OperationProgress($"Restoring {System.IO.Path.GetFileName(path)}", "verified", 100, Completed: true));
        return new BunkerRestore
        {
            Path = path,
            BackupPath = backup.Path,
            SafetyCopyPath = safetyCopy,
            RestoredAt = now,
            SchemaVariant = backup.Schema.Variant,
            TotalRows = expected.TotalRows,
            Tables = expected.Tables,
            Verified = differences.Count == 0,
            PairingsAdded = comparison.PairingsAdded,
            PairingsRemoved = comparison.PairingsRemoved,
            Note = note,
        };
    }

    private static (IReadOnlyList<string> Problems, DatabaseCensus Census, bool WrittenMeanwhile) CheckRestored(
        SqliteConnection live, string path, long versionAfterCopy, CancellationToken cancellationToken)
    {
        try
        {
            using var check = live.BeginTransaction(deferred: true);
            var problems = OnlineBackup.IntegrityProblems(live, check);
            var census = DatabaseCensus.Take(live, check, cancellationToken);
            var writtenMeanwhile = DataVersion(live, check) != versionAfterCopy;
            return (problems, census, writtenMeanwhile);
        }
        catch (SqliteException e)
        {
            throw BunkerErrors.FromSqlite(e, path, BackupNaming.BusyTimeout);
        }
    }

    /// <summary>PRAGMA data_version: changes when another connection commits to the database.</summary>
    private static long DataVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA data_version;";
        return (long)command.ExecuteScalar()!;
    }
}
