using System.Management.Automation;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Commands;

/// <summary>Makes a verified online backup of nsecbunker.db, safe while nsecbunkerd runs.</summary>
[Cmdlet(VerbsData.Backup, "BunkerDatabase", SupportsShouldProcess = true, DefaultParameterSetName = "Path")]
[OutputType(typeof(BunkerBackup))]
public sealed class BackupBunkerDatabaseCommand : DatabasePathCmdlet
{
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        var destination = ResolveLiteralPath(host, Destination);
        return ForEachDatabase(host, path =>
            BackupBunkerDatabaseOperation.Run(new BackupBunkerDatabaseOptions { Path = path, Destination = destination }, host));
    }
}
