using System.Management.Automation;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Commands;

/// <summary>Restores nsecbunker.db from a verified backup, keeping a safety copy of the current database.</summary>
[Cmdlet(VerbsData.Restore, "BunkerDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(BunkerRestore))]
public sealed class RestoreBunkerDatabaseCommand : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string BackupPath { get; set; } = "";

    [Parameter]
    public SwitchParameter Force { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        RestoreBunkerDatabaseOperation.Run(new RestoreBunkerDatabaseOptions
        {
            Path = host.ResolvePath(Path, literal: true)[0],
            BackupPath = host.ResolvePath(BackupPath, literal: true)[0],
        }, host);
}
