using System.Management.Automation;
using LamassuOps.Core;
using LamassuOps.Core.Fleet;
using LamassuOps.Fleet;

namespace LamassuOps.Commands;

/// <summary>
/// Whether each instance's host can run LamassuOps commands: SSH reachable, PowerShell remoting over SSH working,
/// the LamassuOps module installed (and which version), lamassuops on the PATH. Instances bind by property name, and
/// are probed in parallel once all have arrived.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LamassuOpsInstance")]
[OutputType(typeof(LamassuOpsInstanceTest))]
public sealed class TestLamassuOpsInstanceCommand : LamassuCmdlet
{
    private readonly List<LamassuOpsInstance> _instances = [];

    /// <summary>The instance's SSH host is the base's HostName.</summary>
    internal override bool ReadsInstanceFilesHere => false;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("UserName")]
    public string? User { get; set; }

    /// <summary>Checked by <see cref="LamassuOpsInstance.CheckedPort"/>, not by [ValidateRange]: a local instance's Port is null, and binds as such.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int? Port { get; set; }

    /// <summary>Collects this record's instance (one with a bad port is its error); they are probed together in <see cref="Complete"/>.</summary>
    internal override IEnumerable<object> Invoke(ICommandHost host) => ForEachItem(host, [Name], name =>
    {
        _instances.Add(new LamassuOpsInstance
            { Name = name, Host = string.IsNullOrEmpty(HostName) ? null : HostName, User = User, Port = LamassuOpsInstance.CheckedPort(name, Port) });
        return [];
    });

    internal override IEnumerable<object> Complete(ICommandHost host)
    {
        var ssh = Ssh(host);
        var loadedVersion = typeof(InstanceProbe).Assembly.GetName().Version!.ToString(3);
        return InstanceFanOut.Run(_instances, ThrottleLimit, "Test-LamassuOpsInstance",
            (instance, instanceHost) => [InstanceProbe.Run(instance, ssh, Host, loadedVersion, instanceHost)], host);
    }
}
