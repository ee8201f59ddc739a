using System.Globalization;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Tests.Fixtures.Bunker;

public enum GrantDecision
{
    /// <summary>The daemon signs.</summary>
    Allow,

    /// <summary>The daemon refuses.</summary>
    Deny,

    /// <summary>Nothing decides: the daemon asks an admin.</summary>
    Undecided,
}

/// <summary>
/// A test oracle: decides one NIP-46 request the way nsecbunkerd does, from the rules in
/// shared/reference/nsecbunkerd.md, reading the database with its own SQL (it shares no code with Core).
/// Upstream ACL on the upstream schema; the live-grant fork's rules when SigningCondition has the lifecycle
/// columns. Where the reference is silent it follows the upstream ACL: a sign_event grant matches the event's
/// kind or 'all' (a NULL kind matches no event), other methods ignore kind.
/// </summary>
public sealed class GrantEvaluator
{
    private readonly string _databasePath;
    private readonly bool _liveGrant;
    private readonly bool _hasSigningLog;

    public GrantEvaluator(string databasePath)
    {
        _databasePath = databasePath;
        using var connection = Open();
        _liveGrant = Columns(connection, "SigningCondition").Contains("expiresAt");
        _hasSigningLog = Columns(connection, "PolicyRule").Contains("windowSeconds")
            && Columns(connection, "SigningLog").Count > 0;
    }

    public GrantDecision Decide(string keyName, string clientPubkey, string method, int? kind, DateTimeOffset now)
    {
        using var connection = Open();
        var keyUser = FindKeyUser(connection, keyName, clientPubkey);
        if (keyUser is null) return GrantDecision.Undecided;
        var conditions = SigningConditions(connection, keyUser.Value.Id);
        return _liveGrant
            ? DecideLive(connection, keyUser.Value, conditions, method, kind, now)
            : DecideUpstream(keyUser.Value, conditions, method, kind);
    }

    /// <summary>Upstream steps 2-4: a '*' denial, then the first row for the method decides, revocation denies a grant.</summary>
    private static GrantDecision DecideUpstream(KeyUserRow keyUser, IReadOnlyList<ConditionRow> conditions,
        string method, int? kind)
    {
        if (conditions.Any(c => c.Method == "*" && c.Allowed == false)) return GrantDecision.Deny;
        var match = conditions.FirstOrDefault(c => Matches(c.Method, c.Kind, method, kind));
        if (match is null || match.Allowed is null) return GrantDecision.Undecided;
        if (match.Allowed == true && keyUser.Revoked) return GrantDecision.Deny;
        return match.Allowed == true ? GrantDecision.Allow : GrantDecision.Deny;
    }

    /// <summary>
    /// Fork: a revoked KeyUser is denied; then the override layer (only rows not revoked and not past their own
    /// expiry; denials beat grants); then the live join KeyUser -> Token -> Policy -> PolicyRule over live tokens,
    /// with usage caps counted from SigningLog.
    /// </summary>
    private GrantDecision DecideLive(SqliteConnection connection, KeyUserRow keyUser, IReadOnlyList<ConditionRow> conditions,
        string method, int? kind, DateTimeOffset now)
    {
        if (keyUser.Revoked) return GrantDecision.Deny;
        var active = conditions.Where(c => c.RevokedAt is null && (c.ExpiresAt is null || c.ExpiresAt > now)).ToList();
        if (active.Any(c => c.Allowed == false && (c.Method == "*" || Matches(c.Method, c.Kind, method, kind))))
            return GrantDecision.Deny;
        if (active.Any(c => c.Allowed == true && Matches(c.Method, c.Kind, method, kind)))
            return GrantDecision.Allow;
        return LiveRules(connection, keyUser.Id, now)
            .Any(rule => Matches(rule.Method, rule.Kind, method, kind) && !CapReached(connection, keyUser.Id, rule, now))
            ? GrantDecision.Allow
            : GrantDecision.Undecided;
    }

