using Npgsql;

namespace LamassuOps.Core.Postgres;

/// <summary>Options of Test-PeerAuth and Assert-PeerAuth.</summary>
public sealed class PeerAuthOptions
{
    public string SocketDirectory { get; init; } = PostgresEndpoint.DefaultSocketDirectory;

    public int Port { get; init; } = PostgresEndpoint.DefaultPort;

    /// <summary>The role to log in as; the current OS user when null (what libpq does).</summary>
    public string? User { get; init; }

    /// <summary>The database; named like the role when null.</summary>
    public string? Database { get; init; }

    /// <summary>A connection URL instead of the socket parameters (its password, if any, is used).</summary>
    public string? DatabaseUrl { get; init; }

    /// <summary>The schema the role must be able to create objects in.</summary>
    public string Schema { get; init; } = "public";
}

/// <summary>
/// Connects the way a peer-authenticated service does (Unix socket, no password, as the current OS user) and
/// reports each step, or diagnoses why it fails with the concrete fix.
/// </summary>
public static class PeerAuthTester
{
    public static PeerAuthReport Test(PeerAuthOptions options, IOperationHost host)
    {
        var operatingSystemUser = Environment.UserName;
        var endpoint = options.DatabaseUrl is { } url
            ? PostgresUrl.Parse(url, host)
            : PostgresEndpoint.Socket(options.SocketDirectory, options.Port, options.User ?? operatingSystemUser,
                options.Database ?? options.User ?? operatingSystemUser);
        var checks = new List<PeerAuthCheck>();
        var report = new ReportBuilder(endpoint, operatingSystemUser, checks);

        if (endpoint.IsUnixSocket) CheckSocket(endpoint, checks);
        host.WriteVerbose($"Connecting to {endpoint.SocketPath ?? endpoint.Host + ":" + endpoint.Port} as role '{endpoint.Username}', OS user '{operatingSystemUser}', database '{endpoint.Database}'.");

        NpgsqlConnection connection;
        try
        {
            connection = PostgresConnector.Open(endpoint, host.CancellationToken);
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException)
        {
            var failure = PeerAuthFailure.FromException(error, endpoint, operatingSystemUser);
            AddFailedConnectionChecks(failure, checks);
            return report.Failed(failure);
        }

        using (connection)
        {
            checks.Add(Check("Server answers", PeerAuthCheckStatus.Passed, $"PostgreSQL {connection.PostgreSqlVersion}"));
            return Inspect(connection, endpoint, options.Schema, report, host);
        }
    }

    /// <summary>Test, and raise the diagnosis as an error (ErrorId PeerAuth&lt;Diagnosis&gt;) when peer authentication does not work.</summary>
    public static PeerAuthReport Assert(PeerAuthOptions options, IOperationHost host)
    {
        var report = Test(options, host);
        if (report.Succeeded) return report;
        throw Error(report.Diagnosis, report.Message!, report.Fix,
            $"{report.User}@{report.SocketPath ?? report.Host + ":" + report.Port}/{report.Database}");
    }

    /// <summary>A diagnosed failure as an error: ErrorId PeerAuth&lt;Diagnosis&gt;, the fix as the recommended action.</summary>
    public static LamassuOpsException Error(PeerAuthDiagnosis diagnosis, string message, string? fix, string target) =>
        new("PeerAuth" + diagnosis, KindOf(diagnosis), message, target, fix);

    private static FailureKind KindOf(PeerAuthDiagnosis diagnosis) => diagnosis switch
    {
        PeerAuthDiagnosis.NoSocketDirectory or PeerAuthDiagnosis.NoSocket or PeerAuthDiagnosis.ServerDown
            or PeerAuthDiagnosis.ConnectionFailed or PeerAuthDiagnosis.UrlMisread => FailureKind.ConnectionError,
        PeerAuthDiagnosis.StartingUp => FailureKind.ResourceUnavailable,
        PeerAuthDiagnosis.SocketPermissionDenied or PeerAuthDiagnosis.NotDatabaseOwner
            or PeerAuthDiagnosis.CannotCreateInSchema => FailureKind.PermissionDenied,
        PeerAuthDiagnosis.DatabaseMissing => FailureKind.ObjectNotFound,
        PeerAuthDiagnosis.NotOverSocket => FailureKind.SecurityError,
        _ => FailureKind.AuthenticationError,
    };

