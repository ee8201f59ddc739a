using System.Management.Automation;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Commands;

/// <summary>Strips the policy photocopies from SigningCondition without touching any pairing.</summary>
[Cmdlet(VerbsCommon.Remove, "StaleSigningCondition", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = "Path")]
[OutputType(typeof(StaleSigningConditionRemoval))]
public sealed class RemoveStaleSigningConditionCommand : LamassuCmdlet
{
    // One per pipeline: many objects from the same database strip it once.
    private readonly StaleSigningConditionStrip _strip = new();

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = "LiteralPath", ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    [Parameter]
    public SwitchParameter StaleOnly { get; set; }

    [Parameter]
    public SwitchParameter IncludeManualOverride { get; set; }

    [Parameter]
    public SwitchParameter AcceptPermissionLoss { get; set; }

    [Parameter]
    public SwitchParameter NoBackup { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BackupDirectory { get; set; }

    [Parameter]
    public DateTimeOffset? AsOf { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        var scope = StaleSigningConditionStrip.ScopeFrom(IsPresent(StaleOnly), IsPresent(IncludeManualOverride));
        var backupDirectory = BackupDirectory is null ? null : host.ResolvePath(BackupDirectory, literal: true)[0];
        return ForEachItem(host, ResolvePaths(host, Path, LiteralPath), path =>
            _strip.Run(new RemoveStaleSigningConditionOptions
            {
                Path = path,
                Scope = scope,
                AcceptPermissionLoss = IsPresent(AcceptPermissionLoss),
                NoBackup = IsPresent(NoBackup),
                BackupDirectory = backupDirectory,
                AsOf = AsOf,
            }, host));
    }
}
