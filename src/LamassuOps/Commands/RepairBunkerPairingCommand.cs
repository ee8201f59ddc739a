using System.Management.Automation;
using LamassuOps.Core.Lnbits;

namespace LamassuOps.Commands;

/// <summary>Mends LNbits pairings in nsecbunkerd without changing identities: rows copied back from a backup, or a KeyUser made again.</summary>
[Cmdlet(VerbsDiagnostic.Repair, "BunkerPairing", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(BunkerPairingRepair))]
public sealed class RepairBunkerPairingCommand : LamassuCmdlet
{
    // One per pipeline: the verdicts of an instance are gathered and the instance repaired once, at the end.
    private readonly BunkerPairingRepairOperation.Pipeline _repairs = new();

    /// <summary>Alias Path: Test-BunkerPairing's verdicts bind by property name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string BunkerDatabase { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string LnbitsDatabase { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? AccountId { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? FromBackup { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BackupDirectory { get; set; }

    [Parameter]
    public DateTimeOffset? AsOf { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachItem(host, [(BunkerDatabase, LnbitsDatabase)], instance =>
        {
            _repairs.Add(ResolveLiteralPath(host, instance.BunkerDatabase), ResolveLnbitsDatabase(host, instance.LnbitsDatabase), AccountId);
            return [];
        });

    internal override IEnumerable<object> Complete(ICommandHost host)
    {
        var template = new RepairBunkerPairingOptions
        {
            BunkerDatabase = "", LnbitsDatabase = "", FromBackup = ResolveLiteralPath(host, FromBackup),
            BackupDirectory = ResolveLiteralPath(host, BackupDirectory), AsOf = AsOf,
        };
        return ForEachItem(host, _repairs.Instances(template), options => BunkerPairingRepairOperation.Run(options, host));
    }
}
