using System.Management.Automation;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Commands;

/// <summary>Removes leftover temporary Request rows from nsecbunker.db.</summary>
[Cmdlet(VerbsCommon.Remove, "BunkerRequest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = "Path")]
[OutputType(typeof(BunkerRequestRemoval))]
public sealed class RemoveBunkerRequestCommand : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = "LiteralPath", ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    [Parameter]
    public TimeSpan OlderThan { get; set; } = RemoveBunkerRequestOptions.DefaultAge;

    [Parameter]
    public SwitchParameter NoBackup { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BackupDirectory { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        var backupDirectory = BackupDirectory is null ? null : host.ResolvePath(BackupDirectory, literal: true)[0];
        return ForEachItem(host, ResolvePaths(host, Path, LiteralPath), path =>
            RemoveBunkerRequestOperation.Run(new RemoveBunkerRequestOptions
            {
                Path = path,
                OlderThan = OlderThan,
                NoBackup = IsPresent(NoBackup),
                BackupDirectory = backupDirectory,
            }, host));
    }
}
