namespace LamassuOps.Core.Bunker;

/// <summary>What Test-BunkerDatabase checks.</summary>
public sealed class BunkerDatabaseTestOptions
{
    /// <summary>The nsecbunker.db to check (opened read-only).</summary>
    public required string Path { get; init; }

    /// <summary>The deployment's prisma/migrations folder (full path) to compare the migration history with, if any.</summary>
    public string? MigrationsPath { get; init; }
}

/// <summary>
/// Test-BunkerDatabase: SQLite's full integrity_check, foreign keys, the schema variant, the Prisma migration history
/// and, given the deployment's migrations, pending, unknown and changed migrations. Each check passes, warns or fails
/// with a plain finding; a check that cannot read what it needs (corruption) fails with the reason.
/// </summary>
public static class BunkerDatabaseTest
{
    private const int IntegrityMessages = 20;

    public static BunkerDatabaseTestResult Run(BunkerDatabaseTestOptions options, IOperationHost host)
    {
        var folder = options.MigrationsPath is null ? null : PrismaMigrationFolder.Read(options.MigrationsPath);
        using var database = BunkerDatabase.OpenReadOnly(options.Path);
        host.WriteVerbose($"Checking '{database.Path}' ({database.Schema.Describe()}).");

        var checks = new List<BunkerDatabaseCheck>
        {
            Guarded("Integrity", () => Integrity(database)),
            Guarded("ForeignKeys", () => ForeignKeys(database)),
            Schema(database.Schema),
        };
        host.CancellationToken.ThrowIfCancellationRequested();

        IReadOnlyList<HistoryRow>? history = null;
        checks.Add(Guarded("MigrationHistory", () =>
        {
            history = database.Schema.HasMigrationsTable ? ReadHistory(database) : null;
            return MigrationHistory(history);
        }));
        var migrations = Combine(history, folder);
        checks.Add(FailedMigrations(history, migrations));
        checks.AddRange(FolderChecks(history, folder, migrations));

        var status = checks.Select(c => c.Status).Where(s => s != BunkerCheckStatus.Skipped).DefaultIfEmpty(BunkerCheckStatus.Pass).Max();
        var notPassed = checks.Where(c => c.Status is BunkerCheckStatus.Warn or BunkerCheckStatus.Fail).ToList();
        return new BunkerDatabaseTestResult
        {
            Path = database.Path,
            Passed = status != BunkerCheckStatus.Fail,
            Status = status,
            Finding = notPassed.Count == 0
                ? $"All checks passed: {database.Schema.Describe()}, {migrations.Count(m => m.State == BunkerMigrationState.Applied)} migrations applied."
                : string.Join(" ", notPassed.Select(c => $"{c.Name} {c.Status.ToString().ToLowerInvariant()}: {c.Finding}")),
            SchemaVariant = database.Schema.Variant,
            SchemaFeatures = database.Schema.Features,
            AppliedMigrationCount = migrations.Count(m => m.State == BunkerMigrationState.Applied),
            FailedMigrationCount = migrations.Count(m => m.State == BunkerMigrationState.Failed),
            PendingMigrationCount = migrations.Count(IsPending),
            Checks = checks,
            Migrations = migrations,
        };
    }

    private static (BunkerCheckStatus, string) Integrity(BunkerDatabase database)
    {
        var messages = database.Query($"PRAGMA integrity_check({IntegrityMessages})", r => r.GetString(0)).ToList();
        return messages is ["ok"]
            ? (BunkerCheckStatus.Pass, "SQLite's integrity_check found no problem.")
            : (BunkerCheckStatus.Fail, $"SQLite's integrity_check found problems{(messages.Count >= IntegrityMessages ? $" (the first {IntegrityMessages})" : "")}: " +
                                      $"{string.Join("; ", messages)}. Stop nsecbunkerd and restore a backup; `sqlite3 nsecbunker.db .recover` can salvage rows.");
    }

    private static (BunkerCheckStatus, string) ForeignKeys(BunkerDatabase database)
    {
        var broken = database.Query(
            "SELECT \"table\", parent, count(*) FROM pragma_foreign_key_check GROUP BY \"table\", parent ORDER BY \"table\", parent",
            r => $"{r.GetInt64(2)} {r.GetString(0)} row(s) point at a missing {r.GetString(1)}").ToList();
        return broken.Count == 0
            ? (BunkerCheckStatus.Pass, "Every foreign key points at an existing row.")
            : (BunkerCheckStatus.Warn, $"{string.Join("; ", broken)}. Rows were deleted with foreign keys off (an sqlite3 shell); " +
                                       "Get-BunkerPairing -IncludeDangling and Get-BunkerSigningCondition show what they affect.");
    }

