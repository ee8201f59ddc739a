using System.Management.Automation;
using LamassuOps.Core.Lamassu;

namespace LamassuOps.Commands;

/// <summary>Writes the peer-authentication wrapper (the old one kept as a dated backup) and proves it as the service user; puts the old one back when the probe fails.</summary>
[Cmdlet(VerbsLifecycle.Enable, "LamassuPeerAuth", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(LamassuPeerAuthChange))]
public sealed class EnableLamassuPeerAuthCommand : PeerAuthMoveCommandBase
{
    /// <summary>Not from the pipeline: the plan's Mode may be PasswordTcp (no peer mode), which this command refuses.</summary>
    [Parameter]
    [ValidateSet(nameof(LamassuDatabaseMode.Auto), nameof(LamassuDatabaseMode.DatabaseUrl), nameof(LamassuDatabaseMode.EncodedSocketHost))]
    public string Mode { get; set; } = nameof(LamassuDatabaseMode.Auto);

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Hostname { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NodeDirectory { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
    [
        PeerAuthEnabler.Enable(new EnablePeerAuthOptions
        {
            Move = MoveOptions(host),
            Mode = Enum.Parse<LamassuDatabaseMode>(Mode, ignoreCase: true),
            Hostname = Hostname,
            NodeDirectory = NodeDirectory,
        }, host),
    ];
}
