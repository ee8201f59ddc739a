namespace LamassuOps.Core.Bunker;

public enum BunkerCheckStatus
{
    Pass,
    Warn,
    Fail,

    /// <summary>Not run: nothing to check against (no -MigrationsPath, no migration history).</summary>
    Skipped,
}

/// <summary>One check of Test-BunkerDatabase.</summary>
public sealed class BunkerDatabaseCheck
{
    /// <summary>Integrity, ForeignKeys, Schema, MigrationHistory, FailedMigrations, PendingMigrations, UnknownMigrations, ChangedMigrations.</summary>
    public required string Name { get; init; }

    public required BunkerCheckStatus Status { get; init; }

    /// <summary>What was found, and what to do about it, in plain words.</summary>
    public required string Finding { get; init; }
}

/// <summary>Where a migration stands, from _prisma_migrations and the deployment folder.</summary>
public enum BunkerMigrationState
{
    /// <summary>Finished and not rolled back.</summary>
    Applied,

    /// <summary>Started, never finished, not rolled back: prisma migrate deploy refuses to go on (P3009).</summary>
    Failed,

    /// <summary>Marked rolled back (prisma migrate resolve --rolled-back) and not applied again.</summary>
    RolledBack,

    /// <summary>In the deployment folder, not in the database.</summary>
    Pending,
}

/// <summary>One migration by name (all its attempts in _prisma_migrations together).</summary>
public sealed class BunkerMigration
{
    public required string Name { get; init; }

    public required BunkerMigrationState State { get; init; }

    /// <summary>Rows in _prisma_migrations for this name (a failed or rolled-back attempt, then a good one, are two).</summary>
    public int Attempts { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public DateTimeOffset? RolledBackAt { get; init; }

    /// <summary>Null without -MigrationsPath.</summary>
    public bool? InFolder { get; init; }

    /// <summary>Whether the folder's migration.sql still has the checksum recorded when it was applied; null when not comparable.</summary>
    public bool? ChecksumMatches { get; init; }
}

/// <summary>Test-BunkerDatabase's verdict on one database.</summary>
public sealed class BunkerDatabaseTestResult
{
    public required string Path { get; init; }

    /// <summary>True when no check failed (warnings allowed).</summary>
    public required bool Passed { get; init; }

    /// <summary>The worst status of the checks.</summary>
    public required BunkerCheckStatus Status { get; init; }

    /// <summary>Every check's finding that is not a pass, or a one-line summary when all passed.</summary>
    public required string Finding { get; init; }

    public required BunkerSchemaVariant SchemaVariant { get; init; }

    public required BunkerSchemaFeatures SchemaFeatures { get; init; }

    public int AppliedMigrationCount { get; init; }

    public int FailedMigrationCount { get; init; }

    /// <summary>Migrations of the folder not applied (0 without -MigrationsPath).</summary>
    public int PendingMigrationCount { get; init; }

    public required IReadOnlyList<BunkerDatabaseCheck> Checks { get; init; }

    public required IReadOnlyList<BunkerMigration> Migrations { get; init; }
}
