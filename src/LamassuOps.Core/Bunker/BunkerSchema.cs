using Microsoft.Data.Sqlite;

namespace LamassuOps.Core.Bunker;

/// <summary>Which nsecbunkerd schema a database has, judged from the columns present.</summary>
public enum BunkerSchemaVariant
{
    /// <summary>kind-0/nsecbunkerd: grants are the SigningCondition rows; no live token join.</summary>
    Upstream,

    /// <summary>The live-grant fork: tokens are evaluated live; SigningCondition rows are an override layer.</summary>
    LiveGrant,
}

/// <summary>The fork's additions, each detected on its own (a database can be part-way through the fork's migrations).</summary>
[Flags]
public enum BunkerSchemaFeatures
{
    None = 0,

    /// <summary>Token.revokedAt (20260530112308_add_token_revoked_at).</summary>
    TokenRevokedAt = 1,

    /// <summary>SigningCondition.createdAt, expiresAt, revokedAt (20260619125847_live_grant_lifecycle_schema).</summary>
    SigningConditionLifecycle = 2,

    /// <summary>Request.keyUserId (20260619125847_live_grant_lifecycle_schema).</summary>
    RequestKeyUserId = 4,

    /// <summary>The SigningLog table (the fork's usage-window migration).</summary>
    SigningLog = 8,

    /// <summary>PolicyRule.windowSeconds (the fork's usage-window migration).</summary>
    PolicyRuleWindowSeconds = 16,
}

/// <summary>One column as <c>pragma_table_info</c> reports it.</summary>
public sealed record BunkerColumn(string Name, string Type, bool NotNull, string? DefaultValue, int PrimaryKeyPosition);

/// <summary>
/// The schema of an open nsecbunkerd database, read from <c>sqlite_master</c> and <c>pragma_table_info</c>
/// (never assumed from a version or migration name).
/// </summary>
public sealed class BunkerSchema
{
    /// <summary>The tables without which a file is not an nsecbunkerd database.</summary>
    public static readonly IReadOnlyList<string> RequiredTables = ["KeyUser", "Token", "SigningCondition"];

    /// <summary>Every table of the upstream schema.</summary>
    public static readonly IReadOnlyList<string> UpstreamTables =
        ["Request", "KeyUser", "Key", "User", "SigningCondition", "Log", "Policy", "PolicyRule", "Token"];

    public const string MigrationsTable = "_prisma_migrations";

    /// <summary>
    /// The columns of the upstream tables LamassuOps reads, as the 22 upstream migrations leave them (less
    /// PolicyRule.currentUsageCount, which the fork drops).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> UpstreamColumns = new Dictionary<string, string[]>
    {
        ["KeyUser"] = ["id", "keyName", "userPubkey", "createdAt", "updatedAt", "lastUsedAt", "description", "revokedAt"],
        ["Token"] = ["id", "keyName", "token", "clientName", "createdBy", "createdAt", "updatedAt", "deletedAt", "expiresAt", "redeemedAt",
            "keyUserId", "policyId"],
        ["SigningCondition"] = ["id", "method", "kind", "content", "keyUserKeyName", "allowed", "keyUserId"],
        ["Policy"] = ["id", "name", "createdAt", "updatedAt", "expiresAt", "deletedAt", "description"],
        ["PolicyRule"] = ["id", "method", "kind", "maxUsageCount", "policyId"],
        ["Request"] = ["id", "keyName", "createdAt", "requestId", "remotePubkey", "method", "params", "allowed"],
    };

    private readonly Dictionary<string, IReadOnlyList<BunkerColumn>> _tables;

    private BunkerSchema(Dictionary<string, IReadOnlyList<BunkerColumn>> tables)
    {
        _tables = tables;
        Features = Detect(BunkerSchemaFeatures.TokenRevokedAt, HasColumn("Token", "revokedAt"))
            | Detect(BunkerSchemaFeatures.SigningConditionLifecycle,
                HasColumn("SigningCondition", "createdAt") && HasColumn("SigningCondition", "expiresAt")
                && HasColumn("SigningCondition", "revokedAt"))
            | Detect(BunkerSchemaFeatures.RequestKeyUserId, HasColumn("Request", "keyUserId"))
            | Detect(BunkerSchemaFeatures.SigningLog, HasTable("SigningLog"))
            | Detect(BunkerSchemaFeatures.PolicyRuleWindowSeconds, HasColumn("PolicyRule", "windowSeconds"));
    }

    /// <summary>Tables by name (case-insensitive, as SQLite resolves them), excluding sqlite_* internals.</summary>
    public IReadOnlyCollection<string> TableNames => _tables.Keys;

    public BunkerSchemaFeatures Features { get; }

