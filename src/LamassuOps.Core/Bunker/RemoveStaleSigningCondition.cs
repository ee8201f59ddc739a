namespace LamassuOps.Core.Bunker;

/// <summary>Which SigningCondition rows the strip removes.</summary>
public enum StripScope
{
    /// <summary>Every policy copy: stale ones and redundant ones (which would outlive their token's expiry).</summary>
    PolicyCopies,

    /// <summary>Only copies no live token backs any more.</summary>
    StaleOnly,

    /// <summary>Every row, manual overrides and orphans too: the runbook's blanket DELETE FROM SigningCondition.</summary>
    Everything,
}

public sealed class RemoveStaleSigningConditionOptions
{
    public required string Path { get; init; }

    public StripScope Scope { get; init; } = StripScope.PolicyCopies;

    /// <summary>Strip the upstream schema too, where the copies are the only permissions the tokens gave.</summary>
    public bool AcceptPermissionLoss { get; init; }

    public bool NoBackup { get; init; }

    public string? BackupDirectory { get; init; }

    /// <summary>The moment tokens are judged live or not (default now).</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>LNbits' database (a file or a PostgreSQL URL): its Healthy pairings must stay Healthy (<see cref="Lnbits.LnbitsPairingProof"/>).</summary>
    public string? LnbitsDatabase { get; init; }
}

/// <summary>What Remove-StaleSigningCondition did to one database.</summary>
public sealed class StaleSigningConditionRemoval
{
    public required string Path { get; init; }

    public required BunkerSchemaVariant SchemaVariant { get; init; }

    public required StripScope Scope { get; init; }

    public required long SigningConditionsBefore { get; init; }

    public required long SigningConditionsAfter { get; init; }

    public required long RemovedStale { get; init; }

    public required long RemovedRedundant { get; init; }

    /// <summary>Manual overrides and orphans removed (only with -IncludeManualOverride).</summary>
    public required long RemovedOther { get; init; }

    public long Removed => RemovedStale + RemovedRedundant + RemovedOther;

    /// <summary>Redeemed tokens bound to an existing KeyUser, before and after (always equal).</summary>
    public required long Pairings { get; init; }

    public required string? BackupPath { get; init; }

    /// <summary>How many manual overrides and orphans stayed (with -StaleOnly, redundant copies stay too but are not counted).</summary>
    public required long KeptOverrideCount { get; init; }

    /// <summary>
    /// The first <see cref="StaleSigningConditionStrip.KeptOverridesListed"/> of them, in KeyUser order, as
    /// Get-BunkerSigningCondition classifies them. A large database keeps hundreds of thousands: holding them all would
    /// make the strip's memory grow with the table; Get-BunkerSigningCondition -Classification ManualOverride, Orphan
    /// streams every one.
    /// </summary>
    public required IReadOnlyList<BunkerSigningCondition> KeptOverrides { get; init; }
}

/// <summary>
/// Remove-StaleSigningCondition: the runbook's strip of the SigningCondition photocopies, done so that no pairing can
/// be lost, without holding nsecbunkerd up. One snapshot is taken through the online backup and verified
/// (<see cref="StripSnapshot"/>); the classifier (<see cref="SigningConditionClassifier"/>) runs once, on that copy, and
/// keeps the ids to remove (<see cref="StripTransaction.PlannedIds"/>); the plan is counted; then
/// <see cref="MaintenancePipeline"/> confirms it, publishes the snapshot as the verified backup
/// (<see cref="MaintenanceBackup.Promoting"/>) and runs one short write transaction (<see cref="StripTransaction"/>)
/// that re-validates the plan against the live database, deletes exactly the planned rows, and commits only when
/// KeyUser, Token, Policy and PolicyRule were left untouched, every pairing is still there and the operation's proofs
/// (LNbits') hold.
/// </summary>
public sealed class StaleSigningConditionStrip
{
    public const string UpstreamSchemaStripRefused = "UpstreamSchemaStripRefused";
    public const string StripPlanChanged = "StripPlanChanged";
    public const string StripPairingLost = "StripPairingLost";