    private static void CheckSocket(PostgresEndpoint endpoint, List<PeerAuthCheck> checks)
    {
        var directory = endpoint.Host;
        if (!Directory.Exists(directory))
        {
            checks.Add(Check("Socket directory", PeerAuthCheckStatus.Failed, $"{directory} does not exist"));
            return;
        }
        if (!UnixFileAccess.CanSearch(directory))
        {
            checks.Add(Check("Socket directory", PeerAuthCheckStatus.Failed, $"{directory} exists but this OS user may not search it"));
            return;
        }
        checks.Add(Check("Socket directory", PeerAuthCheckStatus.Passed, $"{directory} exists and is searchable"));
        checks.Add(File.Exists(endpoint.SocketPath)
            ? Check("Socket file", PeerAuthCheckStatus.Passed, $"{endpoint.SocketPath} exists")
            : Check("Socket file", PeerAuthCheckStatus.Failed, $"{endpoint.SocketPath} does not exist"));
    }

    private static PeerAuthReport Inspect(NpgsqlConnection connection, PostgresEndpoint endpoint, string schema,
        ReportBuilder report, IOperationHost host)
    {
        var session = SessionFacts.Read(connection, schema);
        var checks = report.Checks;
        checks.Add(Check("Authenticated", PeerAuthCheckStatus.Passed,
            $"session user '{session.SessionUser}' without a password{(session.SystemUser is null ? "" : $" (system_user {session.SystemUser})")}"));

        var hba = HbaFacts.Read(connection, endpoint, host);
        var method = session.SystemUser is { } systemUser ? systemUser[..Math.Max(0, systemUser.IndexOf(':'))] : hba.Method;
        if (session.ServerVersionNumber >= 160000 && session.SystemUser is null) method = "trust";

        var details = new ReportDetails(session, method, hba);
        if (!session.OverSocket)
        {
            checks.Add(Check("Over the Unix socket", PeerAuthCheckStatus.Failed, $"connected over TCP to {endpoint.Host}:{endpoint.Port}"));
            return report.Failed(new PeerAuthFailure(PeerAuthDiagnosis.NotOverSocket,
                $"This connected over TCP ({endpoint.Host}:{endpoint.Port}), where peer authentication does not apply: the server checked {method ?? "a password or another method"}, not the OS user.",
                $"Connect over the Unix socket: host={PostgresEndpoint.DefaultSocketDirectory} (DATABASE_URL postgresql://{endpoint.Username}@/{endpoint.Database}?host={PostgresEndpoint.DefaultSocketDirectory})."),
                details);
        }
        checks.Add(Check("Over the Unix socket", PeerAuthCheckStatus.Passed, endpoint.SocketPath ?? endpoint.Host));
        checks.Add(method switch
        {
            "peer" => Check("Authentication method", PeerAuthCheckStatus.Passed, "peer" + (hba.Rule is null ? "" : $" ({hba.Rule})")),
            null => Check("Authentication method", PeerAuthCheckStatus.Skipped,
                "not visible: system_user needs PostgreSQL 16 and pg_hba_file_rules needs a superuser"),
            _ => Check("Authentication method", PeerAuthCheckStatus.Warning,
                $"{method}, not peer{(method == "trust" ? ": any OS user on this host can connect as this role" : "")}{(hba.Rule is null ? "" : $" ({hba.Rule})")}"),
        });
        checks.Add(Check("Database exists", PeerAuthCheckStatus.Passed, $"'{endpoint.Database}'"));

        if (session.DatabaseOwner != session.SessionUser)
        {
            checks.Add(Check("Role owns the database", PeerAuthCheckStatus.Failed, $"owned by '{session.DatabaseOwner}'"));
            return report.Failed(new PeerAuthFailure(PeerAuthDiagnosis.NotDatabaseOwner,
                $"The database '{endpoint.Database}' belongs to '{session.DatabaseOwner}', not to '{session.SessionUser}': lamassu's migrations create and alter tables and need to own them.",
                $"NixOS: ensureUsers = [ {{ name = \"{session.SessionUser}\"; ensureDBOwnership = true; }} ] (database named like the role); by hand: ALTER DATABASE \"{endpoint.Database}\" OWNER TO \"{session.SessionUser}\";"),
                details);
        }
        checks.Add(Check("Role owns the database", PeerAuthCheckStatus.Passed, $"'{session.SessionUser}'"));

        if (session.CanCreateInSchema != true)
        {
            checks.Add(Check($"Role can create in schema {schema}", PeerAuthCheckStatus.Failed,
                session.CanCreateInSchema is null ? $"schema {schema} does not exist" : "no CREATE privilege"));
            return report.Failed(new PeerAuthFailure(PeerAuthDiagnosis.CannotCreateInSchema,
                session.CanCreateInSchema is null
                    ? $"The schema '{schema}' does not exist in '{endpoint.Database}'."
                    : $"The role '{session.SessionUser}' may not create objects in schema '{schema}'.",
                session.CanCreateInSchema is null
                    ? $"CREATE SCHEMA \"{schema}\" AUTHORIZATION \"{session.SessionUser}\";"
                    : $"GRANT CREATE ON SCHEMA \"{schema}\" TO \"{session.SessionUser}\"; (or make the role the database owner: since PostgreSQL 15 public belongs to pg_database_owner)"),
                details);
        }
        checks.Add(Check($"Role can create in schema {schema}", PeerAuthCheckStatus.Passed, "CREATE granted"));
        return report.Succeeded(details);
    }

