using LamassuOps.Core.Lnbits;

namespace LamassuOps.Core.Bunker;

public sealed class RemoveBunkerRequestOptions
{
    /// <summary>Request rows exist for 60 s while the daemon waits for an answer; younger ones are never touched.</summary>
    public static readonly TimeSpan MinimumAge = TimeSpan.FromMinutes(1);

    /// <summary>An hour: anything older is certainly a leftover.</summary>
    public static readonly TimeSpan DefaultAge = TimeSpan.FromHours(1);

    public required string Path { get; init; }

    /// <summary>Remove rows created more than this long before <see cref="AsOf"/>; at least <see cref="MinimumAge"/>.</summary>
    public TimeSpan OlderThan { get; init; } = DefaultAge;

    public bool NoBackup { get; init; }

    /// <summary>A directory for the backup; default beside the database.</summary>
    public string? BackupDirectory { get; init; }

    public DateTimeOffset? AsOf { get; init; }

    /// <summary>LNbits' database (a file or a PostgreSQL URL): its Healthy pairings must stay Healthy (<see cref="LnbitsPairingProof"/>).</summary>
    public string? LnbitsDatabase { get; init; }
}

/// <summary>What Remove-BunkerRequest removed from one database.</summary>
public sealed class BunkerRequestRemoval
{
    public required string Path { get; init; }

    public required DateTimeOffset CreatedBefore { get; init; }

    public required long RequestsBefore { get; init; }

    public required long Removed { get; init; }

    public required long RequestsAfter { get; init; }

    /// <summary>Rows whose createdAt is no date in either encoding: kept, since their age is unknown.</summary>
    public required long KeptUnreadableDate { get; init; }

    public required string? BackupPath { get; init; }
}

/// <summary>
/// Remove-BunkerRequest: deletes leftover temporary Request rows (the daemon deletes each 60 s after creating it;
/// rows survive a restart). One DELETE in one transaction; KeyUser, Token, Policy, PolicyRule and SigningCondition
/// are verified unchanged before commit.
/// </summary>
public static class RemoveBunkerRequestOperation
{
    public const string AgeTooShort = "RequestAgeTooShort";

    public static IEnumerable<BunkerRequestRemoval> Run(RemoveBunkerRequestOptions options, IOperationHost host)
    {
        if (options.OlderThan < RemoveBunkerRequestOptions.MinimumAge)
            throw new LamassuOpsException(AgeTooShort, FailureKind.InvalidArgument,
                $"-OlderThan {options.OlderThan} would remove requests nsecbunkerd may still be answering (they live 60 s).",
                options.OlderThan, "Give -OlderThan of at least 1 minute, e.g. -OlderThan 1:00:00 (one hour, the default) or -OlderThan 0:05:00.");
        var now = options.AsOf ?? DateTimeOffset.UtcNow;
        var cutoff = now - options.OlderThan;
        var createdAt = BunkerDate.SqlMilliseconds("createdAt");
        var old = $"{createdAt} < $cutoff";
        var cutoffParameter = ("$cutoff", (object?)BunkerDate.ToMilliseconds(cutoff));

        using var database = MaintenanceTransaction.Open(options.Path);
        var before = MaintenanceTransaction.Count(database, "SELECT count(*) FROM Request");
        var candidates = MaintenanceTransaction.Count(database, $"SELECT count(*) FROM Request WHERE {old}", cutoffParameter);
        var unreadable = MaintenanceTransaction.Count(database, $"SELECT count(*) FROM Request WHERE {createdAt} IS NULL");
        if (unreadable > 0)
            host.WriteWarning($"{unreadable} Request rows in '{database.Path}' have a createdAt that is no date; they are kept.");

        var proofs = LnbitsPairingProof.For(options.LnbitsDatabase, now, host);

        (long Total, long Deleted, long Remaining) Delete()
        {
            var total = MaintenanceTransaction.Count(database, "SELECT count(*) FROM Request");
            var kept = MaintenanceTransaction.Count(database, $"SELECT count(*) FROM Request WHERE NOT ({old}) OR {createdAt} IS NULL", cutoffParameter);
            long deleted = database.Execute($"DELETE FROM Request WHERE {old}", cutoffParameter);
            var remaining = MaintenanceTransaction.Count(database, "SELECT count(*) FROM Request");
            if (remaining != kept || deleted != total - kept)
                throw new LamassuOpsException(MaintenanceTransaction.PreservedRowsChanged, FailureKind.InvalidResult,
                    $"Deleting old Request rows in '{database.Path}' would have left {remaining} rows instead of {kept}; rolled back.", database.Path);
            return (total, deleted, remaining);
        }

        string? backupPath = null;
        var (inTransactionBefore, removed, after) = (before, 0L, before);
        if (candidates == 0)
            host.WriteVerbose($"No Request rows in '{database.Path}' were created before {cutoff:u}; nothing to do.");
        else
        {
            var done = MaintenancePipeline.Run(new MaintenanceRun<(long, long, long)>
            {
                Target = database.Path,
                Database = database,
                Summary = $"Delete {candidates} Request rows created before {cutoff:u}",
                Backup = MaintenanceBackup.Beside(options.NoBackup, options.BackupDirectory, now),
                Proofs = [.. proofs, new PreservedTablesProof([.. MaintenanceTransaction.PairingTables, "SigningCondition"])],
                Apply = Delete,
            }, host);
            if (done is null) yield break;
            ((inTransactionBefore, removed, after), backupPath) = done.Value;
        }

        yield return new BunkerRequestRemoval
        {
            Path = database.Path,
            CreatedBefore = cutoff,
            RequestsBefore = inTransactionBefore,
            Removed = removed,
            RequestsAfter = after,
            KeptUnreadableDate = unreadable,
            BackupPath = backupPath,
        };
    }
}
