using System.Management.Automation;
using LamassuOps.Core.Lamassu;

namespace LamassuOps.Commands;

/// <summary>Reads the package, the server, the wrapper and the service user, and orders the steps of the move to peer authentication. Changes nothing.</summary>
[Cmdlet(VerbsCommon.Get, "LamassuPeerAuthPlan")]
[OutputType(typeof(LamassuPeerAuthPlan))]
public sealed class GetLamassuPeerAuthPlanCommand : PeerAuthMoveCommandBase
{
    internal override IEnumerable<object> Invoke(ICommandHost host) => [PeerAuthPlanner.Plan(MoveOptions(host), host)];
}
