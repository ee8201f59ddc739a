using System.Management.Automation;

namespace LamassuOps;

/// <summary>
/// The parameters the destructive Bunker commands share beside the databases: the backup they take first, and -Force.
/// </summary>
public abstract class BunkerMaintenanceCommandBase : DatabasePathCmdlet
{
    [Parameter]
    public SwitchParameter NoBackup { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BackupDirectory { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Runs <paramref name="run"/> per database (a failure of one is reported and the next goes on).</summary>
    internal IEnumerable<object> ForEachDatabase(ICommandHost host, Func<string, MaintenanceSwitches, IEnumerable<object>> run)
    {
        var switches = new MaintenanceSwitches(NoBackup.IsPresent,
            ResolveLiteralPath(host, BackupDirectory));
        return ForEachDatabase(host, path => run(path, switches));
    }
}

/// <summary>The backup choices of a maintenance command, resolved.</summary>
internal sealed record MaintenanceSwitches(bool NoBackup, string? BackupDirectory);