    private static BunkerDatabaseCheck Schema(BunkerSchema schema)
    {
        var missing = schema.MissingUpstreamTables.Concat(schema.MissingUpstreamColumns).ToList();
        var lacking = BunkerSchema.DescribeFeatures(BunkerSchema.AllFeatures & ~schema.Features).ToList();
        var (status, finding) = missing.Count > 0
            ? (BunkerCheckStatus.Fail, $"The {schema.Describe()} lacks {string.Join(", ", missing)}: nsecbunkerd fails on it. Apply the missing migrations or restore a backup.")
            : schema.Variant == BunkerSchemaVariant.LiveGrant && lacking.Count > 0
                ? (BunkerCheckStatus.Warn, $"Part-way through the live-grant fork's migrations: has {string.Join(", ", BunkerSchema.DescribeFeatures(schema.Features))}, " +
                                           $"lacks {string.Join(", ", lacking)}. Apply the pending fork migrations before running the fork's current code.")
                : (BunkerCheckStatus.Pass, $"The {schema.Describe()}.");
        return new BunkerDatabaseCheck { Name = "Schema", Status = status, Finding = finding };
    }

    private static (BunkerCheckStatus, string) MigrationHistory(IReadOnlyList<HistoryRow>? history)
    {
        const string baseline = "so `prisma migrate deploy` fails with P3005 (the database schema is not empty). Baseline it: " +
                                "`prisma migrate resolve --applied <name>` for each migration the schema already has.";
        if (history is null)
            return (BunkerCheckStatus.Fail, $"There is no {BunkerSchema.MigrationsTable} table: the tables were made with `prisma db push` or copied, {baseline}");
        if (history.Count == 0)
            return (BunkerCheckStatus.Fail, $"{BunkerSchema.MigrationsTable} is empty, {baseline}");
        var last = history.LastOrDefault(r => r.FinishedAt is not null);
        return (BunkerCheckStatus.Pass, $"{history.Count} migration record(s)" +
                                        (last is null ? "." : $"; the last applied is {last.Name}, finished {BunkerTokenRow.Describe(last.FinishedAt)}."));
    }

    private static BunkerDatabaseCheck FailedMigrations(IReadOnlyList<HistoryRow>? history, IReadOnlyList<BunkerMigration> migrations)
    {
        const string name = "FailedMigrations";
        if (history is null) return Skipped(name, "No migration history to read.");
        var failed = migrations.Where(m => m.State == BunkerMigrationState.Failed).ToList();
        var rolledBack = migrations.Where(m => m.State == BunkerMigrationState.RolledBack).ToList();
        if (failed.Count > 0)
            return new BunkerDatabaseCheck
            {
                Name = name, Status = BunkerCheckStatus.Fail,
                Finding = $"{string.Join(", ", failed.Select(m => $"{m.Name} (started {BunkerTokenRow.Describe(m.StartedAt)})"))} failed: finished_at and " +
                          "rolled_back_at are NULL, so `prisma migrate deploy` refuses to run (P3009). Fix the database, then " +
                          "`prisma migrate resolve --applied <name>`; or undo its partial changes and `prisma migrate resolve --rolled-back <name>`.",
            };
        if (rolledBack.Count > 0)
            return new BunkerDatabaseCheck
            {
                Name = name, Status = BunkerCheckStatus.Warn,
                Finding = $"{string.Join(", ", rolledBack.Select(m => m.Name))} rolled back and not applied again; the next `prisma migrate deploy` applies it.",
            };
        return new BunkerDatabaseCheck { Name = name, Status = BunkerCheckStatus.Pass, Finding = "No failed or rolled-back migration." };
    }

    private static IEnumerable<BunkerDatabaseCheck> FolderChecks(IReadOnlyList<HistoryRow>? history, IReadOnlyList<PrismaMigrationFile>? folder,
        IReadOnlyList<BunkerMigration> migrations)
    {
        string[] names = ["PendingMigrations", "UnknownMigrations", "ChangedMigrations"];
        if (folder is null || history is null)
        {
            var why = folder is null ? "No -MigrationsPath given." : "No migration history to compare with the folder.";
            foreach (var name in names) yield return Skipped(name, why);
            yield break;
        }

        var pending = migrations.Where(IsPending).Select(m => m.Name).ToList();
        yield return Outcome(names[0], pending, BunkerCheckStatus.Warn, $"All {folder.Count} migrations of the folder are applied.",
            $"{pending.Count} of the folder's migrations are not applied: {string.Join(", ", pending)}. `prisma migrate deploy` applies them; " +
            "until then nsecbunkerd's code may expect what the database lacks (on nix the deploy applies them, not the daemon).");

        var unknown = migrations.Where(m => m.InFolder == false).Select(m => m.Name).ToList();
        yield return Outcome(names[1], unknown, BunkerCheckStatus.Fail, "Every migration in the database is in the folder.",
            $"In the database but not in the folder: {string.Join(", ", unknown)}. The database is ahead of, or from another line than, " +
            "the deployed code: deploy the matching version, or check this is the instance's own migrations folder.");

        var changed = migrations.Where(m => m.ChecksumMatches == false).Select(m => m.Name).ToList();
        yield return Outcome(names[2], changed, BunkerCheckStatus.Warn, "Every applied migration's migration.sql is unchanged since it was applied.",
            $"migration.sql changed after it was applied: {string.Join(", ", changed)}. The database has what the file said then, not " +
            "what it says now; `prisma migrate deploy` does not run it again (`prisma migrate dev` would refuse).");
    }