    public const string StripScopeConflict = "StripScopeConflict";

    /// <summary>How many of the kept manual overrides and orphans a result lists (<see cref="StaleSigningConditionRemoval.KeptOverrides"/>).</summary>
    public const int KeptOverridesListed = 100;

    /// <summary>The scope from -StaleOnly and -IncludeManualOverride, which contradict each other.</summary>
    public static StripScope ScopeFrom(bool staleOnly, bool includeManualOverride) => (staleOnly, includeManualOverride) switch
    {
        (true, true) => throw new LamassuOpsException(StripScopeConflict, FailureKind.InvalidArgument,
            "-StaleOnly removes fewer rows than the default and -IncludeManualOverride more; give one of them, not both."),
        (true, false) => StripScope.StaleOnly,
        (false, true) => StripScope.Everything,
        _ => StripScope.PolicyCopies,
    };

    private readonly HashSet<string> _stripped = new(StringComparer.Ordinal);

    /// <summary>
    /// Strips <paramref name="options"/>.Path unless this instance already did in this pipeline (objects from
    /// Get-BunkerPairing or Get-BunkerSigningCondition arrive one per row, many from the same database).
    /// </summary>
    public IEnumerable<StaleSigningConditionRemoval> Run(RemoveStaleSigningConditionOptions options, IOperationHost host)
    {
        var path = System.IO.Path.GetFullPath(options.Path);
        if (!_stripped.Add(path))
        {
            host.WriteVerbose($"'{path}' was already handled in this pipeline; each database is stripped once.");
            return [];
        }
        return Strip(options, host);
    }

    private static IEnumerable<StaleSigningConditionRemoval> Strip(RemoveStaleSigningConditionOptions options, IOperationHost host)
    {
        var asOf = options.AsOf ?? DateTimeOffset.UtcNow;
        using var database = MaintenanceTransaction.Open(options.Path);
        var backup = options.NoBackup ? null : MaintenanceBackup.Destination(database.Path, options.BackupDirectory, asOf);
        // LNbits is read now, before the snapshot: a wrong -LnbitsDatabase fails before anything is written.
        var proofs = Lnbits.LnbitsPairingProof.For(options.LnbitsDatabase, asOf, host);
        // -WhatIf writes no snapshot: it classifies the live file in one read (in rollback-journal mode nsecbunkerd's
        // commits wait for that read, as they did for every strip before the snapshot).
        using var snapshot = host.IsWhatIf ? null : TakeSnapshot(database, backup, host);
        var ids = new StripTransaction.PlannedIds();
        Plan plan;
        using (var copy = snapshot?.Open(database))
        {
            var classified = copy ?? database;
            try
            {
                plan = classified.Guard(() => Plan.Count(classified, asOf, options.Scope, ids, host));
            }
            catch (LamassuOpsException) when (snapshot is not null)
            {
                // A copy that fails its verification can fail to be read as well: the operator is told what is wrong with it.
                snapshot.RequireVerified();
                throw;
            }
        }
        // The plan was made while the copy was being verified (StripSnapshot); it counts only once the copy has passed.
        snapshot?.RequireVerified();
        RowProgress.Complete(host, database.Path);
        if (!database.Schema.HasSigningConditionLifecycle && plan.Removing > 0 && !options.AcceptPermissionLoss)
            throw RefuseUpstream(database, plan);

        string? backupPath = null;
        var (before, after) = (plan.Before, plan.Before);
        if (plan.Removing == 0)
            host.WriteVerbose($"'{database.Path}': nothing to strip ({plan.Describe()}).");
        else
        {
            if (options.Scope == StripScope.Everything && plan.RemovedDenials > 0)
                host.WriteWarning($"'{database.Path}': {plan.RemovedDenials} of the rows removed are denials; those clients lose a refusal, not a grant.");
            var counts = new StripTransaction.CountsProof(plan.Removing, plan.Pairings);
            var done = MaintenancePipeline.Run(new MaintenanceRun<long>
            {
                Target = database.Path,
                Database = database,
                Summary = $"Remove {plan.Describe()}",
                // Only -WhatIf takes no snapshot, and there ShouldProcess declines before the backup and the write run.
                Backup = MaintenanceBackup.Promoting(snapshot!, backup),
                // The LNbits proof first, so that a broken pairing is named, not only the table that changed.
                Proofs = [.. proofs, new UntouchedTablesProof(MaintenanceTransaction.PairingTables), counts],
                Write = new StripTransaction.WithSnapshotAttached(snapshot!),
                Apply = () => StripTransaction.DeletePlanned(database, ids),
            }, host);
            if (done is null) yield break;
            (backupPath, before, after) = (done.Value.BackupPath, counts.Before, counts.After);
            host.WriteVerbose($"'{database.Path}': removed {plan.Describe()}; {after} SigningCondition rows remain.");
        }
        RowProgress.Complete(host, database.Path);
        var removedNothing = plan.Removing == 0;

        yield return new StaleSigningConditionRemoval
        {
            Path = database.Path,
            SchemaVariant = database.Schema.Variant,
            Scope = options.Scope,
            SigningConditionsBefore = before,
            SigningConditionsAfter = after,
            RemovedStale = removedNothing ? 0 : plan.Stale,
            RemovedRedundant = removedNothing ? 0 : plan.Redundant,
            RemovedOther = removedNothing ? 0 : plan.Other,
            Pairings = plan.Pairings,
            BackupPath = backupPath,
            KeptOverrideCount = plan.KeptCount,
            KeptOverrides = plan.Kept,
        };
    }

