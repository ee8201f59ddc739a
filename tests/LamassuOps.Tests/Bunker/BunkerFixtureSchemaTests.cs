using System.Security.Cryptography;
using LamassuOps.Tests.Fixtures.Bunker;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Tests.Bunker;

/// <summary>
/// The fixture builder's databases have the real nsecbunkerd schema: these are the facts of upstream's 22 migrations
/// (and the fork's additions), checked column by column against what SQLite reports for the built file.
/// </summary>
public sealed class BunkerFixtureSchemaTests : IDisposable
{
    private const string Now = "DEFAULT CURRENT_TIMESTAMP";
    private readonly ScratchDirectory _dir = new();

    private static readonly Dictionary<string, string[]> UpstreamColumns = new()
    {
        ["Request"] = ["id TEXT NOT NULL PK", "keyName TEXT", $"createdAt DATETIME NOT NULL {Now}", "requestId TEXT NOT NULL",
            "remotePubkey TEXT NOT NULL", "method TEXT NOT NULL", "params TEXT", "allowed BOOLEAN"],
        ["KeyUser"] = ["id INTEGER NOT NULL PK", "keyName TEXT NOT NULL", "userPubkey TEXT NOT NULL", $"createdAt DATETIME NOT NULL {Now}",
            $"updatedAt DATETIME NOT NULL {Now}", "lastUsedAt DATETIME", "description TEXT", "revokedAt DATETIME"],
        ["Key"] = ["id INTEGER NOT NULL PK", "keyName TEXT NOT NULL", $"createdAt DATETIME NOT NULL {Now}", $"updatedAt DATETIME NOT NULL {Now}",
            "deletedAt DATETIME", "pubkey TEXT NOT NULL"],
        ["User"] = ["id INTEGER NOT NULL PK", "username TEXT NOT NULL", "domain TEXT NOT NULL", "password TEXT NOT NULL", "email TEXT NOT NULL",
            $"createdAt DATETIME NOT NULL {Now}", $"updatedAt DATETIME NOT NULL {Now}", "deletedAt DATETIME", "pubkey TEXT NOT NULL"],
        ["SigningCondition"] = ["id INTEGER NOT NULL PK", "method TEXT", "kind TEXT", "content TEXT", "keyUserKeyName TEXT", "allowed BOOLEAN",
            "keyUserId INTEGER"],
        ["Log"] = ["id INTEGER NOT NULL PK", "timestamp DATETIME NOT NULL", "type TEXT NOT NULL", "method TEXT", "params TEXT", "keyUserId INTEGER"],
        ["Policy"] = ["id INTEGER NOT NULL PK", "name TEXT NOT NULL", $"createdAt DATETIME NOT NULL {Now}", $"updatedAt DATETIME NOT NULL {Now}",
            "expiresAt DATETIME", "deletedAt DATETIME", "description TEXT"],
        ["PolicyRule"] = ["id INTEGER NOT NULL PK", "method TEXT NOT NULL", "kind TEXT", "maxUsageCount INTEGER", "currentUsageCount INTEGER",
            "policyId INTEGER"],
        ["Token"] = ["id INTEGER NOT NULL PK", "keyName TEXT NOT NULL", "token TEXT NOT NULL", "clientName TEXT NOT NULL", "createdBy TEXT NOT NULL",
            $"createdAt DATETIME NOT NULL {Now}", $"updatedAt DATETIME NOT NULL {Now}", "deletedAt DATETIME", "expiresAt DATETIME",
            "redeemedAt DATETIME", "keyUserId INTEGER", "policyId INTEGER"],
        ["_prisma_migrations"] = ["id TEXT NOT NULL PK", "checksum TEXT NOT NULL", "finished_at DATETIME", "migration_name TEXT NOT NULL", "logs TEXT",
            "rolled_back_at DATETIME", "started_at DATETIME NOT NULL DEFAULT current_timestamp",
            "applied_steps_count INTEGER UNSIGNED NOT NULL DEFAULT 0"],
    };

