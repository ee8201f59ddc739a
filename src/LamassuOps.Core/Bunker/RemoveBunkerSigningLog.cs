using LamassuOps.Core.Lnbits;

namespace LamassuOps.Core.Bunker;

public sealed class RemoveBunkerSigningLogOptions
{
    /// <summary>30 days. Rows a cap still counts are kept whatever their age.</summary>
    public static readonly TimeSpan DefaultAge = TimeSpan.FromDays(30);

    public required string Path { get; init; }

    /// <summary>Prune rows created more than this long before <see cref="AsOf"/>, unless a rule still counts them.</summary>
    public TimeSpan OlderThan { get; init; } = DefaultAge;

    public bool NoBackup { get; init; }

    public string? BackupDirectory { get; init; }

    public DateTimeOffset? AsOf { get; init; }

    /// <summary>LNbits' database (a file or a PostgreSQL URL): its Healthy pairings must stay Healthy (<see cref="LnbitsPairingProof"/>).</summary>
    public string? LnbitsDatabase { get; init; }
}

/// <summary>Why old SigningLog rows were kept.</summary>
public enum SigningLogKeptReason
{
    /// <summary>A rule with a usage cap and no window (windowSeconds NULL) counts every row, forever.</summary>
    LifetimeCap,

    /// <summary>The row is inside a rule's window (windowSeconds): the cap still counts it.</summary>
    InsideRuleWindow,

    /// <summary>createdAt is no date in either encoding, so its age is unknown.</summary>
    UnreadableDate,
}

/// <summary>Old SigningLog rows that were kept, per client and method, with the rules that keep them.</summary>
public sealed class SigningLogKept
{
    public required long KeyUserId { get; init; }

    public required string? KeyName { get; init; }

    public required string Method { get; init; }

    public required SigningLogKeptReason Reason { get; init; }

    public required long Rows { get; init; }

    /// <summary>The PolicyRule ids (through the KeyUser's tokens) that count these rows; empty for UnreadableDate.</summary>
    public required string PolicyRuleIds { get; init; }

    public required string Explanation { get; init; }
}

/// <summary>What Remove-BunkerSigningLog did to one database.</summary>
public sealed class BunkerSigningLogRemoval
{
    public required string Path { get; init; }

    public required DateTimeOffset CreatedBefore { get; init; }

    public required long RowsBefore { get; init; }

    /// <summary>Rows older than the cut-off.</summary>
    public required long Old { get; init; }

    public required long Removed { get; init; }

    public required long RowsAfter { get; init; }

    public required long KeptLifetimeCap { get; init; }

    public required long KeptInsideRuleWindow { get; init; }

    public required long KeptUnreadableDate { get; init; }

    public required IReadOnlyList<SigningLogKept> Kept { get; init; }

    public required string? BackupPath { get; init; }
}

/// <summary>
/// Remove-BunkerSigningLog: prunes the live-grant fork's SigningLog, which grows by one row per signature, without
/// ever raising a client's remaining quota. The fork counts a capped rule's usage live from SigningLog inside the
/// rule's window (windowSeconds; NULL = for ever). Which rows a rule counts is decided conservatively: a rule
/// protects every row of the same KeyUser and method (whatever the kind, since how the daemon matches kinds is
/// not documented) when any token bound to that KeyUser carries the rule's policy, live or not (an expiry or
/// revocation can be changed back; when unsure, keep). A protected row is kept when a capped rule has no window
/// (lifetime cap), or when it is inside the longest window of the rules protecting it. Rows of KeyUsers with no
/// token left, or of methods no rule names, are pruned by age alone.
/// </summary>
public static class RemoveBunkerSigningLogOperation
{
    public const string NoSigningLog = "SigningLogNotPresent";
    public const string AgeNegative = "SigningLogAgeNegative";

    private const string Protection = "temp.lamassuops_signing_log_protection";

