using System.Management.Automation;
using LamassuOps.Core.Lnbits;

namespace LamassuOps.Commands;

/// <summary>Mends LNbits pairings in nsecbunkerd without changing identities: rows copied back from a backup, or a KeyUser made again.</summary>
[Cmdlet(VerbsDiagnostic.Repair, "BunkerPairing", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(BunkerPairingRepair))]
public sealed class RepairBunkerPairingCommand : PairingInstanceCmdlet
{
    // One per pipeline: the verdicts of an instance are gathered and the instance repaired once, at the end.
    private readonly BunkerPairingRepairOperation.Pipeline _repairs = new();

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
        ForThisInstance(host, (bunker, lnbits) =>
        {
            _repairs.Add(bunker, lnbits, AccountId);
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
