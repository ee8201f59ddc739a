namespace LamassuOps.Core.Fleet;

public enum HealthSeverity
{
    /// <summary>Worth knowing, nothing to do (a check the inventory gives nothing for).</summary>
    Info,

    /// <summary>To do soon: copies to strip, an old backup, tables to prune.</summary>
    Warning,

    /// <summary>To do now: a broken database, a pairing that does not sign, peer auth that fails, a check that could not run.</summary>
    Critical,
}

public enum HealthStatus
{
    /// <summary>No finding above Info.</summary>
    Healthy,
    Warning,
    Critical,
}

/// <summary>One thing of an instance that needs attention (or, as Info, is worth knowing), with the command that fixes it.</summary>
public sealed class HealthFinding
{
    /// <summary>BunkerDatabase, Integrity, ForeignKeys, Schema, MigrationHistory, FailedMigrations, StaleCopies, Pairings, Backup, SigningLog, Request, PeerAuth, PeerAuthReadiness, Remote.</summary>
    public required string Check { get; init; }

    public required HealthSeverity Severity { get; init; }

    public required string Message { get; init; }

    /// <summary>The command (or change) that fixes it; null for Info findings that need nothing.</summary>
    public string? Fix { get; init; }
}

/// <summary>Get-LamassuOpsHealth: one instance's state, every finding with its severity and fix, and the measures behind them.</summary>
public sealed class LamassuOpsHealth : INeedsAttention
{
    /// <summary>The instance's name (as the Instance every cmdlet's output carries).</summary>
    public required string Instance { get; init; }

    /// <summary>The SSH host; null for this machine.</summary>
    public string? Host { get; init; }

    /// <summary>The worst severity of the findings (Healthy when none is above Info).</summary>
    public required HealthStatus Status { get; init; }

    public required DateTimeOffset CheckedAt { get; init; }

    public string? BunkerDatabase { get; init; }

    /// <summary>The newest backup beside the database that passed SQLite's quick_check; null when there is none.</summary>
    public string? NewestBackup { get; init; }

    public DateTimeOffset? NewestBackupAt { get; init; }

    public TimeSpan? NewestBackupAge { get; init; }

    /// <summary>Policy copies the strip would remove (stale and redundant), counted read-only by its classifier.</summary>
    public long? StaleCopies { get; init; }

    /// <summary>LNbits signer accounts whose pairing is not Healthy, plus orphaned KeyUsers.</summary>
    public int? PairingsNotHealthy { get; init; }

    public long? SigningLogRows { get; init; }

    public DateTimeOffset? OldestSigningLogAt { get; init; }

    public long? RequestRows { get; init; }

    public DateTimeOffset? OldestRequestAt { get; init; }

    public required IReadOnlyList<HealthFinding> Findings { get; init; }

    /// <summary>The findings that need attention (Warning and Critical), for the table view.</summary>
    public int Attention => Findings.Count(f => f.Severity != HealthSeverity.Info);

    /// <summary>The first finding that needs attention, for the table view; null when healthy.</summary>
    public string? Summary => Findings.Where(f => f.Severity != HealthSeverity.Info).OrderByDescending(f => f.Severity).FirstOrDefault()?.Message;

    public bool NeedsAttention => Status != HealthStatus.Healthy;
}
