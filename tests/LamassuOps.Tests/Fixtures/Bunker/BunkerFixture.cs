using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LamassuOps.Core.Bunker;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Tests.Fixtures.Bunker;

/// <summary>A token the fixture created: its row id and its 64-hex value (the NIP-46 connect secret).</summary>
public sealed record FixtureToken(long Id, string Value);

/// <summary>A PolicyRule: method, kind (NULL = any), and the fork's usage window (seconds; NULL = lifetime cap).</summary>
public sealed record FixtureRule(string Method, string? Kind = null, int? MaxUsageCount = null, int? WindowSeconds = null);

/// <summary>
/// Builds nsecbunkerd databases the way the daemon does. <see cref="Create"/> replays the migrations (upstream, or the
/// live-grant fork up to a stage) and records them in _prisma_migrations; the methods below write the rows the
/// daemon's own code paths write: token creation and redemption (upstream <c>applyToken</c>, which photocopies the
/// policy into SigningCondition; the fork with live grants writes no copies), web approval, admin replies,
/// create_account, the fork's add_signing_condition RPC, revocations and deletions.
/// Every date a step writes is <see cref="Now"/>, stored in <see cref="DateEncoding"/> (INTEGER milliseconds, as
/// Prisma Client writes, unless a test asks for TEXT). Values are deterministic, so the same calls give the same
/// file. Each step opens and closes its own connection: between steps no handle or lock is held.
/// </summary>
public sealed class BunkerFixture
{
    /// <summary>When the upstream migrations ran (fork migrations run at the date in their names).</summary>
    public static readonly DateTimeOffset MigratedAt = new(2024, 1, 15, 9, 30, 0, TimeSpan.Zero);

    /// <summary>The fixture clock's start: a fixed moment, so tests and the sample are reproducible.</summary>
    public static readonly DateTimeOffset DefaultNow = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The npub hex that created tokens (the bunker admin).</summary>
    public static readonly string AdminPubkey = Pubkey("admin");

    private static readonly ConcurrentDictionary<(BunkerFixtureSchema, bool), byte[]> Templates = new();
    private int _sequence;

    private BunkerFixture(string path, BunkerFixtureSchema schema)
    {
        Path = path;
        Schema = schema;
    }

    public string Path { get; }

    /// <summary>The schema stage the database is at (see <see cref="UpgradeTo"/>).</summary>
    public BunkerFixtureSchema Schema { get; private set; }

    /// <summary>The moment every step writes as its date. Tests move it forward to age the data.</summary>
    public DateTimeOffset Now { get; set; } = DefaultNow;

    /// <summary>How steps store dates. Milliseconds is what the daemon (Prisma Client) writes.</summary>
    public BunkerDateEncoding DateEncoding { get; set; } = BunkerDateEncoding.Milliseconds;

    /// <summary>Upstream (and the fork before live grants) photocopies the policy into SigningCondition on redemption.</summary>
    public bool RedemptionWritesCopies => Schema < BunkerFixtureSchema.ForkLifecycle;

    public bool HasSigningConditionLifecycle => Schema >= BunkerFixtureSchema.ForkLifecycle;

    /// <summary>
    /// Creates a database at <paramref name="path"/> with the schema of <paramref name="schema"/>. Without
    /// <paramref name="recordMigrations"/> there is no _prisma_migrations table, as after <c>prisma db push</c>.
    /// </summary>
    public static BunkerFixture Create(string path, BunkerFixtureSchema schema = BunkerFixtureSchema.LiveGrant,
        bool recordMigrations = true)
    {
        var template = Templates.GetOrAdd((schema, recordMigrations), key => BuildTemplate(key.Item1, key.Item2));
        File.WriteAllBytes(path, template);
        return new BunkerFixture(path, schema);
    }

    /// <summary>A deterministic 64-hex public key for a name ("alice" is always the same key).</summary>
    public static string Pubkey(string seed) => Hex("pubkey:" + seed);

    // ---- policies and tokens (admin create_new_policy / create_new_token) ----

    public long CreatePolicy(string name, params FixtureRule[] rules) => CreatePolicy(name, expiresAt: null, rules);

