using LamassuOps.Core.Postgres;

namespace LamassuOps.Core.Lamassu;

/// <summary>Where the move to peer authentication happens: the package, its wrapper, the service user, the role and the server.</summary>
public sealed record PeerAuthMoveOptions
{
    public required string PackagePath { get; init; }

    /// <summary>The service's environment wrapper (lamassu-env): the one read today and replaced by Enable-LamassuPeerAuth.</summary>
    public required string WrapperPath { get; init; }

    /// <summary>The OS user lamassu-server runs as: peer authentication compares it with the role.</summary>
    public required string ServiceUser { get; init; }

    /// <summary>The database role; named like the service user when null.</summary>
    public string? DatabaseUser { get; init; }

    public string DatabaseName { get; init; } = "lamassu";

    public string SocketDirectory { get; init; } = PostgresEndpoint.DefaultSocketDirectory;

    public int Port { get; init; } = PostgresEndpoint.DefaultPort;

    /// <summary>The role the server facts are read as (over the socket, as this OS user): a superuser sees pg_authid and pg_hba_file_rules.</summary>
    public string AdminUser { get; init; } = "postgres";

    public string AdminDatabase { get; init; } = "postgres";

    public string Role => DatabaseUser ?? ServiceUser;

    internal PostgresEndpoint AdminEndpoint => PostgresEndpoint.Socket(SocketDirectory, Port, AdminUser, AdminDatabase);

    internal PostgresEndpoint ServiceEndpoint => PostgresEndpoint.Socket(SocketDirectory, Port, Role, DatabaseName);
}

public enum PeerAuthStepStatus
{
    Done,
    Ready,
    Blocked,
}

/// <summary>Whether the role has a password: read from pg_authid, which only a superuser may read.</summary>
public enum RolePasswordState
{
    Unknown,
    Set,
    None,
}

/// <summary>One step of the move, in order: whether it is done, can be done now, or is blocked, why, and the command that does it.</summary>
public sealed class PeerAuthStep
{
    public required int Order { get; init; }

    public required string Name { get; init; }

    public required PeerAuthStepStatus Status { get; init; }

    public required string Reason { get; init; }

    /// <summary>The command (or configuration change) that does this step or unblocks it; null when there is nothing to do.</summary>
    public string? Command { get; init; }
}

/// <summary>A pg_hba.conf rule that lets the role in over TCP with a password, and the edit that takes it away.</summary>
public sealed class HbaPasswordRule
{
    public required int LineNumber { get; init; }

    /// <summary>The rule as the server parsed it: type, databases, users, address, method.</summary>
    public required string Rule { get; init; }

    public required string Method { get; init; }

    /// <summary>The exact edit of pg_hba.conf and the NixOS option that removes it for this role.</summary>
    public required string Fix { get; init; }
}

/// <summary>Get-LamassuPeerAuthPlan: what the package, the server, the wrapper and the service user say, and the ordered steps of the move.</summary>
public sealed class LamassuPeerAuthPlan
{
    public required string PackagePath { get; init; }

    public required string WrapperPath { get; init; }

    public required string ServiceUser { get; init; }

    public required bool ServiceUserExists { get; init; }

    public required string DatabaseUser { get; init; }

    public required string DatabaseName { get; init; }

    public required string SocketDirectory { get; init; }

    public required int Port { get; init; }

    /// <summary>The peer mode the package supports (DatabaseUrl, EncodedSocketHost), or PasswordTcp when it supports none.</summary>
    public required LamassuDatabaseMode Mode { get; init; }

    /// <summary>The mode of the wrapper in place; null when it is missing or sets no database variable.</summary>
    public LamassuDatabaseMode? WrapperMode { get; init; }

    public required LamassuPeerAuthReadiness Readiness { get; init; }

    /// <summary>Null when the server could not be read (see <see cref="ServerError"/>).</summary>
    public bool? RoleExists { get; init; }

    public bool? RoleCanLogin { get; init; }

    public required RolePasswordState RolePassword { get; init; }

    /// <summary>The owner of <see cref="DatabaseName"/>; null when it does not exist or the server could not be read.</summary>
    public string? DatabaseOwner { get; init; }

    /// <summary>The first pg_hba.conf 'local' rule for the role and database: the one a socket connection meets.</summary>
    public string? LocalRule { get; init; }

    /// <summary>False when pg_hba_file_rules could not be read: the rules below are then unknown, not absent.</summary>
    public required bool HbaReadable { get; init; }

    public required IReadOnlyList<HbaPasswordRule> PasswordRules { get; init; }

    /// <summary>pg_ident.conf lines that map an OS user to the role (PostgreSQL 15+, when readable).</summary>
    public required IReadOnlyList<string> IdentMappings { get; init; }

    /// <summary>Why the server facts are unknown; null when they were read.</summary>
    public string? ServerError { get; init; }

    public required IReadOnlyList<PeerAuthStep> Steps { get; init; }

    /// <summary>True when no step is blocked.</summary>
    public bool CanProceed => Steps.All(s => s.Status != PeerAuthStepStatus.Blocked);
}