    private static readonly string[] UpstreamIndexes =
    [
        "Key.Key_keyName_key UNIQUE (keyName)",
        "KeyUser.KeyUser_keyName_userPubkey_key UNIQUE (keyName, userPubkey)",
        "Token.Token_token_key UNIQUE (token)",
        "User.User_username_key UNIQUE (username)",
    ];

    private static readonly string[] UpstreamForeignKeys =
    [
        "Log.keyUserId -> KeyUser.id ON DELETE SET NULL ON UPDATE CASCADE",
        "PolicyRule.policyId -> Policy.id ON DELETE SET NULL ON UPDATE CASCADE",
        "SigningCondition.keyUserId -> KeyUser.id ON DELETE SET NULL ON UPDATE CASCADE",
        "Token.keyUserId -> KeyUser.id ON DELETE SET NULL ON UPDATE CASCADE",
        "Token.policyId -> Policy.id ON DELETE SET NULL ON UPDATE CASCADE",
    ];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void UpstreamFixtureHasTheUpstreamTablesColumnsIndexesAndForeignKeys()
    {
        var fixture = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        using var connection = Open(fixture.Path);

        Assert.Equal(UpstreamColumns.Keys.Order(StringComparer.Ordinal), Tables(connection));
        foreach (var (table, columns) in UpstreamColumns) Assert.Equal(columns, Columns(connection, table));
        Assert.Equal(UpstreamIndexes, Indexes(connection));
        Assert.Equal(UpstreamForeignKeys, ForeignKeys(connection));
    }

    [Fact]
    public void LiveGrantFixtureHasTheForkAdditionsAndDropsCurrentUsageCount()
    {
        var fixture = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.LiveGrant);
        using var connection = Open(fixture.Path);

        Assert.Equal([.. UpstreamColumns["Token"], "revokedAt DATETIME"], Columns(connection, "Token"));
        Assert.Equal([.. UpstreamColumns["SigningCondition"], $"createdAt DATETIME NOT NULL {Now}", "expiresAt DATETIME", "revokedAt DATETIME"],
            Columns(connection, "SigningCondition"));
        Assert.Equal([.. UpstreamColumns["Request"], "keyUserId INTEGER"], Columns(connection, "Request"));
        Assert.Equal(["id INTEGER NOT NULL PK", "method TEXT NOT NULL", "kind TEXT", "maxUsageCount INTEGER", "windowSeconds INTEGER", "policyId INTEGER"],
            Columns(connection, "PolicyRule"));
        Assert.Equal(["id INTEGER NOT NULL PK", "keyUserId INTEGER NOT NULL", "method TEXT NOT NULL", "kind TEXT", $"createdAt DATETIME NOT NULL {Now}"],
            Columns(connection, "SigningLog"));
        string[] forkIndexes = [.. UpstreamIndexes, "Request.Request_keyUserId_method_idx (keyUserId, method)",
            "SigningLog.SigningLog_keyUserId_method_createdAt_idx (keyUserId, method, createdAt)"];
        Assert.Equal(forkIndexes.Order(StringComparer.Ordinal), Indexes(connection));
        Assert.Equal([.. UpstreamForeignKeys.Take(2), "Request.keyUserId -> KeyUser.id ON DELETE SET NULL ON UPDATE CASCADE",
                .. UpstreamForeignKeys.Skip(2).Take(1), "SigningLog.keyUserId -> KeyUser.id ON DELETE RESTRICT ON UPDATE CASCADE",
                .. UpstreamForeignKeys.Skip(3)],
            ForeignKeys(connection).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(BunkerFixtureSchema.Upstream)]
    [InlineData(BunkerFixtureSchema.LiveGrant)]
    public void MigrationHistoryRecordsEveryMigrationWithTheSha256OfItsScript(BunkerFixtureSchema schema)
    {
        var fixture = BunkerFixture.Create(_dir.File("nsecbunker.db"), schema);
        var folder = FixtureMigrations.WriteDeploymentFolder(_dir.File("migrations"), schema);
        using var connection = Open(fixture.Path);

        var rows = Rows(connection, "SELECT migration_name, checksum, typeof(finished_at), rolled_back_at IS NULL, applied_steps_count FROM _prisma_migrations ORDER BY started_at");
        var expected = Directory.GetDirectories(folder).Order(StringComparer.Ordinal)
            .Select(d => $"{Path.GetFileName(d)} {Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(d, "migration.sql"))))} integer 1 1");
        Assert.Equal(expected, rows);
        Assert.Equal((int)schema, rows.Count);
        Assert.Equal("20230503095726_init", rows[0].Split(' ')[0]);
        Assert.Equal("20240101221607_add_domain", rows[21].Split(' ')[0]);
    }