    public long CreatePolicy(string name, DateTimeOffset? expiresAt, params FixtureRule[] rules) => Write(c =>
    {
        var policyId = Insert(c, "INSERT INTO Policy (name, createdAt, updatedAt, expiresAt) VALUES ($name, $now, $now, $expiresAt)",
            ("$name", name), ("$now", Date(Now)), ("$expiresAt", Date(expiresAt)));
        foreach (var rule in rules) AddRule(c, policyId, rule);
        return policyId;
    });

    public long AddRule(long policyId, FixtureRule rule) => Write(c => AddRule(c, policyId, rule));

    public FixtureToken CreateToken(string keyName, string clientName, long? policyId, DateTimeOffset? expiresAt = null) => Write(c =>
    {
        var value = Hex($"token:{keyName}:{clientName}:{_sequence++}");
        var id = Insert(c,
            "INSERT INTO Token (keyName, token, clientName, createdBy, createdAt, updatedAt, expiresAt, policyId) " +
            "VALUES ($keyName, $token, $clientName, $createdBy, $now, $now, $expiresAt, $policyId)",
            ("$keyName", keyName), ("$token", value), ("$clientName", clientName), ("$createdBy", AdminPubkey),
            ("$now", Date(Now)), ("$expiresAt", Date(expiresAt)), ("$policyId", policyId));
        return new FixtureToken(id, value);
    });

    /// <summary>
    /// NIP-46 connect with the token as secret (upstream <c>applyToken</c>): refuses what the daemon refuses (unknown,
    /// already redeemed, no policy, expired at <see cref="Now"/>); upserts the KeyUser (description = clientName);
    /// while <see cref="RedemptionWritesCopies"/>, writes (connect, NULL, 1) and one (rule.method, rule.kind, 1) per
    /// PolicyRule; sets redeemedAt and keyUserId. Returns the KeyUser id.
    /// </summary>
    public long RedeemToken(FixtureToken token, string clientPubkey) => Write(c =>
    {
        using var read = Command(c, "SELECT keyName, clientName, policyId, redeemedAt, expiresAt FROM Token WHERE token = $token",
            ("$token", token.Value));
        using var reader = read.ExecuteReader();
        if (!reader.Read()) throw new InvalidOperationException("The daemon rejects an unknown token.");
        var (keyName, clientName) = (reader.GetString(0), reader.GetString(1));
        var policyId = reader.IsDBNull(2) ? (long?)null : reader.GetInt64(2);
        if (!reader.IsDBNull(3)) throw new InvalidOperationException("The daemon rejects a token that was already redeemed.");
        if (policyId is null) throw new InvalidOperationException("The daemon rejects a token without a policy.");
        if (BunkerDate.HasEnded(BunkerDate.Parse(reader.GetValue(4), Path, "Token.expiresAt"), Now))
            throw new InvalidOperationException("The daemon rejects an expired token.");
        reader.Close();

        var keyUserId = UpsertKeyUser(c, keyName, clientPubkey, clientName);
        if (RedemptionWritesCopies)
        {
            InsertCondition(c, keyUserId, "connect", null, true);
            using var rules = Command(c, "SELECT method, kind FROM PolicyRule WHERE policyId = $policyId ORDER BY id", ("$policyId", policyId));
            using var ruleReader = rules.ExecuteReader();
            var copies = new List<(string Method, string? Kind)>();
            while (ruleReader.Read()) copies.Add((ruleReader.GetString(0), ruleReader.IsDBNull(1) ? null : ruleReader.GetString(1)));
            ruleReader.Close();
            foreach (var (method, kind) in copies) InsertCondition(c, keyUserId, method, kind, true);
        }
        Execute(c, "UPDATE Token SET redeemedAt = $now, keyUserId = $keyUserId, updatedAt = $now WHERE id = $id",
            ("$now", Date(Now)), ("$keyUserId", keyUserId), ("$id", token.Id));
        return keyUserId;
    });

    // ---- grants written outside redemption ----

