using System.Management.Automation;

namespace LamassuOps;

/// <summary>
/// The parameters the destructive Bunker commands share: which databases, the backup they take first, and -Force.
/// </summary>
public abstract class BunkerMaintenanceCommandBase : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = "LiteralPath", ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

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
        var switches = new MaintenanceSwitches(IsPresent(NoBackup),
            BackupDirectory is null ? null : host.ResolvePath(BackupDirectory, literal: true)[0]);
        return ForEachItem(host, ResolvePaths(host, Path, LiteralPath), path => run(path, switches));
    }
}

/// <summary>The backup choices of a maintenance command, resolved.</summary>
internal sealed record MaintenanceSwitches(bool NoBackup, string? BackupDirectory);
