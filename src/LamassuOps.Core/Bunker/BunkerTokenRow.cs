using System.Globalization;
using System.Text;

namespace LamassuOps.Core.Bunker;

/// <summary>Where a token stands at a moment (<c>-AsOf</c>).</summary>
public enum BunkerTokenState
{
    /// <summary>Not deleted, not revoked, not past expiresAt: the live-grant fork grants its policy.</summary>
    Live,

    /// <summary>expiresAt is at or before the moment.</summary>
    Expired,

    /// <summary>Token.revokedAt (live-grant fork) is at or before the moment.</summary>
    Revoked,

    /// <summary>deletedAt is at or before the moment.</summary>
    Deleted,
}

/// <summary>
/// One Token row with its policy, as the Bunker queries read it (<see cref="Columns"/> then <see cref="Read"/>).
/// The value is the secret: callers mask it.
/// </summary>
internal sealed record BunkerTokenRow(
    long Id, string KeyName, string Value, string? ClientName, long? KeyUserId, DateTimeOffset? RedeemedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? DeletedAt, long? PolicyId, bool PolicyExists,
    string? PolicyName)
{
    /// <summary>How many columns <see cref="Columns"/> selects.</summary>
    public const int ColumnCount = 12;

    /// <summary>The select list for Token <paramref name="token"/> LEFT JOINed to Policy <paramref name="policy"/>.</summary>
    public static string Columns(BunkerSchema schema, string token = "t", string policy = "p") =>
        $"{token}.id, {token}.keyName, {token}.token, {token}.clientName, {token}.keyUserId, {token}.redeemedAt, {token}.expiresAt, " +
        $"{(schema.HasTokenRevokedAt ? token + ".revokedAt" : "NULL")}, {token}.deletedAt, {token}.policyId, {policy}.id IS NOT NULL, {policy}.name";

    public static BunkerTokenRow Read(BunkerDatabase database, SqliteRow reader, int first)
    {
        var id = reader.GetInt64(first);
        DateTimeOffset? Date(int offset, string column) => database.ParseDate(reader.GetValue(first + offset), "Token", id, column);
        return new BunkerTokenRow(id, reader.GetString(first + 1), reader.GetString(first + 2), NullableString(reader, first + 3),
            NullableInt64(reader, first + 4), Date(5, "redeemedAt"), Date(6, "expiresAt"), Date(7, "revokedAt"), Date(8, "deletedAt"),
            NullableInt64(reader, first + 9), reader.GetBoolean(first + 10), NullableString(reader, first + 11));
    }

    public bool IsRedeemed => RedeemedAt is not null;

    /// <summary>Deleted beats revoked beats expired when several apply.</summary>
    public BunkerTokenState StateAt(DateTimeOffset asOf) =>
        BunkerDate.HasEnded(DeletedAt, asOf) ? BunkerTokenState.Deleted
        : BunkerDate.HasEnded(RevokedAt, asOf) ? BunkerTokenState.Revoked
        : BunkerDate.HasEnded(ExpiresAt, asOf) ? BunkerTokenState.Expired
        : BunkerTokenState.Live;

    public bool IsLiveAt(DateTimeOffset asOf) => StateAt(asOf) == BunkerTokenState.Live;

    /// <summary>"token 3 expired 2026-03-01 00:00:00Z", "token 3 is live until ...", "token 3 is live and never expires".</summary>
    public string DescribeStateAt(DateTimeOffset asOf) => AppendStateAt(new StringBuilder(64), asOf).ToString();

    /// <summary><see cref="DescribeStateAt"/> written into <paramref name="text"/>, where evidence sentences are put together.</summary>
    public StringBuilder AppendStateAt(StringBuilder text, DateTimeOffset asOf) => StateAt(asOf) switch
    {
        BunkerTokenState.Deleted => AppendDate(text.Append(Invariant, $"token {Id} was deleted "), DeletedAt),
        BunkerTokenState.Revoked => AppendDate(text.Append(Invariant, $"token {Id} was revoked "), RevokedAt),
        BunkerTokenState.Expired => AppendDate(text.Append(Invariant, $"token {Id} expired "), ExpiresAt),
        _ => ExpiresAt is { } expires
            ? AppendDate(text.Append(Invariant, $"token {Id} is live until "), expires)
            : text.Append(Invariant, $"token {Id} is live and never expires"),
    };

    /// <summary>"token 3 ('LNbits alice', policy 2 'default')".</summary>
    public StringBuilder AppendLabel(StringBuilder text) => AppendPolicyLabel(text.Append(Invariant, $"token {Id} ('{ClientName}', ")).Append(')');

    public string PolicyLabel => AppendPolicyLabel(new StringBuilder(48)).ToString();

    public StringBuilder AppendPolicyLabel(StringBuilder text) => PolicyId is null ? text.Append("no policy")
        : PolicyExists ? text.Append(Invariant, $"policy {PolicyId} '{PolicyName}'")
        : text.Append(Invariant, $"policy {PolicyId}, which no longer exists");

    /// <summary>A date the way the Bunker findings write it: UTC, to the second.</summary>
    public static string Describe(DateTimeOffset? date) => date?.ToUniversalTime().ToString(DateFormat, Invariant) ?? "never";

    /// <summary><see cref="Describe"/> written into <paramref name="text"/>, without a string of its own.</summary>
    public static StringBuilder AppendDate(StringBuilder text, DateTimeOffset? date)
    {
        if (date is not { } value) return text.Append("never");
        Span<char> formatted = stackalloc char[32]; // the format gives 20
        value.ToUniversalTime().TryFormat(formatted, out var length, DateFormat, Invariant);
        return text.Append(formatted[..length]);
    }

    private const string DateFormat = "yyyy-MM-dd HH:mm:ss'Z'";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string? NullableString(SqliteRow reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Convert.ToString(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    public static long? NullableInt64(SqliteRow reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
