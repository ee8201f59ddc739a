using System.Management.Automation;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Commands;

/// <summary>Lists the pairings of an nsecbunkerd database: each KeyUser with its bound token(s), policy and state.</summary>
[Cmdlet(VerbsCommon.Get, "BunkerPairing", DefaultParameterSetName = "Path")]
[OutputType(typeof(BunkerPairing))]
public sealed class GetBunkerPairingCommand : DatabasePathCmdlet
{
    [Parameter]
    [ArgumentCompleter(typeof(Fleet.KeyNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? KeyName { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? ClientPubkey { get; set; }

    [Parameter]
    public DateTimeOffset? AsOf { get; set; }

    [Parameter]
    public SwitchParameter IncludeSecret { get; set; }

    [Parameter]
    public SwitchParameter IncludeDangling { get; set; }

    [Parameter]
    public SwitchParameter IncludeUnredeemed { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachDatabase(host, path => BunkerPairings.Get(new BunkerPairingOptions
        {
            Path = path,
            AsOf = AsOf,
            KeyName = KeyName,
            ClientPubkey = ClientPubkey,
            IncludeSecret = IncludeSecret.IsPresent,
            IncludeDangling = IncludeDangling.IsPresent,
            IncludeUnredeemed = IncludeUnredeemed.IsPresent,
        }, host));
}
