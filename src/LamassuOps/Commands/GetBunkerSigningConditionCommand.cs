using System.Management.Automation;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Commands;

/// <summary>Lists every SigningCondition row of an nsecbunkerd database, classified as policy copy, manual override or orphan.</summary>
[Cmdlet(VerbsCommon.Get, "BunkerSigningCondition", DefaultParameterSetName = "Path")]
[OutputType(typeof(BunkerSigningCondition))]
public sealed class GetBunkerSigningConditionCommand : DatabasePathCmdlet
{
    /// <summary>By property name too, so <c>Get-BunkerPairing -KeyName x | Get-BunkerSigningCondition</c> shows that pairing's rows.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Fleet.KeyNameCompleter))]
    [SupportsWildcards]
    public string[]? KeyName { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[]? ClientPubkey { get; set; }

    [Parameter]
    public DateTimeOffset? AsOf { get; set; }

    /// <summary>Strings, not the Core enum: a public module type must not need Core to be laid out.</summary>
    [Parameter]
    [ValidateSet(nameof(SigningConditionClass.PolicyCopy), nameof(SigningConditionClass.ManualOverride), nameof(SigningConditionClass.Orphan))]
    public string[]? Classification { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachDatabase(host, path => BunkerSigningConditions.Get(new BunkerSigningConditionOptions
        {
            Path = path,
            AsOf = AsOf,
            KeyName = KeyName,
            ClientPubkey = ClientPubkey,
            Classification = Classification?.Select(c => Enum.Parse<SigningConditionClass>(c, ignoreCase: true)).ToArray(),
        }, host));
}