    private static bool Matches(string? grantedMethod, string? grantedKind, string method, int? kind)
    {
        if (grantedMethod != method) return false;
        if (method != "sign_event") return true;
        return grantedKind == "all" || (kind is not null && grantedKind == kind.Value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Rules of the KeyUser's live tokens: not revoked, not past expiresAt (expiry equal to now is dead).</summary>
    private static List<RuleRow> LiveRules(SqliteConnection connection, long keyUserId, DateTimeOffset now)
    {
        var hasRevokedAt = Columns(connection, "Token").Contains("revokedAt");
        var hasWindow = Columns(connection, "PolicyRule").Contains("windowSeconds");
        var rules = new List<RuleRow>();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT r.method, r.kind, r.maxUsageCount, {(hasWindow ? "r.windowSeconds" : "NULL")},
                   t.expiresAt, {(hasRevokedAt ? "t.revokedAt" : "NULL")}
            FROM Token t JOIN PolicyRule r ON r.policyId = t.policyId
            WHERE t.keyUserId = $keyUser
            """;
        command.Parameters.AddWithValue("$keyUser", keyUserId);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var expiresAt = DateValue(reader.GetValue(4));
            var tokenLive = reader.IsDBNull(5) && (expiresAt is null || expiresAt > now);
            if (!tokenLive) continue;
            rules.Add(new RuleRow(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3)));
        }
        return rules;
    }

    /// <summary>A capped rule counts its method's SigningLog rows (of its kind when it names one) inside its window; NULL window = lifetime.</summary>
    private bool CapReached(SqliteConnection connection, long keyUserId, RuleRow rule, DateTimeOffset now)
    {
        if (rule.MaxUsageCount is null || !_hasSigningLog) return false;
        var since = rule.WindowSeconds is { } seconds ? now.AddSeconds(-seconds) : (DateTimeOffset?)null;
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT kind, createdAt FROM SigningLog WHERE keyUserId = $keyUser AND method = $method";
        command.Parameters.AddWithValue("$keyUser", keyUserId);
        command.Parameters.AddWithValue("$method", rule.Method);
        using var reader = command.ExecuteReader();
        long used = 0;
        while (reader.Read())
        {
            var kind = reader.IsDBNull(0) ? null : reader.GetString(0);
            if (rule.Kind is not null && rule.Kind != "all" && kind != rule.Kind) continue;
            // A createdAt that is no date counts as used: the oracle never assumes quota is free.
            var createdAt = DateValue(reader.GetValue(1));
            if (since is null || createdAt is null || createdAt > since) used++;
        }
        return used >= rule.MaxUsageCount;
    }

    private static KeyUserRow? FindKeyUser(SqliteConnection connection, string keyName, string clientPubkey)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, revokedAt FROM KeyUser WHERE keyName = $key AND userPubkey = $pubkey";
        command.Parameters.AddWithValue("$key", keyName);
        command.Parameters.AddWithValue("$pubkey", clientPubkey);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new KeyUserRow(reader.GetInt64(0), !reader.IsDBNull(1)) : null;
    }

    private IReadOnlyList<ConditionRow> SigningConditions(SqliteConnection connection, long keyUserId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT method, kind, allowed, {(_liveGrant ? "expiresAt, revokedAt" : "NULL, NULL")}
            FROM SigningCondition WHERE keyUserId = $keyUser ORDER BY id
            """;
        command.Parameters.AddWithValue("$keyUser", keyUserId);
        using var reader = command.ExecuteReader();
        var rows = new List<ConditionRow>();
        while (reader.Read())
            rows.Add(new ConditionRow(
                reader.IsDBNull(0) ? null : reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2) != 0,
                DateValue(reader.GetValue(3)),
                DateValue(reader.GetValue(4))));
        return rows;
    }

    /// <summary>Both encodings: INTEGER milliseconds (also as all-digit TEXT) and CURRENT_TIMESTAMP text (UTC); null for NULL or no date.</summary>
    internal static DateTimeOffset? DateValue(object value) => value switch
    {
        DBNull => null,
        long ms => DateTimeOffset.FromUnixTimeMilliseconds(ms),
        double ms => DateTimeOffset.FromUnixTimeMilliseconds((long)ms),
        string text when text.Length > 0 && text.All(char.IsAsciiDigit) =>
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(text, CultureInfo.InvariantCulture)),
        string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date) => date,
        _ => null,
    };

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = _databasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static HashSet<string> Columns(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info($table)";
        command.Parameters.AddWithValue("$table", table);
        using var reader = command.ExecuteReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    private readonly record struct KeyUserRow(long Id, bool Revoked);

    private sealed record ConditionRow(string? Method, string? Kind, bool? Allowed, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

    private sealed record RuleRow(string Method, string? Kind, long? MaxUsageCount, long? WindowSeconds);
}
