using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures.Bunker;

namespace LamassuOps.Tests.Bunker;

/// <summary>The schema variant and each fork feature are read from the columns present, at every fork stage.</summary>
public sealed class BunkerSchemaTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(BunkerFixtureSchema.Upstream, BunkerSchemaVariant.Upstream, BunkerSchemaFeatures.None, true)]
    [InlineData(BunkerFixtureSchema.ForkTokenRevokedAt, BunkerSchemaVariant.LiveGrant, BunkerSchemaFeatures.TokenRevokedAt, true)]
    [InlineData(BunkerFixtureSchema.ForkLifecycle, BunkerSchemaVariant.LiveGrant,
        BunkerSchemaFeatures.TokenRevokedAt | BunkerSchemaFeatures.SigningConditionLifecycle | BunkerSchemaFeatures.RequestKeyUserId, true)]
    [InlineData(BunkerFixtureSchema.LiveGrant, BunkerSchemaVariant.LiveGrant,
        BunkerSchemaFeatures.TokenRevokedAt | BunkerSchemaFeatures.SigningConditionLifecycle | BunkerSchemaFeatures.RequestKeyUserId
        | BunkerSchemaFeatures.SigningLog | BunkerSchemaFeatures.PolicyRuleWindowSeconds, false)]
    public void VariantAndFeaturesFollowTheColumnsPresent(BunkerFixtureSchema stage, BunkerSchemaVariant variant,
        BunkerSchemaFeatures features, bool hasCurrentUsageCount)
    {
        var fixture = BunkerFixture.Create(_dir.File("nsecbunker.db"), stage);

        using var database = BunkerDatabase.OpenReadOnly(fixture.Path);

        Assert.Equal(variant, database.Schema.Variant);
        Assert.Equal(features, database.Schema.Features);
        Assert.Equal(hasCurrentUsageCount, database.Schema.HasPolicyRuleCurrentUsageCount);
        Assert.True(database.Schema.HasMigrationsTable);
        Assert.Empty(database.Schema.MissingRequiredTables);
    }

    [Fact]
    public void ASingleForkColumnAddedByHandIsDetectedOnItsOwn()
    {
        var fixture = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.Upstream, recordMigrations: false);
        fixture.Sql("ALTER TABLE PolicyRule ADD COLUMN windowSeconds INTEGER");

        using var database = BunkerDatabase.OpenReadOnly(fixture.Path);

        Assert.Equal(BunkerSchemaVariant.LiveGrant, database.Schema.Variant);
        Assert.Equal(BunkerSchemaFeatures.PolicyRuleWindowSeconds, database.Schema.Features);
        Assert.False(database.Schema.HasMigrationsTable);
        Assert.Equal("live-grant fork schema (PolicyRule.windowSeconds)", database.Schema.Describe());
    }

    [Fact]
    public void ColumnsAreReportedAsSqliteDeclaresThem()
    {
        var fixture = BunkerFixture.Create(_dir.File("nsecbunker.db"), BunkerFixtureSchema.LiveGrant);

        using var database = BunkerDatabase.OpenReadOnly(fixture.Path);

        Assert.Equal(new BunkerColumn("createdAt", "DATETIME", true, "CURRENT_TIMESTAMP", 0),
            database.Schema.Columns("SigningCondition").Single(c => c.Name == "createdAt"));
        Assert.True(database.Schema.HasColumn("token", "REVOKEDAT"));
        Assert.Empty(database.Schema.Columns("NoSuchTable"));
    }
}
