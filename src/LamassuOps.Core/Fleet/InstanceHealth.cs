using System.Globalization;
using LamassuOps.Core.Bunker;
using LamassuOps.Core.Lamassu;
using LamassuOps.Core.Lnbits;
using LamassuOps.Core.Postgres;

namespace LamassuOps.Core.Fleet;

/// <summary>What Get-LamassuOpsHealth measures against.</summary>
public sealed class HealthOptions
{
    /// <summary>The moment ages and token states are judged at; now when null.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>A newest verified backup older than this is a Warning.</summary>
    public TimeSpan BackupMaxAge { get; init; } = TimeSpan.FromDays(1);

    /// <summary>SigningLog rows older than this are a Warning (Remove-BunkerSigningLog's default age).</summary>
    public TimeSpan SigningLogMaxAge { get; init; } = RemoveBunkerSigningLogOptions.DefaultAge;

    /// <summary>Request rows older than this are a Warning (Remove-BunkerRequest's default age).</summary>
    public TimeSpan RequestMaxAge { get; init; } = RemoveBunkerRequestOptions.DefaultAge;
}

/// <summary>
/// Get-LamassuOpsHealth for one instance: every check of the other commands, read-only, each problem a
/// <see cref="HealthFinding"/> with its severity and fix. A check that cannot run (a missing or corrupt file, a server
/// that does not answer) is a Critical finding, never an exception: one row per instance, always. The fan-out over
/// many instances (and hosts) calls <see cref="Check"/> once per instance.
/// </summary>
public static class InstanceHealth
{
    public static LamassuOpsHealth Check(LamassuOpsInstance instance, HealthOptions options, IOperationHost host)
    {
        var asOf = options.AsOf ?? DateTimeOffset.UtcNow;
        var findings = new List<HealthFinding>();
        var row = new Measures();
        if (!instance.IsLocal)
            throw new ArgumentException($"Instance '{instance.Name}' is on {instance.Host}: its health is checked there (FleetInstances runs it remotely).", nameof(instance));
        host.WriteVerbose($"Checking instance '{instance.Name}'.");
        if (instance.BunkerDatabase is { } bunker) CheckBunker(instance, bunker, options, asOf, findings, row, host);
        else findings.Add(Info("BunkerDatabase", "The inventory gives no bunkerDatabase: the nsecbunkerd checks were not run."));
        if (instance.LamassuDatabaseUrl is { } url) Guard(findings, "PeerAuth", () => PeerAuth(url, host));
        if (instance.LamassuPackage is { } package) Guard(findings, "PeerAuthReadiness", () => Readiness(package, host));
        if (instance is { LamassuPackage: { } movePackage, LamassuWrapper: { } wrapper, LamassuServiceUser: { } serviceUser })
            Guard(findings, "PeerAuthPlan", () => PeerAuthMove(movePackage, wrapper, serviceUser, instance.LamassuDatabaseUrl, host));
        host.CancellationToken.ThrowIfCancellationRequested();
        var worst = findings.Select(f => f.Severity).DefaultIfEmpty(HealthSeverity.Info).Max();
        return new LamassuOpsHealth
        {
            Instance = instance.Name,
            Host = instance.Host,
            Status = worst switch { HealthSeverity.Critical => HealthStatus.Critical, HealthSeverity.Warning => HealthStatus.Warning, _ => HealthStatus.Healthy },
            CheckedAt = asOf,
            BunkerDatabase = instance.BunkerDatabase,
            NewestBackup = row.Backup?.Path,
            NewestBackupAt = row.Backup?.At,
            NewestBackupAge = row.Backup is { } backup ? asOf - backup.At : null,
            StaleCopies = row.StaleCopies,
            PairingsNotHealthy = row.PairingsNotHealthy,
            SigningLogRows = row.SigningLog?.Rows,
            OldestSigningLogAt = row.SigningLog?.Oldest,
            RequestRows = row.Request?.Rows,
            OldestRequestAt = row.Request?.Oldest,
            Findings = findings,
        };
    }

    private sealed class Measures
    {
        public (string Path, DateTimeOffset At)? Backup { get; set; }
        public long? StaleCopies { get; set; }
        public int? PairingsNotHealthy { get; set; }
        public (long Rows, DateTimeOffset? Oldest)? SigningLog { get; set; }
        public (long Rows, DateTimeOffset? Oldest)? Request { get; set; }
    }