    /// <summary>Web approval of a request: (method, 'all', 1); approving connect also writes (sign_event, 'all', 1).</summary>
    public long WebApprove(string keyName, string clientPubkey, string method, string? description = null) => Write(c =>
    {
        var keyUserId = UpsertKeyUser(c, keyName, clientPubkey, description);
        InsertCondition(c, keyUserId, method, "all", true);
        if (method == "connect") InsertCondition(c, keyUserId, "sign_event", "all", true);
        return keyUserId;
    });

    /// <summary>The admin's "always allow" reply: (method, kind or NULL, 1).</summary>
    public long AlwaysAllow(string keyName, string clientPubkey, string method, string? kind = null) => Write(c =>
    {
        var keyUserId = UpsertKeyUser(c, keyName, clientPubkey, null);
        InsertCondition(c, keyUserId, method, kind, true);
        return keyUserId;
    });

    /// <summary>The admin's "reject" reply (upstream rejectAllRequestsFromKey): (NULL, NULL, 0).</summary>
    public long AdminReject(string keyName, string clientPubkey) => Write(c =>
    {
        var keyUserId = UpsertKeyUser(c, keyName, clientPubkey, null);
        InsertCondition(c, keyUserId, null, null, false);
        return keyUserId;
    });

    /// <summary>create_account: the Key row, the KeyUser, and (connect, NULL), (sign_event, 'all'), (encrypt, NULL), (decrypt, NULL).</summary>
    public long CreateAccount(string keyName, string clientPubkey) => Write(c =>
    {
        Insert(c, "INSERT INTO \"Key\" (keyName, createdAt, updatedAt, pubkey) VALUES ($keyName, $now, $now, $pubkey)",
            ("$keyName", keyName), ("$now", Date(Now)), ("$pubkey", Pubkey("key:" + keyName)));
        var keyUserId = UpsertKeyUser(c, keyName, clientPubkey, null);
        foreach (var (method, kind) in new[] { ("connect", (string?)null), ("sign_event", "all"), ("encrypt", null), ("decrypt", null) })
            InsertCondition(c, keyUserId, method, kind, true);
        return keyUserId;
    });

    /// <summary>The fork's admin RPC add_signing_condition: any shape, with its own expiry and revocation.</summary>
    public long AddSigningCondition(long keyUserId, string? method, string? kind, bool? allowed,
        DateTimeOffset? expiresAt = null, DateTimeOffset? revokedAt = null)
    {
        if (Schema == BunkerFixtureSchema.Upstream) throw new InvalidOperationException("add_signing_condition is a live-grant fork RPC.");
        return Write(c => InsertCondition(c, keyUserId, method, kind, allowed, expiresAt, revokedAt));
    }

    /// <summary>The fork's '*' reject: add_signing_condition(method '*', allowed 0).</summary>
    public long RejectAll(long keyUserId) => AddSigningCondition(keyUserId, "*", null, false);

    // ---- revocations and deletions ----

    public void RevokeKeyUser(long keyUserId) =>
        Write(c => Execute(c, "UPDATE KeyUser SET revokedAt = $now, updatedAt = $now WHERE id = $id", ("$now", Date(Now)), ("$id", keyUserId)));

    /// <summary>The fork's token revocation (Token.revokedAt).</summary>
    public void RevokeToken(long tokenId)
    {
        if (Schema < BunkerFixtureSchema.ForkTokenRevokedAt) throw new InvalidOperationException("Token.revokedAt is a live-grant fork column.");
        Write(c => Execute(c, "UPDATE Token SET revokedAt = $now, updatedAt = $now WHERE id = $id", ("$now", Date(Now)), ("$id", tokenId)));
    }

    /// <summary>Marks a token deleted (deletedAt), as the admin interface does.</summary>
    public void DeleteToken(long tokenId) =>
        Write(c => Execute(c, "UPDATE Token SET deletedAt = $now, updatedAt = $now WHERE id = $id", ("$now", Date(Now)), ("$id", tokenId)));

    /// <summary>
    /// Deletes a KeyUser. With foreign keys enforced (Prisma), its Token, SigningCondition, Log and Request rows keep
    /// existing with keyUserId NULL; without (an sqlite3 shell), they keep pointing at an id that is gone.
    /// </summary>
    public void DeleteKeyUser(long keyUserId, bool enforceForeignKeys = true) =>
        Write(c => Execute(c, "DELETE FROM KeyUser WHERE id = $id", ("$id", keyUserId)), enforceForeignKeys);

