using System.Management.Automation;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Commands;

/// <summary>Makes a verified online backup of nsecbunker.db, safe while nsecbunkerd runs.</summary>
[Cmdlet(VerbsData.Backup, "BunkerDatabase", SupportsShouldProcess = true, DefaultParameterSetName = "Path")]
[OutputType(typeof(BunkerBackup))]
public sealed class BackupBunkerDatabaseCommand : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = "LiteralPath", ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        var destination = Destination is null ? null : host.ResolvePath(Destination, literal: true)[0];
        return ForEachItem(host, ResolvePaths(host, Path, LiteralPath), path =>
            BackupBunkerDatabaseOperation.Run(new BackupBunkerDatabaseOptions { Path = path, Destination = destination }, host));
    }
}