    private static void CheckBunker(LamassuOpsInstance instance, string bunker, HealthOptions options, DateTimeOffset asOf,
        List<HealthFinding> findings, Measures row, IOperationHost host)
    {
        var literal = Quote(bunker);
        // Test-BunkerDatabase opens the file first: when it cannot, the other bunker checks cannot either; one finding says why.
        if (!Guard(findings, "BunkerDatabase", () => Database(bunker, literal, host))) return;
        Guard(findings, "Backup", () => Backup(bunker, literal, options, asOf, row));
        Guard(findings, "StaleCopies", () => StaleCopies(bunker, literal, asOf, row, host));
        if (instance.LnbitsDatabase is { } lnbits) Guard(findings, "Pairings", () => Pairings(bunker, lnbits, asOf, row, host));
        else findings.Add(Info("Pairings", "The inventory gives no lnbitsDatabase: the pairings were not cross-checked with LNbits."));
        Guard(findings, "Growth", () => Growth(bunker, literal, options, asOf, row));
    }

    private static IEnumerable<HealthFinding> Database(string bunker, string literal, IOperationHost host)
    {
        var test = BunkerDatabaseTest.Run(new BunkerDatabaseTestOptions { Path = bunker }, host);
        foreach (var check in test.Checks.Where(c => c.Status is BunkerCheckStatus.Fail or BunkerCheckStatus.Warn))
            yield return new HealthFinding
            {
                Check = check.Name,
                Severity = check.Status == BunkerCheckStatus.Fail ? HealthSeverity.Critical : HealthSeverity.Warning,
                Message = check.Finding,
                Fix = check.Name is "Integrity" or "ForeignKeys"
                    ? $"Stop nsecbunkerd, then Restore-BunkerDatabase -LiteralPath {literal} -BackupPath <the newest good backup>"
                    : $"Test-BunkerDatabase -LiteralPath {literal} -MigrationsPath <the deployment's prisma/migrations> (its finding names the prisma command)",
            };
    }

    /// <summary>Backups beside the database, as Backup-BunkerDatabase names them, newest first; the first that passes quick_check counts.</summary>
    private static IEnumerable<HealthFinding> Backup(string bunker, string literal, HealthOptions options, DateTimeOffset asOf, Measures row)
    {
        var fix = $"Backup-BunkerDatabase -LiteralPath {literal}";
        var directory = Path.GetDirectoryName(bunker)!;
        var prefix = Path.GetFileName(bunker) + ".";
        var backups = Directory.EnumerateFiles(directory, prefix + "*.bak")
            .Select(path => (Path: path, At: BackupTime(Path.GetFileName(path)[prefix.Length..])))
            .Where(b => b.At is not null)
            .OrderByDescending(b => b.At);
        foreach (var (path, at) in backups)
        {
            if (Verifies(path))
            {
                row.Backup = (path, at!.Value);
                if (asOf - at.Value > options.BackupMaxAge)
                    yield return new HealthFinding
                    {
                        Check = "Backup", Severity = HealthSeverity.Warning, Fix = fix,
                        Message = $"The newest verified backup, {path}, is {Age(asOf - at.Value)} old (more than {Age(options.BackupMaxAge)}).",
                    };
                yield break;
            }
            yield return new HealthFinding
            {
                Check = "Backup", Severity = HealthSeverity.Warning, Fix = $"Remove '{path}', then {fix}",
                Message = $"The backup {path} fails SQLite's quick_check: it cannot be restored.",
            };
        }
        yield return new HealthFinding
        {
            Check = "Backup", Severity = HealthSeverity.Warning, Fix = fix,
            Message = $"There is no verified backup of {bunker} beside it ({prefix}<time>.bak).",
        };
    }

