using System.Security.Cryptography;

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

    /// <summary>The manual overrides and orphans that stayed, as Get-BunkerSigningCondition classifies them (with -StaleOnly, redundant copies stay too but are not listed).</summary>
    public required IReadOnlyList<BunkerSigningCondition> KeptOverrides { get; init; }
}

/// <summary>
/// Remove-StaleSigningCondition: the runbook's strip of the SigningCondition photocopies, done so that no pairing can
/// be lost. Rows are chosen by the classifier (<see cref="SigningConditionClassifier"/>); the plan is counted and
/// confirmed first, a verified backup is taken, and the delete runs in one write transaction that classifies again,
/// checks the result is exactly the confirmed plan (row kinds and a digest of the row ids), deletes through a
/// temporary id table (streamed, never held in memory), and commits only when KeyUser, Token, Policy and
/// PolicyRule are byte-for-byte as before and every pairing is still there.
/// </summary>
public sealed class StaleSigningConditionStrip
{
    public const string UpstreamSchemaStripRefused = "UpstreamSchemaStripRefused";
    public const string StripPlanChanged = "StripPlanChanged";
    public const string StripPairingLost = "StripPairingLost";

    public const string StripScopeConflict = "StripScopeConflict";

    private const string IdTable = "temp.lamassuops_strip_ids";

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
        var plan = database.Guard(() => Plan.Count(database, asOf, options.Scope, host));
        RowProgress.Complete(host, database.Path);
        if (!database.Schema.HasSigningConditionLifecycle && plan.Removing > 0 && !options.AcceptPermissionLoss)
            throw RefuseUpstream(database, plan);

        if (plan.Removing == 0)
            host.WriteVerbose($"'{database.Path}': nothing to strip ({plan.Describe()}).");
        else if (!host.ShouldProcess(database.Path, $"Remove {plan.Describe()}"))
            yield break;
        if (plan.Removing > 0 && options.Scope == StripScope.Everything && plan.RemovedDenials > 0)
            host.WriteWarning($"'{database.Path}': {plan.RemovedDenials} of the rows removed are denials; those clients lose a refusal, not a grant.");

        string? backupPath = null;
        var (done, after) = (plan, plan.Before);
        if (plan.Removing > 0)
        {
            ((done, after), backupPath) = MaintenanceTransaction.RunAfterBackup(database, options.NoBackup, options.BackupDirectory, asOf,
                MaintenanceTransaction.PairingTables, () => DeleteExactly(database, plan, asOf, options.Scope, host), host);
            host.WriteVerbose($"'{database.Path}': removed {done.Describe()}; {after} SigningCondition rows remain.");
        }
        RowProgress.Complete(host, database.Path);
        var removedNothing = plan.Removing == 0;

