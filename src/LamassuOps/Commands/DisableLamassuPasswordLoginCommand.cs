using System.Management.Automation;
using LamassuOps.Core.Lamassu;

namespace LamassuOps.Commands;

/// <summary>Removes the lamassu role's password (ALTER ROLE … PASSWORD NULL) after a passing peer probe, and lists what would still accept one.</summary>
[Cmdlet(VerbsLifecycle.Disable, "LamassuPasswordLogin", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(LamassuPasswordLoginRemoval))]
public sealed class DisableLamassuPasswordLoginCommand : LamassuDatabaseCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Role")]
    [ValidateNotNullOrEmpty]
    public string DatabaseUser { get; set; } = "";

    /// <summary>Enable-LamassuPeerAuth's passing probe, from the pipeline; without it this command probes the wrapper itself.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ProbeId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? PackagePath { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? WrapperPath { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ServiceUser { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string AdminUser { get; set; } = "postgres";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string AdminDatabase { get; set; } = "postgres";

    [Parameter]
    public SwitchParameter Force { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
    [
        PasswordLoginRemover.Disable(new DisablePasswordLoginOptions
        {
            DatabaseUser = DatabaseUser,
            DatabaseName = DatabaseName,
            SocketDirectory = SocketDirectory,
            Port = Port,
            AdminUser = AdminUser,
            AdminDatabase = AdminDatabase,
            ProbeId = ProbeId,
            PackagePath = ResolveLiteralPath(host, PackagePath),
            WrapperPath = ResolveLiteralPath(host, WrapperPath),
            ServiceUser = ServiceUser,
        }, host),
    ];
}
