using System.Management.Automation;
using LamassuOps.Core.Lnbits;

namespace LamassuOps.Commands;

/// <summary>Cross-checks the pairings of an nsecbunkerd database against LNbits' signer accounts: one verdict per pairing.</summary>
[Cmdlet(VerbsDiagnostic.Test, "BunkerPairing")]
[OutputType(typeof(BunkerPairingVerdict), typeof(BunkerPairingSummary))]
public sealed class TestBunkerPairingCommand : LamassuCmdlet
{
    private readonly HashSet<(string, string)> _checked = [];

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

    /// <summary>Each instance (bunker and LNbits database) is checked once, however many of its objects the pipeline brings.</summary>
    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachItem(host, [(BunkerDatabase, LnbitsDatabase)], instance =>
        {
            var options = new BunkerPairingTestOptions
            {
                BunkerDatabase = ResolveLiteralPath(host, instance.BunkerDatabase), LnbitsDatabase = ResolveLnbitsDatabase(host, instance.LnbitsDatabase), AsOf = AsOf,
            };
            if (!_checked.Add((options.BunkerDatabase, options.LnbitsDatabase))) return [];
            return Summary.IsPresent ? [BunkerPairingTest.Summarize(options, host)] : BunkerPairingTest.Test(options, host);
        });
}
