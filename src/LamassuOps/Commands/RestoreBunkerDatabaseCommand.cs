using System.Management.Automation;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Commands;

/// <summary>Restores nsecbunker.db from a verified backup, keeping a safety copy of the current database.</summary>
[Cmdlet(VerbsData.Restore, "BunkerDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = "Path")]
[OutputType(typeof(BunkerRestore))]
public sealed class RestoreBunkerDatabaseCommand : DatabasePathCmdlet
{
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string BackupPath { get; set; } = "";

    [Parameter]
    public SwitchParameter AcceptPairingLoss { get; set; }

    [Parameter]
    public SwitchParameter AcceptSchemaDowngrade { get; set; }

    /// <summary>LNbits' database (SQLite file or PostgreSQL URL): the change is rolled back unless its Healthy pairings stay Healthy.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LnbitsDatabase { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        var backupPath = ResolveLiteralPath(host, BackupPath);
        return ForEachDatabase(host, path =>
            RestoreBunkerDatabaseOperation.Run(new RestoreBunkerDatabaseOptions
            {
                Path = path,
                BackupPath = backupPath,
                AcceptPairingLoss = AcceptPairingLoss.IsPresent,
                AcceptSchemaDowngrade = AcceptSchemaDowngrade.IsPresent,
                LnbitsDatabase = ResolveLnbitsDatabase(host, LnbitsDatabase),
            }, host));
    }
}