    private static StripSnapshot TakeSnapshot(BunkerDatabase database, string? backup, IOperationHost host)
    {
        RowProgress.Report(host, database.Path, "taking the snapshot to classify", 0);
        return StripSnapshot.Take(database, System.IO.Path.GetDirectoryName(backup ?? database.Path)!,
            backup is null ? null : MaintenanceTransaction.BackupDirectoryParameter, host.CancellationToken);
    }

    private static LamassuOpsException RefuseUpstream(BunkerDatabase database, Plan plan) => new(UpstreamSchemaStripRefused,
        FailureKind.InvalidOperation,
        $"Not stripping '{database.Path}': it has the upstream schema (no live-grant lifecycle migration), where nsecbunkerd " +
        $"grants only through SigningCondition rows. Removing {plan.Describe()} would remove every permission the tokens " +
        $"gave: {plan.Pairings} paired clients would stop signing. Nothing was changed.",
        database.Path,
        "Upgrade nsecbunkerd to the live-grant fork and apply its migrations first, or pass -AcceptPermissionLoss if losing those permissions is intended (-Force does not do this).");

    /// <summary>What the strip would remove, counted by one streaming pass over the classifier's output.</summary>
    private sealed class Plan
    {
        public long Before { get; private init; }

        public long Stale { get; private set; }

        public long Redundant { get; private set; }

        public long Other { get; private set; }

        public long RemovedDenials { get; private set; }

        public long Pairings { get; private init; }

        /// <summary>The first <see cref="KeptOverridesListed"/> kept rows; <see cref="KeptCount"/> counts all of them.</summary>
        public List<BunkerSigningCondition> Kept { get; } = [];

        public long KeptCount { get; private set; }

        public long Removing => Stale + Redundant + Other;

        public string Describe()
        {
            var parts = new List<string>();
            if (Stale > 0) parts.Add($"{Stale} stale");
            if (Redundant > 0) parts.Add($"{Redundant} redundant");
            var copies = parts.Count == 0 ? "no policy copies" : string.Join(" and ", parts) + " policy copies";
            var other = Other > 0 ? $" and {Other} manual overrides or orphans" : "";
            return $"{copies}{other} of {Before} SigningCondition rows, keeping {KeptCount} manual overrides or orphans";
        }

