using System.Management.Automation;
using LamassuOps.Core.Lamassu;

namespace LamassuOps.Commands;

/// <summary>Reads a deployed lamassu-server package and says which peer-authentication modes it supports.</summary>
[Cmdlet(VerbsCommon.Get, "LamassuPeerAuthReadiness")]
[OutputType(typeof(LamassuPeerAuthReadiness))]
public sealed class GetLamassuPeerAuthReadinessCommand : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Package", "LamassuPackage")]
    [ValidateNotNullOrEmpty]
    public string[] PackagePath { get; set; } = [];

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachItem(host, ResolvePaths(host, null, PackagePath),
            path => [PeerAuthReadinessReader.Read(path, host)]);
}
