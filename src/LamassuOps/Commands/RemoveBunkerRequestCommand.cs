using System.Management.Automation;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Commands;

/// <summary>Removes leftover temporary Request rows from nsecbunker.db.</summary>
[Cmdlet(VerbsCommon.Remove, "BunkerRequest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = "Path")]
[OutputType(typeof(BunkerRequestRemoval))]
public sealed class RemoveBunkerRequestCommand : BunkerMaintenanceCommandBase
{
    [Parameter]
    public TimeSpan OlderThan { get; set; } = RemoveBunkerRequestOptions.DefaultAge;

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachDatabase(host, (path, backup) => RemoveBunkerRequestOperation.Run(new RemoveBunkerRequestOptions
        {
            Path = path,
            OlderThan = OlderThan,
            NoBackup = backup.NoBackup,
            BackupDirectory = backup.BackupDirectory,
        }, host));
}
