using System.Management.Automation;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Metadata;

// Cmdlets that break the conventions on purpose, so the metadata tests can prove each rule finds what it is for.

public sealed class WrongSampleOutput
{
    public string? Name { get; init; }

    public Dictionary<string, object> Details { get; init; } = [];

    public IReadOnlyList<Stream> Streams { get; init; } = [];
}

/// <summary>Unapproved verb, plural unprefixed noun, not sealed, no [OutputType], nothing by property name.</summary>
[Cmdlet("Fetch", "Things")]
public class FetchThingsCommand : LamassuCmdlet
{
    [Parameter(Position = 0)]
    public string? Name { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) => [];
}

/// <summary>Destroys without ConfirmImpact High or -Force; -Path without the conventions; output not remoting-friendly.</summary>
[Cmdlet(VerbsCommon.Remove, "BunkerThing", SupportsShouldProcess = true)]
[OutputType(typeof(WrongSampleOutput))]
public sealed class RemoveBunkerThingCommand : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public string Path { get; set; } = "";

    internal override IEnumerable<object> Invoke(ICommandHost host) => [];
}

/// <summary>Creates without ShouldProcess; its class name does not follow Verb + Noun + Command.</summary>
[Cmdlet(VerbsCommon.New, "LamassuThing")]
[OutputType(typeof(SampleItem))]
public sealed class MakeLamassuThing : LamassuCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Name { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) => [];
}

/// <summary>Path and LiteralPath in their sets but each declared the wrong way.</summary>
[Cmdlet(VerbsCommon.Get, "BunkerThing", DefaultParameterSetName = "LiteralPath")]
[OutputType(typeof(SampleItem))]
public sealed class GetBunkerThingCommand : LamassuCmdlet
{
    [Parameter(Position = 1, ParameterSetName = "Path", ValueFromPipelineByPropertyName = true)]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = "LiteralPath", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    [SupportsWildcards]
    public string[] LiteralPath { get; set; } = [];

    internal override IEnumerable<object> Invoke(ICommandHost host) => [];
}

/// <summary>Right, for contrast: PowerShell's -Quiet idiom, a Test-* cmdlet that may return a plain Boolean.</summary>
[Cmdlet(VerbsDiagnostic.Test, "LamassuThing")]
[OutputType(typeof(LamassuOps.Core.LamassuOpsException), typeof(bool))]
public sealed class TestLamassuThingCommand : LamassuCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Name { get; set; }

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) => [];
}