    public static IEnumerable<BunkerSigningLogRemoval> Run(RemoveBunkerSigningLogOptions options, IOperationHost host)
    {
        if (options.OlderThan < TimeSpan.Zero)
            throw new LamassuOpsException(AgeNegative, FailureKind.InvalidArgument,
                $"-OlderThan {options.OlderThan} is negative: it would count rows signed in the future as old.", options.OlderThan,
                "Give a positive age, e.g. -OlderThan 30.00:00:00 (30 days, the default).");
        var now = options.AsOf ?? DateTimeOffset.UtcNow;
        var cutoff = now - options.OlderThan;
        using var database = MaintenanceTransaction.Open(options.Path);
        if (!database.Schema.HasSigningLog || !database.Schema.HasPolicyRuleWindowSeconds)
            throw new LamassuOpsException(NoSigningLog, FailureKind.InvalidOperation,
                $"'{database.Path}' has no SigningLog table with PolicyRule.windowSeconds: it is the {database.Schema.Variant} schema without the live-grant fork's usage-window migration, and nothing there grows without bound.",
                database.Path, "Nothing to prune. (Remove-BunkerRequest removes leftover Request rows on any schema.)");

        (string, object?)[] parameters = [("$cutoff", BunkerDate.ToMilliseconds(cutoff)), ("$now", BunkerDate.ToMilliseconds(now))];
        var plan = Plan(database, parameters);
        var proofs = LnbitsPairingProof.For(options.LnbitsDatabase, now, host);
        string? backupPath = null;
        var removed = 0L;
        if (plan.Removable == 0)
            host.WriteVerbose($"No SigningLog row in '{database.Path}' can go: {plan.Old} are older than {cutoff:u}, all still counted or of unknown age.");
        else
        {
            var done = MaintenancePipeline.Run(new MaintenanceRun<(PrunePlan, long)>
            {
                Target = database.Path,
                Database = database,
                Summary = $"Delete {plan.Removable} SigningLog rows created before {cutoff:u} (keeping {plan.Old - plan.Removable} old rows that usage caps still count)",
                Backup = MaintenanceBackup.Beside(options.NoBackup, options.BackupDirectory, now),
                Proofs = [.. proofs, new PreservedTablesProof([.. MaintenanceTransaction.PairingTables, "SigningCondition"])],
                Apply = () => Prune(database, parameters),
            }, host);
            if (done is null) yield break;
            ((plan, removed), backupPath) = done.Value;
        }

        foreach (var kept in plan.Kept) host.WriteVerbose($"Kept {kept.Rows} old rows of KeyUser {kept.KeyUserId} {kept.Method}: {kept.Explanation}");
        yield return new BunkerSigningLogRemoval
        {
            Path = database.Path,
            CreatedBefore = cutoff,
            RowsBefore = plan.Total,
            Old = plan.Old,
            Removed = removed,
            RowsAfter = plan.Total - removed,
            KeptLifetimeCap = plan.Kept.Where(k => k.Reason == SigningLogKeptReason.LifetimeCap).Sum(k => k.Rows),
            KeptInsideRuleWindow = plan.Kept.Where(k => k.Reason == SigningLogKeptReason.InsideRuleWindow).Sum(k => k.Rows),
            KeptUnreadableDate = plan.Kept.Where(k => k.Reason == SigningLogKeptReason.UnreadableDate).Sum(k => k.Rows),
            Kept = plan.Kept,
            BackupPath = backupPath,
        };
    }

    /// <summary>Inside the write transaction: plans again and deletes exactly the rows that plan names.</summary>
    private static (PrunePlan Plan, long Deleted) Prune(BunkerDatabase database, (string, object?)[] parameters)
    {
        var plan = Plan(database, parameters);
        long deleted = database.Execute($"DELETE FROM SigningLog WHERE {Removable}", parameters);
        var remaining = MaintenanceTransaction.Count(database, "SELECT count(*) FROM SigningLog");
        if (deleted != plan.Removable || remaining != plan.Total - deleted)
            throw new LamassuOpsException(MaintenanceTransaction.PreservedRowsChanged, FailureKind.InvalidResult,
                $"Pruning SigningLog in '{database.Path}' deleted {deleted} rows where {plan.Removable} were expected; rolled back.", database.Path);
        return (plan, deleted);
    }

    private static string CreatedAt => BunkerDate.SqlMilliseconds("SigningLog.createdAt");

    /// <summary>Old, of known age, and no rule protects it.</summary>
    private static string Removable =>
        $"{CreatedAt} < $cutoff AND NOT EXISTS (SELECT 1 FROM {Protection} p WHERE p.keyUserId = SigningLog.keyUserId " +
        $"AND (p.method = SigningLog.method OR p.method = '*') AND (p.lifetime = 1 OR {CreatedAt} >= $now - p.windowSeconds * 1000))";

