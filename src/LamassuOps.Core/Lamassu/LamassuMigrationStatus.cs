namespace LamassuOps.Core.Lamassu;

public enum LamassuMigrationState
{
    /// <summary>Recorded with a timestamp in the migrations table, and its file is in the package.</summary>
    Applied,

    /// <summary>A file in the package that lamassu-migrate has not run (or has rolled back).</summary>
    Pending,

    /// <summary>Recorded in the migrations table, but the package has no such file: lamassu-migrate stops with "Missing migration file".</summary>
    Missing,
}

public sealed class LamassuMigration
{
    public required string Title { get; init; }

    public required LamassuMigrationState State { get; init; }

    /// <summary>When it ran, from node-migrate's timestamp; null when it has not.</summary>
    public DateTimeOffset? AppliedAt { get; init; }

    /// <summary>The migration file, relative to the package; null when missing.</summary>
    public string? File { get; init; }
}

/// <summary>lamassu's migration state against a package's migrations/ folder, and the server version check lamassu-migrate makes.</summary>
public sealed class LamassuMigrationStatus
{
    public required string PackagePath { get; init; }

    public required LamassuLayout Layout { get; init; }

    public required string Database { get; init; }

    public required string ServerVersion { get; init; }

    public required int ServerVersionNumber { get; init; }

    /// <summary>The oldest PostgreSQL major version this lamassu runs on (12 for v12); null when it sets none.</summary>
    public int? MinimumServerVersion { get; init; }

    public required bool ServerVersionSupported { get; init; }

    /// <summary>False on a database lamassu-migrate has never run on: every migration is pending.</summary>
    public required bool MigrationsTableExists { get; init; }

    /// <summary>node-migrate's lastRun: the last migration it ran.</summary>
    public string? LastRun { get; init; }

    public required int Applied { get; init; }

    public required int Pending { get; init; }

    public required int Missing { get; init; }

    /// <summary>True when nothing is pending or missing and the server version is supported.</summary>
    public required bool UpToDate { get; init; }

    public required IReadOnlyList<LamassuMigration> Migrations { get; init; }
}
