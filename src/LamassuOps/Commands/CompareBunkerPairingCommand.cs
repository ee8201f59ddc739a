using System.Management.Automation;
using LamassuOps.Core.Lnbits;

namespace LamassuOps.Commands;

/// <summary>Shows what changed in the pairings between two states of an nsecbunkerd database, and with LNbits each account's verdict in both.</summary>
[Cmdlet(VerbsData.Compare, "BunkerPairing")]
[OutputType(typeof(BunkerPairingChange), typeof(BunkerPairingVerdictChange))]
public sealed class CompareBunkerPairingCommand : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("BackupPath")]
    [ValidateNotNullOrEmpty]
    public string Before { get; set; } = "";

    /// <summary>Alias Path: an object that names the live database binds by property name.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string After { get; set; } = "";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LnbitsDatabase { get; set; }

    [Parameter]
    public DateTimeOffset? AsOf { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachItem(host, [(Before, After)], states => BunkerPairingComparison.Compare(new BunkerPairingComparisonOptions
        {
            Before = ResolveLiteralPath(host, states.Before),
            After = ResolveLiteralPath(host, states.After),
            LnbitsDatabase = LnbitsDatabase is null ? null : ResolveLnbitsDatabase(host, LnbitsDatabase),
            AsOf = AsOf,
        }, host));
}
