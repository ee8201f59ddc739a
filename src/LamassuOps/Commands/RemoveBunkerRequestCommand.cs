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

    /// <summary>LNbits' database (SQLite file or PostgreSQL URL): the change is rolled back unless its Healthy pairings stay Healthy.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LnbitsDatabase { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachDatabase(host, (path, backup) => RemoveBunkerRequestOperation.Run(new RemoveBunkerRequestOptions
        {
            Path = path,
            OlderThan = OlderThan,
            NoBackup = backup.NoBackup,
            BackupDirectory = backup.BackupDirectory,
            LnbitsDatabase = ResolveLnbitsDatabase(host, LnbitsDatabase),
        }, host));
}