    /// <summary>LiveGrant when any of the fork's additions is present.</summary>
    public BunkerSchemaVariant Variant => Features == BunkerSchemaFeatures.None ? BunkerSchemaVariant.Upstream : BunkerSchemaVariant.LiveGrant;

    public bool HasTokenRevokedAt => Features.HasFlag(BunkerSchemaFeatures.TokenRevokedAt);

    public bool HasSigningConditionLifecycle => Features.HasFlag(BunkerSchemaFeatures.SigningConditionLifecycle);

    public bool HasRequestKeyUserId => Features.HasFlag(BunkerSchemaFeatures.RequestKeyUserId);

    public bool HasSigningLog => Features.HasFlag(BunkerSchemaFeatures.SigningLog);

    public bool HasPolicyRuleWindowSeconds => Features.HasFlag(BunkerSchemaFeatures.PolicyRuleWindowSeconds);

    /// <summary>Upstream's usage counter; the fork's usage-window migration drops it.</summary>
    public bool HasPolicyRuleCurrentUsageCount => HasColumn("PolicyRule", "currentUsageCount");

    public bool HasMigrationsTable => HasTable(MigrationsTable);

    /// <summary>The required tables this database lacks (empty for an nsecbunkerd database).</summary>
    public IReadOnlyList<string> MissingRequiredTables => RequiredTables.Where(t => !HasTable(t)).ToList();

    /// <summary>Upstream tables this database lacks.</summary>
    public IReadOnlyList<string> MissingUpstreamTables => UpstreamTables.Where(t => !HasTable(t)).ToList();

    /// <summary>"Table.column" for each column of <see cref="UpstreamColumns"/> missing from a table that exists.</summary>
    public IReadOnlyList<string> MissingUpstreamColumns =>
        UpstreamColumns.Where(t => HasTable(t.Key)).SelectMany(t => t.Value.Where(c => !HasColumn(t.Key, c)).Select(c => $"{t.Key}.{c}")).ToList();

    public bool HasTable(string table) => _tables.ContainsKey(table);

    public bool HasColumn(string table, string column) =>
        _tables.TryGetValue(table, out var columns) && columns.Any(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase));

    /// <summary>The columns of <paramref name="table"/> in declaration order, or an empty list when it does not exist.</summary>
    public IReadOnlyList<BunkerColumn> Columns(string table) => _tables.TryGetValue(table, out var columns) ? columns : [];

    /// <summary>Reads the schema over an open connection.</summary>
    public static BunkerSchema Read(SqliteConnection connection)
    {
        var tables = new Dictionary<string, IReadOnlyList<BunkerColumn>>(StringComparer.OrdinalIgnoreCase);
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk " +
            "FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p " +
            "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name, p.cid";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var table = reader.GetString(0);
            if (!tables.TryGetValue(table, out var columns)) tables[table] = columns = new List<BunkerColumn>();
            ((List<BunkerColumn>)columns).Add(new BunkerColumn(reader.GetString(1), reader.GetString(2), reader.GetInt64(3) != 0,
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5)));
        }
        return new BunkerSchema(tables);
    }

    /// <summary>A short description for findings and verbose output, e.g. "live-grant fork (Token.revokedAt, ...)".</summary>
    public string Describe() => Variant == BunkerSchemaVariant.Upstream
        ? "upstream nsecbunkerd schema"
        : $"live-grant fork schema ({string.Join(", ", DescribeFeatures(Features))})";

    /// <summary>Names of the fork's additions in <paramref name="features"/> ("Token.revokedAt", ...), in migration order.</summary>
    public static IEnumerable<string> DescribeFeatures(BunkerSchemaFeatures features) =>
        FeatureNames.Where(f => features.HasFlag(f.Feature)).Select(f => f.Name);

    private static readonly (BunkerSchemaFeatures Feature, string Name)[] FeatureNames =
    [
        (BunkerSchemaFeatures.TokenRevokedAt, "Token.revokedAt"),
        (BunkerSchemaFeatures.SigningConditionLifecycle, "SigningCondition lifecycle columns"),
        (BunkerSchemaFeatures.RequestKeyUserId, "Request.keyUserId"),
        (BunkerSchemaFeatures.SigningLog, "SigningLog"),
        (BunkerSchemaFeatures.PolicyRuleWindowSeconds, "PolicyRule.windowSeconds"),
    ];

    /// <summary>Every addition of the live-grant fork.</summary>
    public const BunkerSchemaFeatures AllFeatures = BunkerSchemaFeatures.TokenRevokedAt | BunkerSchemaFeatures.SigningConditionLifecycle
        | BunkerSchemaFeatures.RequestKeyUserId | BunkerSchemaFeatures.SigningLog | BunkerSchemaFeatures.PolicyRuleWindowSeconds;

    private static BunkerSchemaFeatures Detect(BunkerSchemaFeatures feature, bool present) =>
        present ? feature : BunkerSchemaFeatures.None;
}