    private sealed record PrunePlan(long Total, long Old, long Removable, IReadOnlyList<SigningLogKept> Kept);

    /// <summary>
    /// Builds the protection table (per KeyUser and rule method: is there a lifetime cap, the longest window, the
    /// rules) from every token bound to the KeyUser, and counts what would go and what stays and why.
    /// </summary>
    private static PrunePlan Plan(BunkerDatabase database, (string, object?)[] parameters)
    {
        database.Execute($"DROP TABLE IF EXISTS {Protection}");
        database.Execute($"""
            CREATE TABLE {Protection} AS
            SELECT t.keyUserId AS keyUserId, r.method AS method,
                   max(r.windowSeconds IS NULL AND r.maxUsageCount IS NOT NULL) AS lifetime,
                   max(r.windowSeconds) AS windowSeconds,
                   group_concat(DISTINCT r.id) AS ruleIds
            FROM Token t JOIN PolicyRule r ON r.policyId = t.policyId
            WHERE t.keyUserId IS NOT NULL AND (r.maxUsageCount IS NOT NULL OR r.windowSeconds IS NOT NULL)
            GROUP BY t.keyUserId, r.method
            """);
        var total = MaintenanceTransaction.Count(database, "SELECT count(*) FROM SigningLog");
        var old = MaintenanceTransaction.Count(database, $"SELECT count(*) FROM SigningLog WHERE {CreatedAt} < $cutoff", parameters);
        var removable = MaintenanceTransaction.Count(database, $"SELECT count(*) FROM SigningLog WHERE {Removable}", parameters);
        return new PrunePlan(total, old, removable, KeptRows(database, parameters));
    }

    /// <summary>Old rows that stay, grouped by KeyUser, method and reason (one pass; SQLite sorts on disk, not in memory).</summary>
    private static List<SigningLogKept> KeptRows(BunkerDatabase database, (string, object?)[] parameters)
    {
        var sql = $"""
            SELECT l.keyUserId, k.keyName, l.method, l.reason, count(*), coalesce(l.ruleIds, '')
            FROM (
                SELECT SigningLog.keyUserId, SigningLog.method,
                       CASE WHEN {CreatedAt} IS NULL THEN 'UnreadableDate'
                            WHEN max(p.lifetime) = 1 THEN 'LifetimeCap'
                            ELSE 'InsideRuleWindow' END AS reason,
                       group_concat(DISTINCT p.ruleIds) AS ruleIds
                FROM SigningLog
                LEFT JOIN {Protection} p ON p.keyUserId = SigningLog.keyUserId AND (p.method = SigningLog.method OR p.method = '*')
                WHERE {CreatedAt} IS NULL OR {CreatedAt} < $cutoff
                GROUP BY SigningLog.id
                HAVING {CreatedAt} IS NULL OR max(p.lifetime = 1 OR {CreatedAt} >= $now - p.windowSeconds * 1000) = 1
            ) AS l
            LEFT JOIN KeyUser k ON k.id = l.keyUserId
            GROUP BY l.keyUserId, l.method, l.reason, l.ruleIds
            ORDER BY l.keyUserId, l.method, l.reason
            """;
        return database.Query(sql, reader =>
        {
            var reason = Enum.Parse<SigningLogKeptReason>(reader.GetString(3));
            var rules = reader.GetString(5);
            return new SigningLogKept
            {
                KeyUserId = reader.GetInt64(0),
                KeyName = reader.IsDBNull(1) ? null : reader.GetString(1),
                Method = reader.GetString(2),
                Reason = reason,
                Rows = reader.GetInt64(4),
                PolicyRuleIds = rules,
                Explanation = reason switch
                {
                    SigningLogKeptReason.LifetimeCap => $"PolicyRule {rules} caps '{reader.GetString(2)}' with no window, so every row counts for ever.",
                    SigningLogKeptReason.InsideRuleWindow => $"inside the window of PolicyRule {rules}; the cap still counts them.",
                    _ => "createdAt is no date in either encoding; the age is unknown.",
                },
            };
        }, default, parameters).ToList();
    }
}