    [Fact]
    public void DbPushFixtureHasTheTablesButNoMigrationHistory()
    {
        var fixture = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream, recordMigrations: false);
        using var connection = Open(fixture.Path);

        Assert.Equal(UpstreamColumns.Keys.Where(t => t != "_prisma_migrations").Order(StringComparer.Ordinal), Tables(connection));
    }

    [Fact]
    public void UpstreamRedemptionPhotocopiesThePolicyAndBindsTheToken()
    {
        var fixture = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        var policy = fixture.CreatePolicy("lnbits", new FixtureRule("sign_event", "1"), new FixtureRule("nip04_encrypt"));
        var token = fixture.CreateToken("wallet", "LNbits alice", policy);

        var keyUserId = fixture.RedeemToken(token, BunkerFixture.Pubkey("alice"));

        using var connection = Open(fixture.Path);
        Assert.Equal(["connect  1", "sign_event 1 1", "nip04_encrypt  1"],
            Rows(connection, $"SELECT method, kind, allowed FROM SigningCondition WHERE keyUserId = {keyUserId} ORDER BY id"));
        Assert.Equal([$"{keyUserId} integer"], Rows(connection, $"SELECT keyUserId, typeof(redeemedAt) FROM Token WHERE id = {token.Id}"));
        Assert.Equal(["wallet LNbits alice"], Rows(connection, $"SELECT keyName, description FROM KeyUser WHERE id = {keyUserId}"));
        Assert.Throws<InvalidOperationException>(() => fixture.RedeemToken(token, BunkerFixture.Pubkey("alice")));
    }

    [Fact]
    public void LiveGrantRedemptionWritesNoCopiesButUpgradeKeepsOldCopiesWithTextCreatedAt()
    {
        var fixture = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        var policy = fixture.CreatePolicy("lnbits", new FixtureRule("sign_event", "1"));
        var before = fixture.RedeemToken(fixture.CreateToken("wallet", "old client", policy), BunkerFixture.Pubkey("old"));
        fixture.Now = fixture.Now.AddDays(1);
        fixture.UpgradeTo(BunkerFixtureSchema.LiveGrant);
        var after = fixture.RedeemToken(fixture.CreateToken("wallet", "new client", policy), BunkerFixture.Pubkey("new"));

        using var connection = Open(fixture.Path);
        Assert.Equal(["connect text 2026-06-02 12:00:00 ", "sign_event text 2026-06-02 12:00:00 "],
            Rows(connection, $"SELECT method, typeof(createdAt), createdAt, expiresAt FROM SigningCondition WHERE keyUserId = {before} ORDER BY id"));
        Assert.Empty(Rows(connection, $"SELECT id FROM SigningCondition WHERE keyUserId = {after}"));
        Assert.Equal(25L, new SqliteCommand("SELECT count(*) FROM _prisma_migrations", connection).ExecuteScalar());
    }

    [Fact]
    public void DeletingAKeyUserLeavesItsRowsWithNullOrPointingNowhere()
    {
        var fixture = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        var policy = fixture.CreatePolicy("p", new FixtureRule("sign_event", "1"));
        var prisma = fixture.RedeemToken(fixture.CreateToken("k", "a", policy), BunkerFixture.Pubkey("a"));
        var shell = fixture.RedeemToken(fixture.CreateToken("k", "b", policy), BunkerFixture.Pubkey("b"));

        fixture.DeleteKeyUser(prisma);
        fixture.DeleteKeyUser(shell, enforceForeignKeys: false);

        using var connection = Open(fixture.Path);
        Assert.Equal(["a ", $"b {shell}"], Rows(connection, "SELECT clientName, keyUserId FROM Token ORDER BY id"));
        Assert.Equal(2L, new SqliteCommand("SELECT count(*) FROM SigningCondition WHERE keyUserId IS NULL", connection).ExecuteScalar());
    }

    [Fact]
    public void BulkWriterInsertsManyRowsInOneTransaction()
    {
        var fixture = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.LiveGrant);
        var keyUserId = fixture.AlwaysAllow("k", BunkerFixture.Pubkey("a"), "ping");

        fixture.Bulk(bulk =>
        {
            bulk.SigningConditions(20_000, i => new BulkSigningCondition(keyUserId, "sign_event", (i % 7).ToString(), true,
                CreatedAt: fixture.Now.AddSeconds(-i), DateEncoding: i % 2 == 0 ? Core.Bunker.BunkerDateEncoding.Text : null));
            bulk.SigningLog(30_000, i => new BulkSigningLog(keyUserId, "sign_event", "1", fixture.Now.AddMinutes(-i)));
            bulk.Requests(10_000, i => new BulkRequest("k", BunkerFixture.Pubkey("a"), "sign_event", fixture.Now.AddSeconds(-i), KeyUserId: keyUserId));
        });

        using var connection = Open(fixture.Path);
        Assert.Equal(["20001 10000"], Rows(connection, "SELECT count(*), sum(typeof(createdAt) = 'text') FROM SigningCondition"));
        Assert.Equal(["30000"], Rows(connection, "SELECT count(*) FROM SigningLog"));
        Assert.Equal(["10000"], Rows(connection, "SELECT count(DISTINCT id) FROM Request"));
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    private static List<string> Rows(SqliteConnection connection, string sql)
    {
        using var command = new SqliteCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(string.Join(" ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i)))));
        return rows;
    }

    private static List<string> Tables(SqliteConnection connection) =>
        Rows(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name");

    private static List<string> Columns(SqliteConnection connection, string table) =>
        Rows(connection, $"SELECT name || ' ' || type || CASE WHEN \"notnull\" THEN ' NOT NULL' ELSE '' END || " +
                         $"coalesce(' DEFAULT ' || dflt_value, '') || CASE WHEN pk THEN ' PK' ELSE '' END FROM pragma_table_info('{table}') ORDER BY cid");

    private static List<string> Indexes(SqliteConnection connection) =>
        Rows(connection, "SELECT m.tbl_name || '.' || m.name || CASE WHEN il.\"unique\" THEN ' UNIQUE' ELSE '' END || ' (' || " +
                         "(SELECT group_concat(name, ', ') FROM (SELECT name FROM pragma_index_info(m.name) ORDER BY seqno)) || ')' " +
                         "FROM sqlite_master m JOIN pragma_index_list(m.tbl_name) il ON il.name = m.name " +
                         "WHERE m.type = 'index' AND m.sql IS NOT NULL ORDER BY m.tbl_name, m.name");

    private static List<string> ForeignKeys(SqliteConnection connection) =>
        Rows(connection, "SELECT m.name || '.' || f.\"from\" || ' -> ' || f.\"table\" || '.' || f.\"to\" || ' ON DELETE ' || f.on_delete || " +
                         "' ON UPDATE ' || f.on_update FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f " +
                         "WHERE m.type = 'table' ORDER BY m.name, f.\"from\"");
}