        /// <summary>Classifies <paramref name="snapshot"/> once, streaming the ids of the rows to remove into <paramref name="ids"/>.</summary>
        public static Plan Count(BunkerDatabase snapshot, DateTimeOffset asOf, StripScope scope, StripTransaction.PlannedIds ids, IOperationHost host)
        {
            var plan = new Plan
            {
                Before = StripTransaction.CountConditions(snapshot),
                Pairings = StripTransaction.CountPairings(snapshot),
            };
            // Rows come ordered by KeyUser: the one pass tells, per client, what goes and what stays.
            var client = new ClientTally(host);
            var progress = new RowProgress(host, snapshot.Path, "classifying", plan.Before);
            foreach (var row in new SigningConditionClassifier(snapshot, asOf).Classify(host.CancellationToken))
            {
                progress.Add();
                var removed = plan.Add(row, scope);
                client.Add(row, removed);
                if (removed) ids.Add(row.Id);
            }
            client.Flush();
            return plan;
        }

        /// <summary>Counts a row in; true when it is to be removed.</summary>
        private bool Add(BunkerSigningCondition row, StripScope scope)
        {
            var isCopy = row.Classification == SigningConditionClass.PolicyCopy;
            var remove = scope switch
            {
                StripScope.Everything => true,
                StripScope.StaleOnly => isCopy && row.Verdict == SigningConditionVerdict.Stale,
                _ => isCopy,
            };
            if (!remove)
            {
                if (!isCopy && ++KeptCount <= KeptOverridesListed) Kept.Add(row);
                return false;
            }
            if (!isCopy) Other++;
            else if (row.Verdict == SigningConditionVerdict.Stale) Stale++;
            else Redundant++;
            if (row.Allowed == false) RemovedDenials++;
            return true;
        }
    }

    /// <summary>A progress record every <see cref="Every"/> SigningCondition rows of a classifying pass, which on a large table takes seconds.</summary>
    private sealed class RowProgress(IOperationHost host, string path, string stage, long total)
    {
        private const int Every = 5000;
        private long _rows;

        public void Add()
        {
            if (++_rows % Every != 0) return;
            var percent = (int)Math.Min(99, _rows * 100 / Math.Max(1, total));
            host.WriteProgress(new OperationProgress(Activity(path), $"{stage}: {_rows} of {total} SigningCondition rows", percent));
        }

        public static void Report(IOperationHost host, string path, string stage, int percent) =>
            host.WriteProgress(new OperationProgress(Activity(path), stage, percent));

        public static void Complete(IOperationHost host, string path) =>
            host.WriteProgress(new OperationProgress(Activity(path), "done", 100, Completed: true));

        private static string Activity(string path) => $"Stripping SigningCondition of {System.IO.Path.GetFileName(path)}";
    }

    /// <summary>One verbose line per KeyUser: which of its rows the strip removes (the first few listed) and how many it keeps.</summary>
    private sealed class ClientTally(IOperationHost host)
    {
        private const int Listed = 20;
        private readonly bool _wanted = host.WantsVerbose;
        private readonly List<string> _listed = [];
        private BunkerSigningCondition? _first;
        private int _removed;
        private int _kept;

        public void Add(BunkerSigningCondition row, bool removed)
        {
            if (!_wanted) return;
            if (_first is not null && _first.KeyUserId != row.KeyUserId) Flush();
            _first ??= row;
            if (!removed)
            {
                _kept++;
                return;
            }
            if (++_removed <= Listed) _listed.Add($"{row.Id} ({row.Method}, {row.Kind ?? "NULL"}, {(object?)row.Verdict ?? row.Classification})");
        }

        public void Flush()
        {
            if (_first is null) return;
            var client = _first.KeyUserId is null ? "Rows without a KeyUser"
                : $"KeyUser {_first.KeyUserId} ({_first.KeyName}, client {_first.ClientPubkey?[..Math.Min(12, _first.ClientPubkey.Length)]}…)";
            var more = _removed > Listed ? $" and {_removed - Listed} more" : "";
            host.WriteVerbose(_removed == 0
                ? $"{client}: nothing removed, {_kept} kept."
                : $"{client}: removes {_removed} SigningCondition rows: {string.Join(", ", _listed)}{more}; {_kept} kept.");
            (_first, _removed, _kept) = (null, 0, 0);
            _listed.Clear();
        }
    }
}