    // ---- traffic ----

    /// <summary>A NIP-46 request row (the fork also records the KeyUser). Returns its uuid.</summary>
    public string RecordRequest(string? keyName, string remotePubkey, string method, bool? allowed = null, long? keyUserId = null,
        string? parameters = null) => Write(c =>
    {
        var id = Uuid($"request:{_sequence++}");
        var columns = Schema >= BunkerFixtureSchema.ForkLifecycle ? ", keyUserId" : "";
        var values = Schema >= BunkerFixtureSchema.ForkLifecycle ? ", $keyUserId" : "";
        Execute(c, $"INSERT INTO Request (id, keyName, createdAt, requestId, remotePubkey, method, params, allowed{columns}) " +
                   $"VALUES ($id, $keyName, $now, $requestId, $remotePubkey, $method, $params, $allowed{values})",
            ("$id", id), ("$keyName", keyName), ("$now", Date(Now)), ("$requestId", Hex($"nip46:{id}")[..16]),
            ("$remotePubkey", remotePubkey), ("$method", method), ("$params", parameters), ("$allowed", allowed), ("$keyUserId", keyUserId));
        return id;
    });

    /// <summary>One signature counted by the fork's usage caps (SigningLog).</summary>
    public long LogSigning(long keyUserId, string method, string? kind = null)
    {
        if (Schema < BunkerFixtureSchema.LiveGrant) throw new InvalidOperationException("SigningLog is the fork's usage-window table.");
        return Write(c => Insert(c, "INSERT INTO SigningLog (keyUserId, method, kind, createdAt) VALUES ($keyUserId, $method, $kind, $now)",
            ("$keyUserId", keyUserId), ("$method", method), ("$kind", kind), ("$now", Date(Now))));
    }

    /// <summary>
    /// Many Request, SigningLog or SigningCondition rows fast: prepared inserts in one transaction, foreign keys off
    /// (callers give ids that exist, or mean the ones that do not).
    /// </summary>
    public void Bulk(Action<BunkerBulkWriter> write)
    {
        using var connection = Open(enforceForeignKeys: false);
        Execute(connection, "PRAGMA synchronous = OFF");
        using var transaction = connection.BeginTransaction();
        write(new BunkerBulkWriter(connection, this));
        transaction.Commit();
    }

    // ---- schema and migration history ----

    /// <summary>
    /// Applies the fork's migrations up to <paramref name="schema"/> to this database and its data, recording them at
    /// <see cref="Now"/>. SigningCondition rows that exist when the lifecycle migration runs get createdAt from the
    /// column DEFAULT, as TEXT; the fixture pins that TEXT to <see cref="Now"/> so files stay reproducible.
    /// </summary>
    public void UpgradeTo(BunkerFixtureSchema schema)
    {
        if (schema < Schema) throw new ArgumentException($"Cannot go back from {Schema} to {schema}.", nameof(schema));
        using var connection = Open(enforceForeignKeys: false);
        var recorded = HasTable(connection, BunkerSchema.MigrationsTable);
        var step = 0;
        foreach (var migration in FixtureMigrations.All.Take((int)schema).Skip((int)Schema))
        {
            Apply(connection, migration, recorded, Now.AddMilliseconds(25 * step++));
            if (migration.Name == FixtureMigrations.All[(int)BunkerFixtureSchema.ForkLifecycle - 1].Name)
                Execute(connection, "UPDATE SigningCondition SET createdAt = $text", ("$text", BunkerDate.ToText(Now)));
        }
        Schema = schema;
    }

    /// <summary>Marks an applied migration as failed: finished_at NULL, rolled_back_at NULL, with Prisma-like logs.</summary>
    public void MarkMigrationFailed(string name) => Write(c => Execute(c,
        "UPDATE _prisma_migrations SET finished_at = NULL, applied_steps_count = 0, logs = $logs WHERE migration_name = $name",
        ("$name", name), ("$logs", $"Migration `{name}` failed to apply cleanly to the shadow database.\nError: SQLite database error")));

