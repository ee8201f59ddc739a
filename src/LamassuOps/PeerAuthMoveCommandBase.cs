using System.Management.Automation;
using LamassuOps.Core.Lamassu;

namespace LamassuOps;

/// <summary>
/// The parameters Get-LamassuPeerAuthPlan and Enable-LamassuPeerAuth share: the package, its wrapper, the service user,
/// the role and the server. All bind by property name, so the plan pipes into Enable-LamassuPeerAuth.
/// </summary>
public abstract class PeerAuthMoveCommandBase : LamassuDatabaseCommandBase
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string PackagePath { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string WrapperPath { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string ServiceUser { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Role")]
    [ValidateNotNullOrEmpty]
    public string? DatabaseUser { get; set; }

    internal PeerAuthMoveOptions MoveOptions(ICommandHost host) => new()
    {
        PackagePath = ResolveLiteralPath(host, PackagePath),
        WrapperPath = ResolveLiteralPath(host, WrapperPath),
        ServiceUser = ServiceUser,
        DatabaseUser = DatabaseUser,
        DatabaseName = DatabaseName,
        SocketDirectory = SocketDirectory,
        Port = Port,
    };
}
