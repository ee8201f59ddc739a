using System.Management.Automation;
using LamassuOps.Core.Postgres;

namespace LamassuOps.Commands;

/// <summary>Connects over the Unix socket with peer authentication and reports each check, or why it fails and the fix.</summary>
[Cmdlet(VerbsDiagnostic.Test, "PeerAuth", DefaultParameterSetName = SocketSet)]
[OutputType(typeof(PeerAuthReport), typeof(bool))]
public sealed class TestPeerAuthCommand : PeerAuthCommandBase
{
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        var report = PeerAuthTester.Test(Options(), host);
        yield return Quiet.IsPresent ? report.Succeeded : report;
    }
}
