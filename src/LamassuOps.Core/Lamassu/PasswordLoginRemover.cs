using LamassuOps.Core.Postgres;

namespace LamassuOps.Core.Lamassu;

/// <summary>Options of Disable-LamassuPasswordLogin.</summary>
public sealed record DisablePasswordLoginOptions
{
    public required string DatabaseUser { get; init; }

    public string DatabaseName { get; init; } = "lamassu";

    public string SocketDirectory { get; init; } = PostgresEndpoint.DefaultSocketDirectory;

    public int Port { get; init; } = PostgresEndpoint.DefaultPort;

    public string AdminUser { get; init; } = "postgres";

    public string AdminDatabase { get; init; } = "postgres";

    /// <summary>A passing probe of this process (Enable-LamassuPeerAuth's ProbeId); without one the probe runs here, which needs the three below.</summary>
    public string? ProbeId { get; init; }

    public string? PackagePath { get; init; }

    public string? WrapperPath { get; init; }

    public string? ServiceUser { get; init; }
}

/// <summary>Disable-LamassuPasswordLogin's result: the password gone, what still accepts one, and the only way back.</summary>
public sealed class LamassuPasswordLoginRemoval
{
    public required string DatabaseUser { get; init; }

    public required RolePasswordState PasswordBefore { get; init; }

    /// <summary>False under -WhatIf.</summary>
    public required bool PasswordRemoved { get; init; }

    /// <summary>The passing probe this rests on.</summary>
    public required string ProbeId { get; init; }

    public required bool HbaReadable { get; init; }

    /// <summary>pg_hba.conf rules that would accept a password for the role over TCP, each with its edit.</summary>
    public required IReadOnlyList<HbaPasswordRule> RemainingPasswordRules { get; init; }

    /// <summary>The only way back: a new password, and the command that sets one (it prompts; no password on a command line).</summary>
    public required string WayBack { get; init; }
}

/// <summary>
/// Takes the role's password away (ALTER ROLE … PASSWORD NULL, in one transaction that checks pg_authid before it
/// commits), only after a passing peer probe: one of this process, or one run here through the wrapper.
/// </summary>
public static class PasswordLoginRemover
{
    public static LamassuPasswordLoginRemoval Disable(DisablePasswordLoginOptions options, IOperationHost host)
    {
        var role = options.DatabaseUser;
        var service = PostgresEndpoint.Socket(options.SocketDirectory, options.Port, role, options.DatabaseName);
        var probeId = PassingProbe(options, service, host);

        using var connection = PostgresConnector.OpenDiagnosed(
            PostgresEndpoint.Socket(options.SocketDirectory, options.Port, options.AdminUser, options.AdminDatabase), host);
        var facts = PeerAuthServerFacts.Read(connection, role, options.DatabaseName, host);
        if (!facts.RoleExists)
            throw new LamassuOpsException("PasswordLoginRoleMissing", FailureKind.ObjectNotFound,
                $"The role '{role}' does not exist. Nothing was changed.", role, "Give -DatabaseUser the role lamassu logs in as.");
        var rules = facts.PasswordRules(role, options.DatabaseName);
        var wayBack = $"The only way back is a new password: sudo -u postgres psql -c '\\password \"{role}\"' (it prompts for the password), " +
                      "then a password wrapper again (New-LamassuEnvWrapper -Mode PasswordTcp).";
        var removed = host.ShouldProcess(role,
            $"Remove the password of role '{role}' (ALTER ROLE PASSWORD NULL): password logins over TCP stop working. {wayBack}");
        if (removed)
        {
            using var transaction = connection.BeginTransaction();
            PostgresConnector.Execute(connection, $"ALTER ROLE {QuoteIdentifier(role)} PASSWORD NULL");
            if (PeerAuthServerFacts.ReadPassword(connection, role, host) == RolePasswordState.Set)
                throw new LamassuOpsException("PasswordLoginNotRemoved", FailureKind.InvalidResult,
                    $"The role '{role}' still has a password after ALTER ROLE; the change was rolled back.", role, "Read the PostgreSQL log.");
            transaction.Commit();
            host.WriteWarning(wayBack);
        }
        if (rules.Count > 0)
            host.WriteWarning($"{rules.Count} pg_hba.conf rule(s) would still accept a password for '{role}' over TCP if it had one; see RemainingPasswordRules for the edits.");
        return new LamassuPasswordLoginRemoval
        {
            DatabaseUser = role, PasswordBefore = facts.Password, PasswordRemoved = removed, ProbeId = probeId,
            HbaReadable = facts.HbaRules is not null, RemainingPasswordRules = rules, WayBack = wayBack,
        };
    }

    private static string PassingProbe(DisablePasswordLoginOptions options, PostgresEndpoint service, IOperationHost host)
    {
        if (PeerProbe.IsPassed(options.ProbeId, service)) return options.ProbeId!;
        if (options.ProbeId is not null)
            host.WriteVerbose($"Probe {options.ProbeId} is not a passing probe of this run for '{service.Username}': probing again.");
        if (options.PackagePath is null || options.WrapperPath is null || options.ServiceUser is null)
            throw new LamassuOpsException("PasswordLoginProbeRequired", FailureKind.InvalidOperation,
                $"Removing the password of '{service.Username}' needs a passing peer probe first, and none was given or can be run here. Nothing was changed.",
                service.Username,
                "Pipe Enable-LamassuPeerAuth into this command, or give -PackagePath, -WrapperPath and -ServiceUser so it probes the wrapper itself.");
        var probe = PeerProbe.Run(Path.GetFullPath(options.WrapperPath), LamassuPackage.Open(options.PackagePath), options.ServiceUser, service, host);
        if (!probe.Passed)
            throw PeerAuthTester.Error(probe.Diagnosis,
                $"The peer probe as OS user '{options.ServiceUser}' failed, so the password stays: {probe.Message}", probe.Fix, options.WrapperPath);
        return probe.ProbeId!;
    }

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