    /// <summary>Which steps a failed connection got through: reaching the server, authenticating, opening the database.</summary>
    private static void AddFailedConnectionChecks(PeerAuthFailure failure, List<PeerAuthCheck> checks)
    {
        var reached = failure.SqlState is not null && failure.Diagnosis != PeerAuthDiagnosis.StartingUp
            || failure.Diagnosis == PeerAuthDiagnosis.PasswordRequested;
        if (!reached)
        {
            checks.Add(Check("Server answers", PeerAuthCheckStatus.Failed, failure.Message));
            return;
        }
        checks.Add(Check("Server answers", PeerAuthCheckStatus.Passed, "the server answered"));
        if (failure.Diagnosis != PeerAuthDiagnosis.DatabaseMissing)
        {
            checks.Add(Check("Authenticated", PeerAuthCheckStatus.Failed, failure.Message));
            return;
        }
        checks.Add(Check("Authenticated", PeerAuthCheckStatus.Passed, "the role was accepted"));
        checks.Add(Check("Database exists", PeerAuthCheckStatus.Failed, failure.Message));
    }

    private static PeerAuthCheck Check(string name, PeerAuthCheckStatus status, string detail) =>
        new() { Name = name, Status = status, Detail = detail };

    private sealed record ReportDetails(SessionFacts Session, string? Method, HbaFacts Hba);

    /// <summary>Builds the report from the endpoint, the checks so far and, when connected, what the server said.</summary>
    private sealed class ReportBuilder(PostgresEndpoint endpoint, string operatingSystemUser, List<PeerAuthCheck> checks)
    {
        public List<PeerAuthCheck> Checks => checks;

        public PeerAuthReport Succeeded(ReportDetails details) => Build(null, details);

        public PeerAuthReport Failed(PeerAuthFailure failure, ReportDetails? details = null) => Build(failure, details);

        private PeerAuthReport Build(PeerAuthFailure? failure, ReportDetails? details) => new()
        {
            Succeeded = failure is null,
            Diagnosis = failure?.Diagnosis ?? PeerAuthDiagnosis.None,
            Message = failure?.Message,
            Fix = failure?.Fix,
            SqlState = failure?.SqlState,
            OperatingSystemUser = operatingSystemUser,
            User = endpoint.Username,
            Database = endpoint.Database,
            Host = endpoint.Host,
            Port = endpoint.Port,
            SocketPath = endpoint.SocketPath,
            OverSocket = details?.Session.OverSocket,
            AuthenticatedUser = details?.Session.SessionUser,
            SystemUser = details?.Session.SystemUser,
            AuthMethod = details?.Method,
            HbaRule = details?.Hba.Rule,
            IdentMappings = details?.Hba.IdentMappings ?? [],
            ServerVersion = details?.Session.ServerVersion,
            DatabaseOwner = details?.Session.DatabaseOwner,
            Checks = checks,
        };
    }
}
