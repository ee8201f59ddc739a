namespace LamassuOps.Core.Fleet;

/// <summary>How an instance's host answers: the parts the fan-out needs there, each found or not.</summary>
public enum InstanceReadiness
{
    /// <summary>PowerShell remoting works and the LamassuOps module is installed.</summary>
    Ready,

    /// <summary>PowerShell remoting works, but the host has no LamassuOps module.</summary>
    ModuleMissing,

    /// <summary>SSH logs in, but PowerShell remoting does not start (no pwsh, or no powershell subsystem in sshd_config).</summary>
    RemotingUnavailable,

    /// <summary>No SSH connection at all.</summary>
    Unreachable,
}

/// <summary>Test-LamassuOpsInstance: whether an instance's host can run LamassuOps commands, and with what.</summary>
public sealed class LamassuOpsInstanceTest : INeedsAttention
{
    public required string Name { get; init; }

    public string? Host { get; init; }

    public string? User { get; init; }

    public int? Port { get; init; }

    public required InstanceReadiness Readiness { get; init; }

    /// <summary>An SSH login works (always true for a local instance).</summary>
    public required bool Reachable { get; init; }

    /// <summary>A PowerShell remoting session over SSH opens (or, locally, PowerShell runs the probe).</summary>
    public required bool Remoting { get; init; }

    /// <summary>pwsh's version there ($PSVersionTable.PSVersion), or null when it does not run.</summary>
    public string? PowerShellVersion { get; init; }

    /// <summary>Where pwsh is on the host's PATH, when remoting did not start but SSH did.</summary>
    public string? PwshPath { get; init; }

    public required bool ModuleInstalled { get; init; }

    /// <summary>The newest LamassuOps module version installed there.</summary>
    public string? ModuleVersion { get; init; }

    /// <summary>lamassuops on the host's PATH, or null.</summary>
    public string? LamassuopsPath { get; init; }

    /// <summary>What was found and what to do about it.</summary>
    public required string Finding { get; init; }

    public bool NeedsAttention => Readiness != InstanceReadiness.Ready;
}
