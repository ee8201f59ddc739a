using System.Management.Automation;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Commands;

/// <summary>Prunes old SigningLog rows (live-grant fork) that no usage cap still counts.</summary>
[Cmdlet(VerbsCommon.Remove, "BunkerSigningLog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = "Path")]
[OutputType(typeof(BunkerSigningLogRemoval))]
public sealed class RemoveBunkerSigningLogCommand : BunkerMaintenanceCommandBase
{
    [Parameter]
    public TimeSpan OlderThan { get; set; } = RemoveBunkerSigningLogOptions.DefaultAge;

    /// <summary>LNbits' database (SQLite file or PostgreSQL URL): the change is rolled back unless its Healthy pairings stay Healthy.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LnbitsDatabase { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachDatabase(host, (path, backup) => RemoveBunkerSigningLogOperation.Run(new RemoveBunkerSigningLogOptions
        {
            Path = path,
            OlderThan = OlderThan,
            NoBackup = backup.NoBackup,
            BackupDirectory = backup.BackupDirectory,
            LnbitsDatabase = ResolveLnbitsDatabase(host, LnbitsDatabase),
        }, host));
}
