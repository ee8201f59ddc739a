using System.Net.Sockets;
using Npgsql;

namespace LamassuOps.Core.Postgres;

/// <summary>A diagnosed failure: which case it is, what it means here, and the concrete fix.</summary>
public sealed record PeerAuthFailure(PeerAuthDiagnosis Diagnosis, string Message, string Fix, string? SqlState = null)
{
    /// <summary>The map name suggested in ident-map fixes (NixOS services.postgresql.identMap).</summary>
    public const string SuggestedMapName = "lamassu";

    /// <summary>
    /// Reads a connection failure: the server's SQLSTATE and message for refusals, the socket error and the
    /// socket directory's state for failures to reach the server.
    /// </summary>
    public static PeerAuthFailure FromException(Exception error, PostgresEndpoint endpoint, string operatingSystemUser)
    {
        var role = endpoint.Username;
        var database = endpoint.Database;
        if (error is PostgresException server) return FromServer(server, endpoint, operatingSystemUser);
        if (error is NpgsqlException && error.Message.Contains("No password has been provided", StringComparison.Ordinal))
            return new(PeerAuthDiagnosis.PasswordRequested,
                $"The server asked for a password for role '{role}': the pg_hba.conf rule that matches this connection uses a password method, not peer.",
                $"Put 'local {database} {role} peer' above that rule in pg_hba.conf (NixOS: services.postgresql.authentication) and reload PostgreSQL.");
        if (FindSocketError(error) is { } socketError)
            return endpoint.IsUnixSocket ? FromUnixSocketError(socketError, endpoint, operatingSystemUser) : FromTcpError(socketError, endpoint);
        return new(PeerAuthDiagnosis.ConnectionFailed, $"Could not connect: {error.Message}",
            "Check that PostgreSQL runs (systemctl status postgresql) and read its log.");
    }

    private static PeerAuthFailure FromServer(PostgresException error, PostgresEndpoint endpoint, string operatingSystemUser)
    {
        var role = endpoint.Username;
        var database = endpoint.Database;
        var text = error.MessageText;
        PeerAuthFailure Failure(PeerAuthDiagnosis diagnosis, string message, string fix) => new(diagnosis, message, fix, error.SqlState);

        return error.SqlState switch
        {
            PostgresErrorCodes.InvalidAuthorizationSpecification when text.StartsWith("Peer authentication failed", StringComparison.Ordinal) =>
                Failure(PeerAuthDiagnosis.PeerMismatch,
                    $"Peer authentication compares the OS user with the role: this ran as OS user '{operatingSystemUser}', asked for role '{role}', and no ident map line allows that.",
                    $"Run the client as the OS user '{role}' (systemd: User={role}; by hand: runuser -u {role} -- ...), or map the OS user to the role: " +
                    $"pg_ident.conf line '{SuggestedMapName} {operatingSystemUser} {role}' and pg_hba.conf line 'local {database} {role} peer map={SuggestedMapName}' above 'local all all peer' " +
                    "(NixOS: services.postgresql.identMap and services.postgresql.authentication), then reload PostgreSQL."),
            PostgresErrorCodes.InvalidAuthorizationSpecification when text.Contains("does not exist", StringComparison.Ordinal) =>
                Failure(PeerAuthDiagnosis.RoleMissing,
                    $"The role '{role}' does not exist.",
                    $"Create it: NixOS services.postgresql.ensureUsers = [ {{ name = \"{role}\"; ensureDBOwnership = true; }} ]; by hand: CREATE ROLE \"{role}\" LOGIN;"),
            PostgresErrorCodes.InvalidAuthorizationSpecification when text.Contains("not permitted to log in", StringComparison.Ordinal) =>
                Failure(PeerAuthDiagnosis.RoleNoLogin,
                    $"The role '{role}' exists but is NOLOGIN.",
                    $"ALTER ROLE \"{role}\" LOGIN; (roles from NixOS ensureUsers can log in)."),
            PostgresErrorCodes.InvalidAuthorizationSpecification when text.StartsWith("no pg_hba.conf entry", StringComparison.Ordinal) =>
                Failure(PeerAuthDiagnosis.NoHbaEntry,
                    $"No pg_hba.conf rule matches this connection ({text}).",
                    endpoint.IsUnixSocket
                        ? $"Add 'local {database} {role} peer' to pg_hba.conf (NixOS: services.postgresql.authentication) and reload PostgreSQL."
                        : $"Connect over the Unix socket (host={PostgresEndpoint.DefaultSocketDirectory}) where 'local ... peer' rules apply, or add a host rule for this address."),
            PostgresErrorCodes.InvalidAuthorizationSpecification when text.StartsWith("pg_hba.conf rejects", StringComparison.Ordinal) =>
                Failure(PeerAuthDiagnosis.HbaRejects,
                    $"A 'reject' rule in pg_hba.conf matches this connection ({text}).",
                    $"Put 'local {database} {role} peer' above the reject rule and reload PostgreSQL."),
            PostgresErrorCodes.InvalidPassword =>
                Failure(PeerAuthDiagnosis.PasswordFailed,
                    $"The server asked for a password and refused the one given ({text}).",
                    endpoint.IsUnixSocket
                        ? $"Use peer authentication: 'local {database} {role} peer' above the password rule in pg_hba.conf."
                        : $"Connect over the Unix socket (host={PostgresEndpoint.DefaultSocketDirectory}) with peer authentication, or fix the password."),
            PostgresErrorCodes.InvalidCatalogName =>
                Failure(PeerAuthDiagnosis.DatabaseMissing,
                    $"Authentication worked, but the database '{database}' does not exist.",
                    $"Create it owned by the role: NixOS services.postgresql.ensureDatabases = [ \"{database}\" ] with ensureDBOwnership for a role of the same name; by hand: CREATE DATABASE \"{database}\" OWNER \"{role}\";"),
            PostgresErrorCodes.CannotConnectNow =>
                Failure(PeerAuthDiagnosis.StartingUp,
                    $"PostgreSQL is running but not accepting connections yet ({text}): starting up, in recovery, or shutting down.",
                    "Start the service after PostgreSQL is ready (systemd: After=postgresql.target and Requires=postgresql.service), or retry shortly."),
            _ => Failure(PeerAuthDiagnosis.ConnectionFailed, $"The server refused the connection: {error.SqlState}: {text}",
                "Read the PostgreSQL log for this connection (log_connections = on shows the matching pg_hba.conf line)."),
        };
    }