    /// <summary>20260619T125847123Z.bak or 20260619T125847123Z.pre-restore.bak: the time in the name.</summary>
    private static DateTimeOffset? BackupTime(string suffix) =>
        DateTimeOffset.TryParseExact(suffix.Split('.')[0], "yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;

    private static bool Verifies(string backup)
    {
        try
        {
            using var database = BunkerDatabase.OpenReadOnly(backup);
            return database.Scalar("PRAGMA quick_check") is "ok";
        }
        catch (LamassuOpsException)
        {
            return false;
        }
    }

    private static IEnumerable<HealthFinding> StaleCopies(string bunker, string literal, DateTimeOffset asOf, Measures row, IOperationHost host)
    {
        long stale = 0, redundant = 0;
        var copies = BunkerSigningConditions.Get(new BunkerSigningConditionOptions
        {
            Path = bunker, AsOf = asOf, Classification = [SigningConditionClass.PolicyCopy],
        }, host);
        foreach (var copy in copies)
        {
            if (copy.Verdict == SigningConditionVerdict.Stale) stale++;
            else redundant++;
        }
        row.StaleCopies = stale + redundant;
        if (row.StaleCopies == 0) yield break;
        using var database = BunkerDatabase.OpenReadOnly(bunker);
        var counts = $"{stale} stale and {redundant} redundant policy copies in SigningCondition";
        yield return database.Schema.HasSigningConditionLifecycle
            ? new HealthFinding
            {
                Check = "StaleCopies", Severity = HealthSeverity.Warning, Fix = $"Remove-StaleSigningCondition -LiteralPath {literal}",
                Message = $"{counts} to strip (they outlive their tokens).",
            }
            : new HealthFinding
            {
                Check = "StaleCopies", Severity = HealthSeverity.Info,
                Message = $"{counts}; on the upstream schema they are the only grants, so they stay until nsecbunkerd runs the live-grant fork.",
            };
    }

    private static IEnumerable<HealthFinding> Pairings(string bunker, string lnbits, DateTimeOffset asOf, Measures row, IOperationHost host)
    {
        var summary = BunkerPairingTest.Summarize(new BunkerPairingTestOptions { BunkerDatabase = bunker, LnbitsDatabase = lnbits, AsOf = asOf }, host);
        row.PairingsNotHealthy = summary.Accounts - summary.Healthy + summary.OrphanedKeyUser;
        if (!summary.NeedsAttention) yield break;
        var counts = new (string Name, int Count)[]
            {
                ("dangling", summary.Dangling), ("identity mismatch", summary.IdentityMismatch), ("policy mismatch", summary.PolicyMismatch),
                ("expired", summary.Expired), ("revoked", summary.Revoked), ("malformed", summary.Malformed), ("orphaned KeyUser", summary.OrphanedKeyUser),
            }
            .Where(c => c.Count > 0).Select(c => $"{c.Count} {c.Name}");
        yield return new HealthFinding
        {
            Check = "Pairings", Severity = HealthSeverity.Critical,
            Message = $"{summary.Healthy} of {summary.Accounts} LNbits signer accounts pair healthily ({string.Join(", ", counts)}).",
            Fix = $"Test-BunkerPairing -BunkerDatabase {Quote(bunker)} -LnbitsDatabase {Quote(Lnbits.LnbitsDatabaseLocation.Display(lnbits))} (each verdict gives its repair)",
        };
    }

    /// <summary>SigningLog and Request: their row counts and oldest rows, one scan each, as the prunes read createdAt.</summary>
    private static IEnumerable<HealthFinding> Growth(string bunker, string literal, HealthOptions options, DateTimeOffset asOf, Measures row)
    {
        using var database = BunkerDatabase.OpenReadOnly(bunker);
        (long Rows, DateTimeOffset? Oldest) Measure(string table)
        {
            using var command = database.CreateCommand($"SELECT count(*), min({BunkerDate.SqlMilliseconds("createdAt")}) FROM {table}");
            using var reader = command.ExecuteReader();
            reader.Read();
            return (reader.GetInt64(0), reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
        }
        HealthFinding? Grown(string table, (long Rows, DateTimeOffset? Oldest) measure, TimeSpan maxAge, string prune) =>
            measure.Oldest is { } oldest && asOf - oldest > maxAge
                ? new HealthFinding
                {
                    Check = table, Severity = HealthSeverity.Warning, Fix = $"{prune} -LiteralPath {literal} -OlderThan {maxAge.ToString("c", CultureInfo.InvariantCulture)}",
                    Message = $"{table} has {measure.Rows} rows, the oldest {Age(asOf - oldest)} old (more than {Age(maxAge)}): prune it.",
                }
                : null;

        if (database.Schema.HasSigningLog)
        {
            row.SigningLog = Measure("SigningLog");
            if (database.Schema.HasPolicyRuleWindowSeconds && Grown("SigningLog", row.SigningLog.Value, options.SigningLogMaxAge, "Remove-BunkerSigningLog") is { } log)
                yield return log;
        }
        row.Request = Measure("Request");
        if (Grown("Request", row.Request.Value, options.RequestMaxAge, "Remove-BunkerRequest") is { } request) yield return request;
    }

    private static IEnumerable<HealthFinding> PeerAuth(string url, IOperationHost host)
    {
        var report = PeerAuthTester.Test(new PeerAuthOptions { DatabaseUrl = url }, host);
        if (report.Succeeded) yield break;
        yield return new HealthFinding
        {
            Check = "PeerAuth", Severity = HealthSeverity.Critical, Fix = report.Fix,
            Message = $"Peer authentication of lamassu's role fails ({report.Diagnosis}): {report.Message}",
        };
    }

    /// <summary>
    /// The move to peer authentication (Get-LamassuPeerAuthPlan): each Blocked step is a Warning with its reason and
    /// command; steps Ready to run are one Info finding naming the next; nothing when every step is Done. The role,
    /// database, socket and port are the lamassu URL's when the instance has one.
    /// </summary>
    private static IEnumerable<HealthFinding> PeerAuthMove(string package, string wrapper, string serviceUser, string? url, IOperationHost host)
    {
        var endpoint = url is null ? null : Postgres.PostgresUrl.Parse(url, host);
        var plan = Lamassu.PeerAuthPlanner.Plan(new Lamassu.PeerAuthMoveOptions
        {
            PackagePath = package, WrapperPath = wrapper, ServiceUser = serviceUser, DatabaseUser = endpoint?.Username,
            DatabaseName = endpoint?.Database ?? "lamassu",
            SocketDirectory = endpoint is { IsUnixSocket: true } ? endpoint.Host : Postgres.PostgresEndpoint.DefaultSocketDirectory,
            Port = endpoint?.Port ?? Postgres.PostgresEndpoint.DefaultPort,
        }, host);
        foreach (var step in plan.Steps.Where(s => s.Status == Lamassu.PeerAuthStepStatus.Blocked))
            yield return new HealthFinding
            {
                Check = "PeerAuthPlan", Severity = HealthSeverity.Warning, Message = $"The move to peer authentication is blocked at step {step.Order} ({step.Name}): {step.Reason}",
                Fix = step.Command ?? $"Get-LamassuPeerAuthPlan -PackagePath {Quote(package)} -WrapperPath {Quote(wrapper)} -ServiceUser {Quote(serviceUser)} shows the plan",
            };
        if (plan.Steps.Any(s => s.Status == Lamassu.PeerAuthStepStatus.Blocked)) yield break;
        if (plan.Steps.FirstOrDefault(s => s.Status == Lamassu.PeerAuthStepStatus.Ready) is { } next)
            yield return Info("PeerAuthPlan", $"The move to peer authentication can go on: step {next.Order} ({next.Name}) is ready{(next.Command is null ? "." : $": {next.Command}")}");
    }

    private static IEnumerable<HealthFinding> Readiness(string package, IOperationHost host)
    {
        var readiness = PeerAuthReadinessReader.Read(package, host);
        if (readiness.SupportsDatabaseUrl || readiness.SupportsEncodedSocketHost) yield break;
        yield return new HealthFinding
        {
            Check = "PeerAuthReadiness", Severity = HealthSeverity.Warning,
            Message = $"The lamassu package {package} supports only a password over TCP: {string.Join(" ", readiness.Reasons)}",
            Fix = $"Deploy a lamassu-server that reads DATABASE_URL (Get-LamassuPeerAuthReadiness -PackagePath {Quote(package)} lists what is missing)",
        };
    }

    /// <summary>Adds the findings of one check; a check that fails to run is itself a Critical finding. False when it failed to run.</summary>
    private static bool Guard(List<HealthFinding> findings, string check, Func<IEnumerable<HealthFinding>> run)
    {
        try
        {
            findings.AddRange(run().ToList());
            return true;
        }
        catch (LamassuOpsException error)
        {
            findings.Add(new HealthFinding
            {
                Check = check, Severity = HealthSeverity.Critical, Fix = error.RecommendedAction,
                Message = $"The {check} check could not run: {error.Message} ({error.ErrorId})",
            });
            return false;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            findings.Add(new HealthFinding
            {
                Check = check, Severity = HealthSeverity.Critical, Fix = $"Check the file's state and permissions; Test-BunkerDatabase names what it finds.",
                Message = $"The {check} check could not run: {error.Message}",
            });
            return false;
        }
    }

    private static HealthFinding Info(string check, string message) => new() { Check = check, Severity = HealthSeverity.Info, Message = message };

    private static string Quote(string value) => "'" + value.Replace("'", "''") + "'";

    private static string Age(TimeSpan age) => age.TotalDays >= 1
        ? $"{age.TotalDays.ToString("0.#", CultureInfo.InvariantCulture)} days"
        : $"{age.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} hours";
}