    /// <summary>Passes when nothing was found, else has <paramref name="status"/> with the finding about what was.</summary>
    private static BunkerDatabaseCheck Outcome(string name, IReadOnlyCollection<string> found, BunkerCheckStatus status, string passed, string finding) =>
        found.Count == 0
            ? new BunkerDatabaseCheck { Name = name, Status = BunkerCheckStatus.Pass, Finding = passed }
            : new BunkerDatabaseCheck { Name = name, Status = status, Finding = finding };

    /// <summary>In the folder and not applied: never run, or rolled back (the next deploy runs it).</summary>
    private static bool IsPending(BunkerMigration migration) =>
        migration.InFolder == true && migration.State is BunkerMigrationState.Pending or BunkerMigrationState.RolledBack;

    private static IReadOnlyList<HistoryRow> ReadHistory(BunkerDatabase database) => database.Query(
        "SELECT migration_name, checksum, started_at, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at, rowid",
        r =>
        {
            var name = r.GetString(0);
            DateTimeOffset? Date(int ordinal, string column) => database.ParseDate(r.GetValue(ordinal), "_prisma_migrations", name, column);
            return new HistoryRow(name, r.GetString(1), Date(2, "started_at"), Date(3, "finished_at"), Date(4, "rolled_back_at"));
        }).ToList();

    /// <summary>One entry per migration name, from the history (all attempts) and the folder, in name order.</summary>
    private static IReadOnlyList<BunkerMigration> Combine(IReadOnlyList<HistoryRow>? history, IReadOnlyList<PrismaMigrationFile>? folder)
    {
        var attempts = (history ?? []).GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.ToList());
        var files = (folder ?? []).ToDictionary(f => f.Name);
        return attempts.Keys.Union(files.Keys).Order(StringComparer.Ordinal).Select(name =>
        {
            attempts.TryGetValue(name, out var rows);
            files.TryGetValue(name, out var file);
            var applied = rows?.LastOrDefault(r => r is { FinishedAt: not null, RolledBackAt: null });
            var latest = applied ?? rows?.Last();
            var state = applied is not null ? BunkerMigrationState.Applied
                : rows is null ? BunkerMigrationState.Pending
                : rows.Any(r => r is { FinishedAt: null, RolledBackAt: null }) ? BunkerMigrationState.Failed
                : BunkerMigrationState.RolledBack;
            return new BunkerMigration
            {
                Name = name, State = state, Attempts = rows?.Count ?? 0, StartedAt = latest?.StartedAt, FinishedAt = latest?.FinishedAt,
                RolledBackAt = latest?.RolledBackAt, InFolder = folder is null ? null : file is not null,
                ChecksumMatches = applied is not null && file is not null ? file.ChecksumMatches(applied.Checksum) : null,
            };
        }).ToList();
    }

    /// <summary>Runs a check; when the database cannot be read for it (corruption), the check fails with the reason.</summary>
    private static BunkerDatabaseCheck Guarded(string name, Func<(BunkerCheckStatus Status, string Finding)> check)
    {
        try
        {
            var (status, finding) = check();
            return new BunkerDatabaseCheck { Name = name, Status = status, Finding = finding };
        }
        catch (LamassuOpsException error) when (error.ErrorId is BunkerErrors.DatabaseCorrupt or BunkerErrors.DatabaseReadFailed or BunkerErrors.DateUnreadable)
        {
            return new BunkerDatabaseCheck { Name = name, Status = BunkerCheckStatus.Fail, Finding = $"Could not be checked: {error.Message}" };
        }
    }

    private static BunkerDatabaseCheck Skipped(string name, string finding) => new() { Name = name, Status = BunkerCheckStatus.Skipped, Finding = finding };

    private sealed record HistoryRow(string Name, string Checksum, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, DateTimeOffset? RolledBackAt);
}
