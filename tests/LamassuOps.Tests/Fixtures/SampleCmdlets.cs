using System.Management.Automation;
using LamassuOps.Core;

namespace LamassuOps.Tests.Fixtures;

// Small cmdlets of the test assembly for testing lamassuops' binder and host, the help page checks and the
// metadata rules themselves, independently of the module's real cmdlets. CommandCatalog.Commands never sees
// them (it reads the module assembly only); tests describe them with CommandCatalog.Describe.

public enum SampleState
{
    Live,
    Expired,
    Revoked,
}

public sealed class SampleItem
{
    public required string Path { get; init; }

    public string? Name { get; init; }

    public SampleState State { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <summary>Read-only, Path/LiteralPath, every kind of value the binder converts.</summary>
[Cmdlet(VerbsCommon.Get, "SampleItem", DefaultParameterSetName = "Path")]
[OutputType(typeof(SampleItem))]
public sealed class GetSampleItemCommand : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = "LiteralPath", ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = [];

    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter]
    public SampleState[]? State { get; set; }

    [Parameter]
    public TimeSpan? OlderThan { get; set; }

    [Parameter]
    public DateTimeOffset? AsOf { get; set; }

    [Parameter]
    public int Limit { get; set; } = 100;

    [Parameter]
    public SwitchParameter IncludeSecret { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachItem(host, ResolvePaths(host, Path, LiteralPath), path => Read(path));

    private IEnumerable<object> Read(string path)
    {
        if (!File.Exists(path))
            throw new LamassuOpsException("SampleFileNotFound", FailureKind.ObjectNotFound, $"'{path}' does not exist.", path);
        yield return new SampleItem
        {
            Path = path,
            Name = IncludeSecret.IsPresent ? File.ReadAllText(path).Trim() : Secret.Mask(File.ReadAllText(path).Trim()),
            State = State is { Length: > 0 } ? State[0] : SampleState.Live,
            CreatedAt = AsOf,
            Tags = Name ?? [],
        };
    }
}

/// <summary>Destructive: ShouldProcess per file, ConfirmImpact High, -Force, a [ValidateSet] parameter.</summary>
[Cmdlet(VerbsCommon.Remove, "SampleItem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Path")]
[OutputType(typeof(SampleItem))]
public sealed class RemoveSampleItemCommand : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = "LiteralPath", ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = [];

    [Parameter]
    [ValidateSet("Request", "Log")]
    public string Kind { get; set; } = "Request";

    [Parameter]
    public SwitchParameter Force { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachItem(host, ResolvePaths(host, Path, LiteralPath), path => Remove(host, path));

    private IEnumerable<object> Remove(ICommandHost host, string path)
    {
        if (!host.ShouldProcess(path, $"Remove the {Kind} file")) yield break;
        File.Delete(path);
        yield return new SampleItem { Path = path, Name = Kind, State = SampleState.Revoked };
    }
}

/// <summary>Parameter sets chosen by what was given: by name (positional) or by id.</summary>
[Cmdlet(VerbsCommon.Set, "SampleMode", SupportsShouldProcess = true, DefaultParameterSetName = "ByName")]
[OutputType(typeof(SampleItem))]
public sealed class SetSampleModeCommand : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName", ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = "ById", ValueFromPipelineByPropertyName = true)]
    public int Id { get; set; }

    [Parameter(Mandatory = true, Position = 1)]
    public SampleState Mode { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        var target = Name.Length > 0 ? Name : Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (host.ShouldProcess(target, $"Set mode {Mode}") && PassThru.IsPresent)
            yield return new SampleItem { Path = target, State = Mode };
    }
}
