using System.Management.Automation;
using LamassuOps.Core.Postgres;

namespace LamassuOps.Commands;

/// <summary>Fails with the diagnosis as an error unless peer authentication over the Unix socket works; for jobs and scripts.</summary>
[Cmdlet(VerbsLifecycle.Assert, "PeerAuth", DefaultParameterSetName = SocketSet)]
[OutputType(typeof(PeerAuthReport))]
public sealed class AssertPeerAuthCommand : PeerAuthCommandBase
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        var report = PeerAuthTester.Assert(Options(), host);
        if (PassThru.IsPresent) yield return report;
    }
}
