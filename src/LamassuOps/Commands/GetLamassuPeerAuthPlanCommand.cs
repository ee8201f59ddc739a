using System.Management.Automation;
using LamassuOps.Core.Lamassu;

namespace LamassuOps.Commands;

/// <summary>Reads the package, the server, the wrapper and the service user, and orders the steps of the move to peer authentication. Changes nothing.</summary>
[Cmdlet(VerbsCommon.Get, "LamassuPeerAuthPlan")]
[OutputType(typeof(LamassuPeerAuthPlan))]
public sealed class GetLamassuPeerAuthPlanCommand : PeerAuthMoveCommandBase
{
    /// <summary>The role the server facts are read as, over the socket as this OS user (a superuser sees the password state and pg_hba.conf).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string AdminUser { get; set; } = "postgres";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string AdminDatabase { get; set; } = "postgres";

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        [PeerAuthPlanner.Plan(MoveOptions(host) with { AdminUser = AdminUser, AdminDatabase = AdminDatabase }, host)];
}
