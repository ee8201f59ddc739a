using System.Management.Automation;
using LamassuOps.Core.Lnbits;

namespace LamassuOps.Commands;

/// <summary>Cross-checks the pairings of an nsecbunkerd database against LNbits' signer accounts: one verdict per pairing.</summary>
[Cmdlet(VerbsDiagnostic.Test, "BunkerPairing")]
[OutputType(typeof(BunkerPairingVerdict), typeof(BunkerPairingSummary))]
public sealed class TestBunkerPairingCommand : LamassuCmdlet
{
    // One per pipeline: many objects of the same instance check it once.
    private readonly BunkerPairingTest.Pipeline _checks = new();

    /// <summary>Alias Path: Get-BunkerPairing's and this command's output bind by property name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string BunkerDatabase { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string LnbitsDatabase { get; set; } = "";

    [Parameter]
    public DateTimeOffset? AsOf { get; set; }

    [Parameter]
    public SwitchParameter Summary { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachItem(host, [(BunkerDatabase, LnbitsDatabase)], instance => _checks.Run(new BunkerPairingTestOptions
        {
            BunkerDatabase = ResolveLiteralPath(host, instance.BunkerDatabase),
            LnbitsDatabase = ResolveLnbitsDatabase(host, instance.LnbitsDatabase),
            AsOf = AsOf,
        }, Summary.IsPresent, host));
}
