using LamassuOps.Core.Bunker;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Tests.Fixtures.Bunker;

/// <summary>A SigningCondition row for <see cref="BunkerBulkWriter"/>. Lifecycle dates need the fork's lifecycle schema.</summary>
public sealed record BulkSigningCondition(long? KeyUserId, string? Method, string? Kind, bool? Allowed,
    DateTimeOffset? CreatedAt = null, DateTimeOffset? ExpiresAt = null, DateTimeOffset? RevokedAt = null,
    BunkerDateEncoding? DateEncoding = null);

/// <summary>A Request row (the daemon's short-lived NIP-46 request log). KeyUserId needs the fork's lifecycle schema.</summary>
public sealed record BulkRequest(string? KeyName, string RemotePubkey, string Method, DateTimeOffset CreatedAt,
    bool? Allowed = null, long? KeyUserId = null, string? Params = null, BunkerDateEncoding? DateEncoding = null);

/// <summary>A SigningLog row (the fork's usage log).</summary>
public sealed record BulkSigningLog(long KeyUserId, string Method, string? Kind, DateTimeOffset CreatedAt,
    BunkerDateEncoding? DateEncoding = null);

/// <summary>
/// Inserts many rows inside the one transaction <see cref="BunkerFixture.Bulk"/> holds, each table through one
/// prepared statement. Rows are produced one at a time, so millions never sit in memory.
/// </summary>
public sealed class BunkerBulkWriter
{
    private readonly SqliteConnection _connection;
    private readonly BunkerFixture _fixture;

    internal BunkerBulkWriter(SqliteConnection connection, BunkerFixture fixture)
    {
        _connection = connection;
        _fixture = fixture;
    }

    public void SigningConditions(int count, Func<int, BulkSigningCondition> row)
    {
        var lifecycle = _fixture.HasSigningConditionLifecycle;
        Insert(count,
            "INSERT INTO SigningCondition (method, kind, allowed, keyUserId" + (lifecycle ? ", createdAt, expiresAt, revokedAt)" : ")") +
            " VALUES ($method, $kind, $allowed, $keyUserId" + (lifecycle ? ", coalesce($createdAt, CURRENT_TIMESTAMP), $expiresAt, $revokedAt)" : ")"),
            i =>
            {
                var r = row(i);
                if (!lifecycle && (r.CreatedAt ?? r.ExpiresAt ?? r.RevokedAt) is not null)
                    throw new InvalidOperationException("SigningCondition dates need the fork's lifecycle schema.");
                return [("$method", r.Method), ("$kind", r.Kind), ("$allowed", r.Allowed), ("$keyUserId", r.KeyUserId),
                    ("$createdAt", _fixture.Date(r.CreatedAt, r.DateEncoding)), ("$expiresAt", _fixture.Date(r.ExpiresAt, r.DateEncoding)),
                    ("$revokedAt", _fixture.Date(r.RevokedAt, r.DateEncoding))];
            });
    }

    public void Requests(int count, Func<int, BulkRequest> row)
    {
        var withKeyUser = _fixture.Schema >= BunkerFixtureSchema.ForkLifecycle;
        Insert(count,
            "INSERT INTO Request (id, keyName, createdAt, requestId, remotePubkey, method, params, allowed" + (withKeyUser ? ", keyUserId)" : ")") +
            " VALUES ($id, $keyName, $createdAt, $requestId, $remotePubkey, $method, $params, $allowed" + (withKeyUser ? ", $keyUserId)" : ")"),
            i =>
            {
                var r = row(i);
                if (!withKeyUser && r.KeyUserId is not null)
                    throw new InvalidOperationException("Request.keyUserId needs the fork's lifecycle schema.");
                var id = BunkerFixture.Uuid($"bulk-request:{_fixture.NextSequence()}");
                return [("$id", id), ("$keyName", r.KeyName), ("$createdAt", _fixture.Date(r.CreatedAt, r.DateEncoding)),
                    ("$requestId", id[..8]), ("$remotePubkey", r.RemotePubkey), ("$method", r.Method), ("$params", r.Params),
                    ("$allowed", r.Allowed), ("$keyUserId", r.KeyUserId)];
            });
    }

    public void SigningLog(int count, Func<int, BulkSigningLog> row)
    {
        if (_fixture.Schema < BunkerFixtureSchema.LiveGrant) throw new InvalidOperationException("SigningLog is the fork's usage-window table.");
        Insert(count, "INSERT INTO SigningLog (keyUserId, method, kind, createdAt) VALUES ($keyUserId, $method, $kind, $createdAt)",
            i =>
            {
                var r = row(i);
                return [("$keyUserId", r.KeyUserId), ("$method", r.Method), ("$kind", r.Kind),
                    ("$createdAt", _fixture.Date(r.CreatedAt, r.DateEncoding))];
            });
    }

    private void Insert(int count, string sql, Func<int, (string Name, object? Value)[]> values)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        var parameters = new Dictionary<string, SqliteParameter>();
        for (var i = 0; i < count; i++)
        {
            foreach (var (name, value) in values(i))
            {
                if (!parameters.TryGetValue(name, out var parameter))
                    parameters[name] = parameter = command.Parameters.Add(new SqliteParameter(name, null));
                parameter.Value = value ?? DBNull.Value;
            }
            command.ExecuteNonQuery();
        }
    }
}