        yield return new StaleSigningConditionRemoval
        {
            Path = database.Path,
            SchemaVariant = database.Schema.Variant,
            Scope = options.Scope,
            SigningConditionsBefore = done.Before,
            SigningConditionsAfter = after,
            RemovedStale = removedNothing ? 0 : done.Stale,
            RemovedRedundant = removedNothing ? 0 : done.Redundant,
            RemovedOther = removedNothing ? 0 : done.Other,
            Pairings = done.Pairings,
            BackupPath = backupPath,
            KeptOverrides = done.Kept,
        };
    }

    private static LamassuOpsException RefuseUpstream(BunkerDatabase database, Plan plan) => new(UpstreamSchemaStripRefused,
        FailureKind.InvalidOperation,
        $"Not stripping '{database.Path}': it has the upstream schema (no live-grant lifecycle migration), where nsecbunkerd " +
        $"grants only through SigningCondition rows. Removing {plan.Describe()} would remove every permission the tokens " +
        $"gave: {plan.Pairings} paired clients would stop signing. Nothing was changed.",
        database.Path,
        "Upgrade nsecbunkerd to the live-grant fork and apply its migrations first, or pass -AcceptPermissionLoss if losing those permissions is intended (-Force does not do this).");

    /// <summary>
    /// Inside the write transaction: classify again, collect the ids, and delete exactly the confirmed rows. Rows added
    /// meanwhile that are not to be removed (a new manual override) do not matter; any change to what goes does.
    /// </summary>
    private static (Plan Done, long Remaining) DeleteExactly(BunkerDatabase database, Plan confirmed, DateTimeOffset asOf, StripScope scope, IOperationHost host)
    {
        database.Execute($"DROP TABLE IF EXISTS {IdTable}");
        database.Execute($"CREATE TABLE {IdTable} (id INTEGER PRIMARY KEY)");
        var now = Plan.Count(database, asOf, scope, host, IdTable);
        if (!now.SameRowsAs(confirmed))
            throw new LamassuOpsException(StripPlanChanged, FailureKind.InvalidOperation,
                $"'{database.Path}' changed between the confirmation and the strip (now {now.Describe()}); nothing was removed.",
                database.Path, "Run the strip again and confirm what it lists now.");

        var deleted = database.Execute($"DELETE FROM SigningCondition WHERE id IN (SELECT id FROM {IdTable})");
        var pairings = Plan.CountPairings(database);
        var remaining = MaintenanceTransaction.Count(database, "SELECT count(*) FROM SigningCondition");
        if (deleted != now.Removing || remaining != now.Before - now.Removing || pairings != now.Pairings)
            throw new LamassuOpsException(StripPairingLost, FailureKind.InvalidResult,
                $"The strip of '{database.Path}' would have deleted {deleted} rows (planned {now.Removing}) and left {pairings} of " +
                $"{now.Pairings} pairings; it was rolled back and nothing changed.", database.Path,
                "This is a bug: report it with the output of Get-BunkerSigningCondition.");
        database.Execute($"DROP TABLE {IdTable}");
        return (now, remaining);
    }

    /// <summary>What the strip would remove, counted by one streaming pass over the classifier's output.</summary>
    private sealed class Plan
    {
        public long Before { get; private init; }

        public long Stale { get; private set; }

        public long Redundant { get; private set; }

        public long Other { get; private set; }

        public long RemovedDenials { get; private set; }

        public long Pairings { get; private init; }

        public List<BunkerSigningCondition> Kept { get; } = [];

        /// <summary>SHA-256 over the ids to remove, in the classifier's order (KeyUser, then id).</summary>
        private string IdDigest { get; set; } = "";

        public long Removing => Stale + Redundant + Other;

        /// <summary>The same rows go (kinds and ids); rows that stay may differ.</summary>
        public bool SameRowsAs(Plan other) =>
            (Stale, Redundant, Other, IdDigest) == (other.Stale, other.Redundant, other.Other, other.IdDigest);

        public string Describe()
        {
            var parts = new List<string>();
            if (Stale > 0) parts.Add($"{Stale} stale");
            if (Redundant > 0) parts.Add($"{Redundant} redundant");
            var copies = parts.Count == 0 ? "no policy copies" : string.Join(" and ", parts) + " policy copies";
            var other = Other > 0 ? $" and {Other} manual overrides or orphans" : "";
            return $"{copies}{other} of {Before} SigningCondition rows, keeping {Kept.Count} manual overrides or orphans";
        }

        public static Plan Count(BunkerDatabase database, DateTimeOffset asOf, StripScope scope, IOperationHost host, string? idTable = null)
        {
            var plan = new Plan
            {
                Before = MaintenanceTransaction.Count(database, "SELECT count(*) FROM SigningCondition"),
                Pairings = CountPairings(database),
            };
            using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var insert = database.Connection.CreateCommand();
            insert.CommandText = $"INSERT INTO {idTable ?? "unused"} (id) VALUES ($id)";
            var id = insert.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Integer);

            // Rows come ordered by KeyUser: the first pass tells, per client, what goes and what stays.
            var client = new ClientTally(host, enabled: idTable is null);
            var progress = new RowProgress(host, database.Path, idTable is null ? "classifying" : "classifying again inside the transaction", plan.Before);
            foreach (var row in new SigningConditionClassifier(database, asOf).Classify(host.CancellationToken))
            {
                progress.Add();
                var removed = plan.Add(row, scope);
                client.Add(row, removed);
                if (!removed) continue;
                digest.AppendData(BitConverter.GetBytes(row.Id));
                if (idTable is null) continue;
                id.Value = row.Id;
                insert.ExecuteNonQuery();
            }
            client.Flush();
            plan.IdDigest = Convert.ToHexString(digest.GetHashAndReset());
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
                if (!isCopy) Kept.Add(row);
                return false;
            }
            if (!isCopy) Other++;
            else if (row.Verdict == SigningConditionVerdict.Stale) Stale++;
            else Redundant++;
            if (row.Allowed == false) RemovedDenials++;
            return true;
        }

        /// <summary>Redeemed tokens bound to a KeyUser that exists: the pairings LNbits accounts rely on.</summary>
        public static long CountPairings(BunkerDatabase database) => MaintenanceTransaction.Count(database,
            "SELECT count(*) FROM Token t JOIN KeyUser k ON k.id = t.keyUserId WHERE t.redeemedAt IS NOT NULL");
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

        public static void Complete(IOperationHost host, string path) =>
            host.WriteProgress(new OperationProgress(Activity(path), "done", 100, Completed: true));

        private static string Activity(string path) => $"Stripping SigningCondition of {System.IO.Path.GetFileName(path)}";
    }

    /// <summary>One verbose line per KeyUser: which of its rows the strip removes (the first few listed) and how many it keeps.</summary>
    private sealed class ClientTally(IOperationHost host, bool enabled)
    {
        private const int Listed = 20;
        private readonly List<string> _listed = [];
        private BunkerSigningCondition? _first;
        private int _removed;
        private int _kept;

        public void Add(BunkerSigningCondition row, bool removed)
        {
            if (!enabled) return;
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
