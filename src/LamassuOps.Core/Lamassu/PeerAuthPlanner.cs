using LamassuOps.Core.Postgres;

namespace LamassuOps.Core.Lamassu;

/// <summary>
/// Get-LamassuPeerAuthPlan: reads the package's readiness, the server (as an administrator, read-only), the wrapper in
/// place and the service user, and orders the move's steps, each Done, Ready or Blocked with the reason and the command.
/// Changes nothing. The fleet health check calls <see cref="Plan"/> too.
/// </summary>
public static class PeerAuthPlanner
{
    public static LamassuPeerAuthPlan Plan(PeerAuthMoveOptions options, IOperationHost host)
    {
        var wrapperPath = Path.GetFullPath(options.WrapperPath);
        var readiness = PeerAuthReadinessReader.Read(options.PackagePath, host);
        var wrapper = WrapperFile.Read(wrapperPath);
        var serviceUserExists = UnixFileAccess.UserExists(options.ServiceUser);
        var (facts, serverError) = ReadServer(options, host);
        var role = options.Role;
        var steps = new StepList();

        var mode = readiness.RecommendedMode;
        steps.Add("Package supports peer authentication",
            mode == LamassuDatabaseMode.PasswordTcp
                ? Blocked(string.Join(" ", readiness.Reasons), $"Get-LamassuPeerAuthReadiness -PackagePath '{readiness.PackagePath}'")
                : Done($"{mode}: {readiness.Reasons[^1]}"));
        steps.Add("Service user exists",
            serviceUserExists
                ? Done($"The OS user '{options.ServiceUser}' exists.")
                : Blocked($"There is no OS user '{options.ServiceUser}'.",
                    $"NixOS: users.users.\"{options.ServiceUser}\" = {{ isSystemUser = true; group = \"{options.ServiceUser}\"; }}; (or give -ServiceUser the user the service runs as)"));
        steps.Add("Role logs in by peer as the service user", PeerStep(options, facts, serverError));
        steps.Add("Role owns the database", OwnerStep(options, facts, serverError));

        var wrapperMode = wrapper.Mode;
        var enable = $"Enable-LamassuPeerAuth -PackagePath '{readiness.PackagePath}' -WrapperPath '{wrapperPath}' -ServiceUser '{options.ServiceUser}'" +
                     (options.DatabaseUser is null ? "" : $" -DatabaseUser '{role}'") + $" -DatabaseName '{options.DatabaseName}'";
        steps.Add("Wrapper connects by peer",
            wrapperMode is LamassuDatabaseMode.DatabaseUrl or LamassuDatabaseMode.EncodedSocketHost
                ? Done($"{wrapperPath} uses {wrapperMode}.")
                : steps.AnyBlocked
                    ? Blocked("An earlier step is blocked.", enable)
                    : Ready((wrapper.Exists ? $"{wrapperPath} uses {wrapperMode?.ToString() ?? "no database variable"}" : $"{wrapperPath} does not exist") +
                            $"; the new wrapper ({mode}) is proven by a probe as '{options.ServiceUser}' before anything else changes.", enable));

        var disable = $"Disable-LamassuPasswordLogin -DatabaseUser '{role}'";
        steps.Add("Password removed from the role",
            facts?.Password == RolePasswordState.None ? Done($"The role '{role}' has no password.")
            : steps.AnyBlocked ? Blocked("An earlier step is blocked.", disable)
            : Ready(facts?.Password == RolePasswordState.Set
                    ? $"The role '{role}' still has a password; removed after a passing peer probe."
                    : $"Whether '{role}' has a password is unknown (pg_authid is for superusers); removed after a passing peer probe.",
                $"{enable} | Disable-LamassuPasswordLogin"));

        var rules = facts?.PasswordRules(role, options.DatabaseName) ?? [];
        var nix = $"New-LamassuNixModuleChange -PackagePath '{readiness.PackagePath}' -DatabaseUser '{role}' -DatabaseName '{options.DatabaseName}'";
        steps.Add("Password rules and secret retired",
            facts?.HbaRules is not null && rules.Count == 0 && facts.Password == RolePasswordState.None
                ? Done($"No pg_hba.conf rule accepts a password for '{role}' over TCP, and it has none.")
                : Ready((facts?.HbaRules is null
                        ? "pg_hba_file_rules is not readable here: which rules accept a password is unknown."
                        : rules.Count == 0 ? $"No pg_hba.conf rule accepts a password for '{role}' over TCP."
                        : $"{rules.Count} pg_hba.conf rule(s) accept a password for '{role}' over TCP: " + string.Join(" ", rules.Select(r => r.Fix))) +
                    " The NixOS module still needs its password secret and setup service removed.", nix));

        return new LamassuPeerAuthPlan
        {
            PackagePath = readiness.PackagePath,
            WrapperPath = wrapperPath,
            ServiceUser = options.ServiceUser,
            ServiceUserExists = serviceUserExists,
            DatabaseUser = role,
            DatabaseName = options.DatabaseName,
            SocketDirectory = options.SocketDirectory,
            Port = options.Port,
            Mode = mode,
            WrapperMode = wrapperMode,
            Readiness = readiness,
            RoleExists = facts?.RoleExists,
            RoleCanLogin = facts?.RoleExists == true ? facts.RoleCanLogin : null,
            RolePassword = facts?.Password ?? RolePasswordState.Unknown,
            DatabaseOwner = facts?.DatabaseOwner,
            LocalRule = facts?.LocalRule(role, options.DatabaseName) is { } local ? $"pg_hba.conf line {local.LineNumber}: {local.Text}" : null,
            HbaReadable = facts?.HbaRules is not null,
            PasswordRules = rules,
            IdentMappings = facts?.IdentMappings.Where(m => m.Allows(options.ServiceUser, role) || m.DatabaseUser == role).Select(m => m.Text).ToList() ?? [],
            ServerError = serverError,
            Steps = steps.Steps,
        };
    }

