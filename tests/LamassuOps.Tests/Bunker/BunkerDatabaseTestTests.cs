using System.Security.Cryptography;
using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Postgres.Support;

namespace LamassuOps.Tests.Bunker;

/// <summary>Test-BunkerDatabase's operation: each check on databases that pass it and databases that do not.</summary>
public sealed class BunkerDatabaseTestTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(BunkerFixtureSchema.Upstream, BunkerSchemaVariant.Upstream)]
    [InlineData(BunkerFixtureSchema.LiveGrant, BunkerSchemaVariant.LiveGrant)]
    public void AHealthyDatabasePassesEveryCheckAndComparesWithItsOwnMigrations(BunkerFixtureSchema schema, BunkerSchemaVariant variant)
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"), schema);
        var folder = FixtureMigrations.WriteDeploymentFolder(_dir.File("migrations"), schema);
        var before = FileSnapshot.Take(db.Path);

        var result = Run(db, folder);

        Assert.True(result.Passed);
        Assert.Equal(BunkerCheckStatus.Pass, result.Status);
        Assert.Equal(variant, result.SchemaVariant);
        Assert.Equal(["Integrity", "ForeignKeys", "Schema", "MigrationHistory", "FailedMigrations", "PendingMigrations", "UnknownMigrations", "ChangedMigrations"],
            result.Checks.Select(c => c.Name));
        Assert.All(result.Checks, c => Assert.Equal(BunkerCheckStatus.Pass, c.Status));
        Assert.Equal((int)schema, result.AppliedMigrationCount);
        Assert.All(result.Migrations, m => Assert.Equal((BunkerMigrationState.Applied, true, true), (m.State, m.InFolder!.Value, m.ChecksumMatches!.Value)));
        Assert.StartsWith("All checks passed", result.Finding);
        before.AssertUnchanged();
    }

    [Fact]
    public void WithoutAMigrationsFolderTheFolderChecksAreSkipped()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"));

        var result = Run(db);

        Assert.True(result.Passed);
        Assert.Equal(3, result.Checks.Count(c => c.Status == BunkerCheckStatus.Skipped));
        Assert.All(result.Migrations, m => Assert.Null(m.InFolder));
    }

    [Fact]
    public void ADbPushDatabaseFailsWithTheBaselineAdvice()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream, recordMigrations: false);
        var folder = FixtureMigrations.WriteDeploymentFolder(_dir.File("migrations"), BunkerFixtureSchema.Upstream);

        var result = Run(db, folder);

        Assert.False(result.Passed);
        var history = Check(result, "MigrationHistory");
        Assert.Equal(BunkerCheckStatus.Fail, history.Status);
        Assert.Contains("P3005", history.Finding);
        Assert.Contains("prisma migrate resolve --applied", history.Finding);
        Assert.Equal(BunkerCheckStatus.Skipped, Check(result, "PendingMigrations").Status);
    }

    [Fact]
    public void AFailedMigrationFailsAndARolledBackOneWarns()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.LiveGrant);
        db.MarkMigrationFailed("20260701090000_signing_log_usage_windows");

        var failed = Run(db);
        db.MarkMigrationRolledBack("20260701090000_signing_log_usage_windows");
        var rolledBack = Run(db);

        Assert.False(failed.Passed);
        Assert.Equal(1, failed.FailedMigrationCount);
        Assert.Contains("P3009", Check(failed, "FailedMigrations").Finding);
        Assert.Contains("20260701090000_signing_log_usage_windows", failed.Finding);
        Assert.True(rolledBack.Passed);
        Assert.Equal(BunkerCheckStatus.Warn, rolledBack.Status);
        Assert.Equal(BunkerMigrationState.RolledBack, rolledBack.Migrations.Single(m => m.Name.StartsWith("20260701", StringComparison.Ordinal)).State);
    }

    [Fact]
    public void AFailedAttemptFollowedByASuccessfulOneIsApplied()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.LiveGrant);
        var name = "20260701090000_signing_log_usage_windows";
        db.MarkMigrationFailed(name);
        db.MarkMigrationRolledBack(name);
        db.Now = db.Now.AddYears(1);
        db.RecordMigration(name, FixtureMigrations.Named(name).Checksum);

        var migration = Run(db).Migrations.Single(m => m.Name == name);

        Assert.Equal((BunkerMigrationState.Applied, 2), (migration.State, migration.Attempts));
    }

    [Fact]
    public void MigrationsOfTheFolderNotInTheDatabaseArePending()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        var folder = FixtureMigrations.WriteDeploymentFolder(_dir.File("migrations"), BunkerFixtureSchema.LiveGrant);

        var result = Run(db, folder);

        Assert.True(result.Passed);
        Assert.Equal(BunkerCheckStatus.Warn, Check(result, "PendingMigrations").Status);
        Assert.Equal(3, result.PendingMigrationCount);
        Assert.Equal(FixtureMigrations.Fork.Select(m => m.Name), result.Migrations.Where(m => m.State == BunkerMigrationState.Pending).Select(m => m.Name));
    }

    [Fact]
    public void MigrationsInTheDatabaseButNotInTheFolderFail()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.LiveGrant);
        var folder = FixtureMigrations.WriteDeploymentFolder(_dir.File("migrations"), BunkerFixtureSchema.Upstream);

        var result = Run(db, folder);

        Assert.False(result.Passed);
        var unknown = Check(result, "UnknownMigrations");
        Assert.Equal(BunkerCheckStatus.Fail, unknown.Status);
        Assert.All(FixtureMigrations.Fork, m => Assert.Contains(m.Name, unknown.Finding));
    }

    [Fact]
    public void AMigrationFileChangedAfterItWasAppliedWarnsButLineEndingsAndOldChecksumsDoNot()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        var folder = FixtureMigrations.WriteDeploymentFolder(_dir.File("migrations"), BunkerFixtureSchema.Upstream);
        var changed = FixtureMigrations.Upstream[3].Name;
        var crlf = FixtureMigrations.Upstream[5].Name;
        var oldFormat = FixtureMigrations.Upstream[7];
        File.AppendAllText(Path.Combine(folder, changed, "migration.sql"), "-- edited after deploy\n");
        File.WriteAllText(Path.Combine(folder, crlf, "migration.sql"), FixtureMigrations.Upstream[5].Script.Replace("\n", "\r\n"));
        var unpadded = string.Concat(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, oldFormat.Name, "migration.sql"))).Select(b => b.ToString("x")));
        db.Sql("UPDATE _prisma_migrations SET checksum = $checksum WHERE migration_name = $name", ("$checksum", unpadded), ("$name", oldFormat.Name));

        var result = Run(db, folder);

        Assert.True(result.Passed);
        Assert.Equal(BunkerCheckStatus.Warn, Check(result, "ChangedMigrations").Status);
        Assert.Equal([changed], result.Migrations.Where(m => m.ChecksumMatches == false).Select(m => m.Name));
    }

    [Fact]
    public void APartlyMigratedForkWarnsAndAMissingUpstreamColumnFails()
    {
        var partial = BunkerFixture.Create(_dir.File("partial.db"), BunkerFixtureSchema.ForkTokenRevokedAt);
        var broken = BunkerFixture.Create(_dir.File("broken.db"), BunkerFixtureSchema.Upstream);
        broken.Sql("ALTER TABLE Token DROP COLUMN expiresAt");

        var partialSchema = Check(Run(partial), "Schema");
        var brokenSchema = Check(Run(broken), "Schema");

        Assert.Equal(BunkerCheckStatus.Warn, partialSchema.Status);
        Assert.Contains("has Token.revokedAt, lacks SigningCondition lifecycle columns", partialSchema.Finding);
        Assert.Equal(BunkerCheckStatus.Fail, brokenSchema.Status);
        Assert.Contains("Token.expiresAt", brokenSchema.Finding);
    }

    [Fact]
    public void RowsPointingAtDeletedRowsWarn()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        var policy = db.CreatePolicy("default", new FixtureRule("sign_event", "1"));
        db.DeleteKeyUser(db.RedeemToken(db.CreateToken("k", "a", policy), BunkerFixture.Pubkey("a")), enforceForeignKeys: false);

        var check = Check(Run(db), "ForeignKeys");

        Assert.Equal(BunkerCheckStatus.Warn, check.Status);
        Assert.Contains("2 SigningCondition row(s) point at a missing KeyUser", check.Finding);
        Assert.Contains("1 Token row(s) point at a missing KeyUser", check.Finding);
    }

    [Fact]
    public void CorruptionBeyondTheSchemaFailsTheIntegrityCheck()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream);
        var keyUser = db.AlwaysAllow("k", BunkerFixture.Pubkey("a"), "ping");
        db.Bulk(bulk => bulk.SigningConditions(5000, i => new BulkSigningCondition(keyUser, "sign_event", i.ToString(), true)));
        var length = new FileInfo(db.Path).Length;
        using (var stream = new FileStream(db.Path, FileMode.Open, FileAccess.Write))
        {
            stream.Position = length - 3 * 4096 + 8; // inside a late b-tree page, past its header
            stream.Write(Enumerable.Repeat((byte)0xA5, 2000).ToArray());
        }

        var result = Run(db);

        Assert.False(result.Passed);
        Assert.Equal(BunkerCheckStatus.Fail, Check(result, "Integrity").Status);
    }

    [Fact]
    public void AMissingOrEmptyMigrationsFolderIsRefusedBeforeTheDatabaseIsOpened()
    {
        var db = BunkerFixture.Create(_dir.File("nsecbunker.db"));
        var prisma = _dir.File("prisma");
        FixtureMigrations.WriteDeploymentFolder(Path.Combine(prisma, "migrations"), BunkerFixtureSchema.LiveGrant);

        var missing = Assert.Throws<LamassuOpsException>(() => Run(db, _dir.File("nowhere")));
        var notMigrations = Assert.Throws<LamassuOpsException>(() => Run(db, prisma));

        Assert.Equal("MigrationsFolderNotFound", missing.ErrorId);
        Assert.Equal("MigrationsFolderEmpty", notMigrations.ErrorId);
        Assert.Contains(Path.Combine(prisma, "migrations"), notMigrations.RecommendedAction);
    }

    private static BunkerDatabaseTestResult Run(BunkerFixture db, string? migrationsPath = null) =>
        BunkerDatabaseTest.Run(new BunkerDatabaseTestOptions { Path = db.Path, MigrationsPath = migrationsPath }, new RecordingHost());

    private static BunkerDatabaseCheck Check(BunkerDatabaseTestResult result, string name) => result.Checks.Single(c => c.Name == name);
}
