namespace LamassuOps.Core.Lamassu;

/// <summary>How a deployed lamassu-server package is laid out.</summary>
public enum LamassuLayout
{
    /// <summary>v10: lib/constants.js at the package root.</summary>
    V10Root,

    /// <summary>v12: a monorepo, packages/server/lib/constants.js and packages/typesafe-db.</summary>
    V12Packages,
}

/// <summary>How the service's wrapper tells lamassu where its database is.</summary>
public enum LamassuDatabaseMode
{
    /// <summary>Choose from the package (Get-LamassuPeerAuthReadiness's recommendation).</summary>
    Auto,

    /// <summary>DATABASE_URL with the socket directory as ?host=: needs the DATABASE_URL patch everywhere lamassu builds its URL.</summary>
    DatabaseUrl,

    /// <summary>POSTGRES_HOST=%2Frun%2Fpostgresql: works unpatched where every pg-connection-string is 2.6.0 or later.</summary>
    EncodedSocketHost,

    /// <summary>Password over TCP to 127.0.0.1, the password read from a file when the service starts.</summary>
    PasswordTcp,
}

/// <summary>One copy of node-postgres in the package and the pg-connection-string it loads.</summary>
public sealed class PgConnectionStringUse
{
    /// <summary>The pg package directory, relative to the package (or absolute when it resolves outside).</summary>
    public required string PgPath { get; init; }

    public required string PgVersion { get; init; }

    /// <summary>Where node resolves pg-connection-string from that pg; null when it cannot be found.</summary>
    public string? Path { get; init; }

    public string? Version { get; init; }

    /// <summary>True from 2.6.0 on: a %2F-encoded host is decoded to a socket directory.</summary>
    public required bool DecodesEncodedSocketHost { get; init; }
}

/// <summary>Which peer-authentication modes a deployed lamassu package supports, read from its files.</summary>
public sealed class LamassuPeerAuthReadiness
{
    public required string PackagePath { get; init; }

    public required LamassuLayout Layout { get; init; }

    /// <summary>The constants.js that builds lamassu's database URL, relative to the package.</summary>
    public required string ConstantsFile { get; init; }

    public required bool ConstantsReadsDatabaseUrl { get; init; }

    /// <summary>The compiled typesafe-db files that build their own database URL (v12), relative to the package.</summary>
    public required IReadOnlyList<string> TypesafeDbFiles { get; init; }

    /// <summary>Whether every compiled typesafe-db URL builder reads DATABASE_URL; null for v10 (no typesafe-db).</summary>
    public bool? TypesafeDbReadsDatabaseUrl { get; init; }

    public required IReadOnlyList<PgConnectionStringUse> PgConnectionStrings { get; init; }

    public required bool SupportsDatabaseUrl { get; init; }

    public required bool SupportsEncodedSocketHost { get; init; }

    /// <summary>Always true: the password-over-TCP wrapper needs nothing from the package.</summary>
    public bool SupportsPasswordTcp => true;

    public required LamassuDatabaseMode RecommendedMode { get; init; }

    /// <summary>Why each mode is or is not supported.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }
}