    private static (PeerAuthServerFacts? Facts, string? Error) ReadServer(PeerAuthMoveOptions options, IOperationHost host)
    {
        try
        {
            using var connection = PostgresConnector.OpenReadOnly(options.AdminEndpoint, host);
            return (PeerAuthServerFacts.Read(connection, options.Role, options.DatabaseName, host), null);
        }
        catch (LamassuOpsException error)
        {
            host.WriteWarning($"The server facts are unknown: connecting as '{options.AdminUser}' failed ({error.ErrorId}): {error.Message}");
            return (null, $"{error.Message} {error.RecommendedAction}".TrimEnd());
        }
    }

    /// <summary>Peer authentication for the service user as the role: the role, the first local rule, and its ident map.</summary>
    private static StepState PeerStep(PeerAuthMoveOptions options, PeerAuthServerFacts? facts, string? serverError)
    {
        var role = options.Role;
        var user = options.ServiceUser;
        var database = options.DatabaseName;
        if (facts is null) return Blocked($"The server could not be read: {serverError}", null);
        if (!facts.RoleExists)
            return Blocked($"The role '{role}' does not exist.", $"NixOS: services.postgresql.ensureUsers = [ {{ name = \"{role}\"; ensureDBOwnership = true; }} ]; by hand: CREATE ROLE \"{role}\" LOGIN;");
        if (!facts.RoleCanLogin) return Blocked($"The role '{role}' is NOLOGIN.", $"ALTER ROLE \"{role}\" LOGIN;");
        if (facts.HbaRules is null)
            return Ready("pg_hba_file_rules is not readable here: the probe of Enable-LamassuPeerAuth shows whether peer works.", null);
        var local = facts.LocalRule(role, database);
        var peerLine = $"local {database} {role} peer";
        if (local is null)
            return Blocked($"No pg_hba.conf 'local' rule matches role '{role}' and database '{database}'.",
                $"Add '{peerLine}' to pg_hba.conf (NixOS: services.postgresql.authentication) and reload PostgreSQL.");
        if (local.Method != "peer")
            return Blocked($"pg_hba.conf line {local.LineNumber} ('{local.Text}') is the first local rule for '{role}' and uses {local.Method}, not peer.",
                $"Put '{peerLine}' above line {local.LineNumber} (NixOS: services.postgresql.authentication = lib.mkBefore \"{peerLine}\";) and reload PostgreSQL.");
        var mapLine = $"{PeerAuthFailure.SuggestedMapName} {user} {role}";
        var mapFix = $"Name the role like the OS user, or map it: pg_ident.conf line '{mapLine}' and pg_hba.conf line '{peerLine} map={PeerAuthFailure.SuggestedMapName}' above line {local.LineNumber} " +
                     $"(NixOS: services.postgresql.identMap = \"{mapLine}\"; and services.postgresql.authentication = lib.mkBefore \"{peerLine} map={PeerAuthFailure.SuggestedMapName}\";), then reload PostgreSQL.";
        if (local.Map is not { } map)
            return user == role
                ? Done($"pg_hba.conf line {local.LineNumber} ('{local.Text}'): peer, and the OS user is named like the role.")
                : Blocked($"pg_hba.conf line {local.LineNumber} ('{local.Text}') is peer without an ident map, and the OS user '{user}' is not named like the role '{role}'.", mapFix);
        var allowing = facts.IdentMappings.FirstOrDefault(m => m.Map == map && m.Allows(user, role));
        return allowing is not null
            ? Done($"pg_hba.conf line {local.LineNumber} ('{local.Text}'), {allowing.Text}.")
            : Blocked($"pg_hba.conf line {local.LineNumber} ('{local.Text}') uses ident map '{map}', which has no line for OS user '{user}' as role '{role}'.",
                $"Add pg_ident.conf line '{map} {user} {role}' (NixOS: services.postgresql.identMap) and reload PostgreSQL.");
    }

