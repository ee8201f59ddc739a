using System.Management.Automation;
using LamassuOps.Core.Lnbits;

namespace LamassuOps.Commands;

/// <summary>Cross-checks the pairings of an nsecbunkerd database against LNbits' signer accounts: one verdict per pairing.</summary>
[Cmdlet(VerbsDiagnostic.Test, "BunkerPairing")]
[OutputType(typeof(BunkerPairingVerdict), typeof(BunkerPairingSummary))]
public sealed class TestBunkerPairingCommand : PairingInstanceCmdlet
{
    // One per pipeline: many objects of the same instance check it once.
    private readonly BunkerPairingTest.Pipeline _checks = new();

    [Parameter]
    public DateTimeOffset? AsOf { get; set; }

    [Parameter]
    public SwitchParameter Summary { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForThisInstance(host, (bunker, lnbits) => _checks.Run(new BunkerPairingTestOptions
        {
            BunkerDatabase = bunker,
            LnbitsDatabase = lnbits,
            AsOf = AsOf,
        }, Summary.IsPresent, host));
}