    private static PeerAuthFailure FromUnixSocketError(SocketError socketError, PostgresEndpoint endpoint, string operatingSystemUser)
    {
        var directory = endpoint.Host;
        var socket = endpoint.SocketPath!;
        if (!Directory.Exists(directory))
            return new(PeerAuthDiagnosis.NoSocketDirectory,
                $"The socket directory {directory} does not exist.",
                $"Check that PostgreSQL runs on this host and which directory it uses (unix_socket_directories; NixOS: {PostgresEndpoint.DefaultSocketDirectory}).");
        if (socketError == SocketError.AccessDenied || !UnixFileAccess.CanSearch(directory))
            return new(PeerAuthDiagnosis.SocketPermissionDenied,
                $"The OS user '{operatingSystemUser}' may not pass through {directory} ({DescribeDirectory(directory)}), so it cannot reach {socket}.",
                $"Make {directory} searchable by others (chmod 0755, PostgreSQL's default) or give '{operatingSystemUser}' the directory's group; check unix_socket_permissions too.");
        if (socketError == SocketError.ConnectionRefused)
            return new(PeerAuthDiagnosis.ServerDown,
                $"{socket} exists but nothing accepts connections on it: PostgreSQL is stopped or died and left a stale socket.",
                "Start PostgreSQL (systemctl start postgresql) and order the service after it (After=postgresql.target).");
        var others = OtherSockets(directory, endpoint.Port);
        return new(PeerAuthDiagnosis.NoSocket,
            $"There is no {Path.GetFileName(socket)} in {directory}: no server listens on port {endpoint.Port} there." +
            (others.Count > 0 ? $" Sockets present: {string.Join(", ", others)}." : ""),
            others.Count > 0
                ? $"Use the port of a socket that exists ({string.Join(", ", others.Select(s => s[(s.LastIndexOf('.') + 1)..]))})."
                : "Start PostgreSQL (systemctl start postgresql) and check unix_socket_directories and port.");
    }

    private static PeerAuthFailure FromTcpError(SocketError socketError, PostgresEndpoint endpoint) =>
        socketError == SocketError.ConnectionRefused
            ? new(PeerAuthDiagnosis.ServerDown, $"Nothing accepts connections on {endpoint.Host}:{endpoint.Port}.",
                $"Peer authentication needs the Unix socket anyway: connect with host={PostgresEndpoint.DefaultSocketDirectory}.")
            : new(PeerAuthDiagnosis.ConnectionFailed, $"Could not reach {endpoint.Host}:{endpoint.Port} ({socketError}).",
                $"Peer authentication needs the Unix socket: connect with host={PostgresEndpoint.DefaultSocketDirectory}.");

    private static SocketError? FindSocketError(Exception error)
    {
        for (Exception? inner = error; inner is not null; inner = inner.InnerException)
            if (inner is SocketException socket) return socket.SocketErrorCode;
        return null;
    }

    private static List<string> OtherSockets(string directory, int port)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(directory, ".s.PGSQL.*")
                .Select(Path.GetFileName).OfType<string>()
                .Where(name => !name.EndsWith(".lock", StringComparison.Ordinal) && name != $".s.PGSQL.{port}")
                .Order(StringComparer.Ordinal).ToList();
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string DescribeDirectory(string directory) =>
        OperatingSystem.IsWindows() ? "no access" : $"mode {System.Convert.ToString((int)File.GetUnixFileMode(directory), 8).PadLeft(4, '0')}";
}