    private static StepState OwnerStep(PeerAuthMoveOptions options, PeerAuthServerFacts? facts, string? serverError)
    {
        var role = options.Role;
        var database = options.DatabaseName;
        if (facts is null) return Blocked($"The server could not be read: {serverError}", null);
        if (facts.DatabaseOwner is null)
            return Blocked($"The database '{database}' does not exist.",
                $"NixOS: services.postgresql.ensureDatabases = [ \"{database}\" ]; by hand: CREATE DATABASE \"{database}\" OWNER \"{role}\";");
        return facts.DatabaseOwner == role
            ? Done($"'{database}' belongs to '{role}'.")
            : Blocked($"'{database}' belongs to '{facts.DatabaseOwner}', not to '{role}': lamassu's migrations need to own their tables.",
                $"ALTER DATABASE \"{database}\" OWNER TO \"{role}\"; (NixOS: ensureDBOwnership = true for a role named like the database)");
    }

    private sealed record StepState(PeerAuthStepStatus Status, string Reason, string? Command);

    private static StepState Done(string reason) => new(PeerAuthStepStatus.Done, reason, null);

    private static StepState Ready(string reason, string? command) => new(PeerAuthStepStatus.Ready, reason, command);

    private static StepState Blocked(string reason, string? command) => new(PeerAuthStepStatus.Blocked, reason, command);

    private sealed class StepList
    {
        public List<PeerAuthStep> Steps { get; } = [];

        public bool AnyBlocked => Steps.Any(s => s.Status == PeerAuthStepStatus.Blocked);

        public void Add(string name, StepState state) =>
            Steps.Add(new PeerAuthStep { Order = Steps.Count + 1, Name = name, Status = state.Status, Reason = state.Reason, Command = state.Command });
    }
}