    /// <summary>Marks a migration rolled back (prisma migrate resolve --rolled-back).</summary>
    public void MarkMigrationRolledBack(string name) => Write(c => Execute(c,
        "UPDATE _prisma_migrations SET finished_at = NULL, rolled_back_at = $now WHERE migration_name = $name",
        ("$name", name), ("$now", BunkerDate.ToMilliseconds(Now))));

    /// <summary>Records a migration as applied (optionally with another checksum) without running it.</summary>
    public void RecordMigration(string name, string checksum) =>
        Write(c => RecordApplied(c, Uuid($"migration:{name}:{_sequence++}"), name, Now, checksum));

    public void ForgetMigration(string name) =>
        Write(c => Execute(c, "DELETE FROM _prisma_migrations WHERE migration_name = $name", ("$name", name)));

    /// <summary>Raw SQL against the database (foreign keys on), for shapes no daemon step writes.</summary>
    public int Sql(string sql, params (string Name, object? Value)[] parameters) => Write(c => Execute(c, sql, parameters));

    /// <summary>The first column of the first row of <paramref name="sql"/>.</summary>
    public object? Scalar(string sql, params (string Name, object? Value)[] parameters) => Write(c =>
    {
        using var command = Command(c, sql, parameters);
        return command.ExecuteScalar() is var value and not DBNull ? value : null;
    });

    /// <summary>A date as this fixture stores it (<see cref="DateEncoding"/>); null stays NULL.</summary>
    public object? Date(DateTimeOffset? date, BunkerDateEncoding? encoding = null) =>
        date is { } value ? BunkerDate.ToDatabase(value, encoding ?? DateEncoding) : null;

    // ---- plumbing ----

    private T Write<T>(Func<SqliteConnection, T> step, bool enforceForeignKeys = true)
    {
        using var connection = Open(enforceForeignKeys);
        using var transaction = connection.BeginTransaction();
        var result = step(connection);
        transaction.Commit();
        return result;
    }

    private void Write(Action<SqliteConnection> step, bool enforceForeignKeys = true) =>
        Write(c => { step(c); return 0; }, enforceForeignKeys);

    private SqliteConnection Open(bool enforceForeignKeys) => OpenFile(Path, enforceForeignKeys);

