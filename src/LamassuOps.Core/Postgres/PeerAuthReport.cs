namespace LamassuOps.Core.Postgres;

/// <summary>What stands between a client and peer authentication over the Unix socket; <see cref="None"/> when nothing does.</summary>
public enum PeerAuthDiagnosis
{
    None,
    NoSocketDirectory,
    NoSocket,
    SocketPermissionDenied,
    ServerDown,
    StartingUp,
    PeerMismatch,
    RoleMissing,
    RoleNoLogin,
    NoHbaEntry,
    HbaRejects,
    PasswordRequested,
    PasswordFailed,
    DatabaseMissing,
    NotOverSocket,
    NotDatabaseOwner,
    CannotCreateInSchema,

    /// <summary>lamassu's node-postgres took the URL to another host or socket than the one meant (pg-connection-string before 2.6.0).</summary>
    UrlMisread,
    ConnectionFailed,
}

public enum PeerAuthCheckStatus
{
    Passed,
    Failed,
    Warning,
    Skipped,
}

/// <summary>One step of Test-PeerAuth: what was checked and what was found.</summary>
public sealed class PeerAuthCheck
{
    public required string Name { get; init; }

    public required PeerAuthCheckStatus Status { get; init; }

    public required string Detail { get; init; }
}

/// <summary>The result of Test-PeerAuth: per-check findings, what the server says about the session, and on failure the cause and its fix.</summary>
public sealed class PeerAuthReport
{
    public required bool Succeeded { get; init; }

    public required PeerAuthDiagnosis Diagnosis { get; init; }

    /// <summary>What went wrong, in plain words; null on success.</summary>
    public string? Message { get; init; }

    /// <summary>The concrete change that fixes it; null on success.</summary>
    public string? Fix { get; init; }

    /// <summary>The SQLSTATE the server answered with, when the failure came from the server.</summary>
    public string? SqlState { get; init; }

    /// <summary>The OS user this check ran as: the one peer authentication compares with the role.</summary>
    public required string OperatingSystemUser { get; init; }

    /// <summary>The database role asked for.</summary>
    public required string User { get; init; }

    public required string Database { get; init; }

    /// <summary>The socket directory (or, for a TCP URL, the host).</summary>
    public required string Host { get; init; }

    public required int Port { get; init; }

    public string? SocketPath { get; init; }

    /// <summary>True when the server saw a Unix-socket client (inet_client_addr() is null); null when not connected.</summary>
    public bool? OverSocket { get; init; }

    /// <summary>session_user as the server reports it.</summary>
    public string? AuthenticatedUser { get; init; }

    /// <summary>system_user (PostgreSQL 16+), e.g. peer:lamassu-server; null before 16 or for trust.</summary>
    public string? SystemUser { get; init; }

    /// <summary>peer, trust, ...: from system_user (16+) or the first matching pg_hba.conf rule; null when the server does not let us see it.</summary>
    public string? AuthMethod { get; init; }

    /// <summary>The pg_hba.conf rule (as on disk) this connection matches, when the role may read pg_hba_file_rules.</summary>
    public string? HbaRule { get; init; }

    /// <summary>The pg_ident.conf lines of the map that rule uses (PostgreSQL 15+, when readable).</summary>
    public required IReadOnlyList<string> IdentMappings { get; init; }

    public string? ServerVersion { get; init; }

    public string? DatabaseOwner { get; init; }

    public required IReadOnlyList<PeerAuthCheck> Checks { get; init; }
}