    private static SqliteConnection OpenFile(string path, bool enforceForeignKeys)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();
        Execute(connection, $"PRAGMA foreign_keys = {(enforceForeignKeys ? "ON" : "OFF")}");
        return connection;
    }

    private long AddRule(SqliteConnection c, long policyId, FixtureRule rule)
    {
        var window = Schema >= BunkerFixtureSchema.LiveGrant;
        if (rule.WindowSeconds is not null && !window)
            throw new InvalidOperationException("PolicyRule.windowSeconds exists only after the fork's usage-window migration.");
        return Insert(c,
            $"INSERT INTO PolicyRule (method, kind, maxUsageCount, policyId{(window ? ", windowSeconds" : "")}) " +
            $"VALUES ($method, $kind, $max, $policyId{(window ? ", $window" : "")})",
            ("$method", rule.Method), ("$kind", rule.Kind), ("$max", rule.MaxUsageCount), ("$policyId", policyId),
            ("$window", rule.WindowSeconds));
    }

    private long UpsertKeyUser(SqliteConnection c, string keyName, string clientPubkey, string? description)
    {
        Execute(c, "INSERT INTO KeyUser (keyName, userPubkey, createdAt, updatedAt, description) " +
                   "VALUES ($keyName, $pubkey, $now, $now, $description) ON CONFLICT (keyName, userPubkey) DO NOTHING",
            ("$keyName", keyName), ("$pubkey", clientPubkey), ("$now", Date(Now)), ("$description", description));
        using var command = Command(c, "SELECT id FROM KeyUser WHERE keyName = $keyName AND userPubkey = $pubkey",
            ("$keyName", keyName), ("$pubkey", clientPubkey));
        return (long)command.ExecuteScalar()!;
    }

    private long InsertCondition(SqliteConnection c, long? keyUserId, string? method, string? kind, bool? allowed,
        DateTimeOffset? expiresAt = null, DateTimeOffset? revokedAt = null)
    {
        if (!HasSigningConditionLifecycle)
        {
            if (expiresAt is not null || revokedAt is not null)
                throw new InvalidOperationException("SigningCondition.expiresAt/revokedAt exist only after the fork's lifecycle migration.");
            return Insert(c, "INSERT INTO SigningCondition (method, kind, allowed, keyUserId) VALUES ($method, $kind, $allowed, $keyUserId)",
                ("$method", method), ("$kind", kind), ("$allowed", allowed), ("$keyUserId", keyUserId));
        }
        return Insert(c,
            "INSERT INTO SigningCondition (method, kind, allowed, keyUserId, createdAt, expiresAt, revokedAt) " +
            "VALUES ($method, $kind, $allowed, $keyUserId, $now, $expiresAt, $revokedAt)",
            ("$method", method), ("$kind", kind), ("$allowed", allowed), ("$keyUserId", keyUserId), ("$now", Date(Now)),
            ("$expiresAt", Date(expiresAt)), ("$revokedAt", Date(revokedAt)));
    }

    private static byte[] BuildTemplate(BunkerFixtureSchema schema, bool recordMigrations)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"lamassuops-bunker-template-{Guid.NewGuid():N}.db");
        try
        {
            using (var connection = OpenFile(path, enforceForeignKeys: false))
            {
                if (recordMigrations) Execute(connection, MigrationsTableDdl);
                foreach (var migration in FixtureMigrations.For(schema))
                    Apply(connection, migration, recordMigrations, AppliedAt(migration));
            }
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Upstream migrations at <see cref="MigratedAt"/>; the fork's an hour after the moment in their names.</summary>
    private static DateTimeOffset AppliedAt(FixtureMigration migration)
    {
        var index = FixtureMigrations.All.ToList().IndexOf(migration);
        return index < (int)BunkerFixtureSchema.Upstream
            ? MigratedAt.AddMilliseconds(25 * index)
            : DateTimeOffset.ParseExact(migration.Name[..14], "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal).AddHours(1);
    }

    /// <summary>The table Prisma's migration engine creates in SQLite.</summary>
    private const string MigrationsTableDdl =
        "CREATE TABLE \"_prisma_migrations\" (\n" +
        "    \"id\" TEXT PRIMARY KEY NOT NULL,\n" +
        "    \"checksum\" TEXT NOT NULL,\n" +
        "    \"finished_at\" DATETIME,\n" +
        "    \"migration_name\" TEXT NOT NULL,\n" +
        "    \"logs\" TEXT,\n" +
        "    \"rolled_back_at\" DATETIME,\n" +
        "    \"started_at\" DATETIME NOT NULL DEFAULT current_timestamp,\n" +
        "    \"applied_steps_count\" INTEGER UNSIGNED NOT NULL DEFAULT 0\n" +
        ")";

    private static void Apply(SqliteConnection connection, FixtureMigration migration, bool record, DateTimeOffset at)
    {
        Execute(connection, migration.Script);
        if (record) RecordApplied(connection, Uuid("migration:" + migration.Name), migration.Name, at, migration.Checksum);
    }

    private static void RecordApplied(SqliteConnection connection, string id, string name, DateTimeOffset at, string checksum) =>
        Execute(connection,
            "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) " +
            "VALUES ($id, $checksum, $finished, $name, NULL, NULL, $started, 1)",
            ("$id", id), ("$checksum", checksum), ("$finished", BunkerDate.ToMilliseconds(at) + 18), ("$name", name),
            ("$started", BunkerDate.ToMilliseconds(at)));

    private static bool HasTable(SqliteConnection connection, string table)
    {
        using var command = Command(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name", ("$name", table));
        return (long)command.ExecuteScalar()! > 0;
    }

    internal static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            if (sql.Contains(name, StringComparison.Ordinal)) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static int Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static long Insert(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql + "; SELECT last_insert_rowid();", parameters);
        return (long)command.ExecuteScalar()!;
    }

    internal static string Hex(string seed) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)));

    internal static string Uuid(string seed) => new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(seed))[..16]).ToString();

    internal int NextSequence() => _sequence++;
}
