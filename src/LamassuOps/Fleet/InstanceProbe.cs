using System.Management.Automation;
using System.Management.Automation.Host;
using LamassuOps.Core;
using LamassuOps.Core.Fleet;

namespace LamassuOps.Fleet;

/// <summary>
/// Test-LamassuOpsInstance's probe of one instance: a PowerShell remoting session over SSH that reports pwsh's version,
/// the newest LamassuOps module and lamassuops on the PATH; when no session opens, a plain ssh login tells an
/// unreachable host from one without pwsh (or without the powershell subsystem), and finds pwsh and lamassuops there.
/// </summary>
internal static class InstanceProbe
{
    /// <summary>Run there; $LoadedVersion is the module running the probe, given for a local instance (here it need not be installed).</summary>
    private const string ProbeScript = """
        param($LoadedVersion)
        # Only commands of the engine itself: lamassuops hosts PowerShell without the Utility module.
        $versions = [version[]]@(Get-Module -ListAvailable -Name LamassuOps | ForEach-Object Version)
        [array]::Sort($versions)
        $lamassuops = @(Get-Command -Name lamassuops -CommandType Application -ErrorAction Ignore)
        [pscustomobject]@{
            PowerShellVersion = $PSVersionTable.PSVersion.ToString()
            ModuleVersion     = if ($LoadedVersion) { $LoadedVersion } elseif ($versions) { $versions[-1].ToString() } else { $null }
            LamassuopsPath    = if ($lamassuops) { $lamassuops[0].Source } else { $null }
        }
        """;

    /// <summary>What a POSIX shell on the host says about pwsh and lamassuops, one line each.</summary>
    private const string ShellProbe = "printf 'pwsh=%s\\n' \"$(command -v pwsh)\"; printf 'lamassuops=%s\\n' \"$(command -v lamassuops)\"";

    /// <param name="loadedVersion">The version of the module running this, which is what a local instance runs.</param>
    public static LamassuOpsInstanceTest Run(LamassuOpsInstance instance, SshConnection ssh, PSHost psHost, string loadedVersion, IOperationHost host)
    {
        var probeHost = new ErrorCollectingHost(host);
        PSObject? found;
        try
        {
            found = RemoteInstance.Invoke(instance, ssh, psHost, ProbeScript, [instance.IsLocal ? loadedVersion : null], probeHost).OfType<PSObject>().FirstOrDefault();
        }
        catch (LamassuOpsException unreachable) when (unreachable.ErrorId == RemoteInstance.InstanceUnreachable)
        {
            return OverPlainSsh(instance, ssh, unreachable, host);
        }
        if (probeHost.Errors.FirstOrDefault() is { } failure)
            return failure.ErrorId == RemoteInstance.InstanceUnreachable ? OverPlainSsh(instance, ssh, failure, host) : throw failure;
        var powerShellVersion = found?.Properties["PowerShellVersion"]?.Value?.ToString();
        var moduleVersion = found?.Properties["ModuleVersion"]?.Value?.ToString();
        var lamassuops = found?.Properties["LamassuopsPath"]?.Value?.ToString();
        var where = instance.IsLocal ? "this machine" : RemoteInstance.Destination(instance);
        var onPath = lamassuops is null ? "lamassuops is not on its PATH" : $"lamassuops is {lamassuops}";
        return Result(instance, moduleVersion is null ? InstanceReadiness.ModuleMissing : InstanceReadiness.Ready, reachable: true,
            moduleVersion is null
                ? $"PowerShell {powerShellVersion} on {where} has no LamassuOps module; {onPath}. Install it there (Install-PSResource LamassuOps){(lamassuops is null ? "" : ", or run 'ssh ... lamassuops <command> --json'")}."
                : $"LamassuOps {moduleVersion} on PowerShell {powerShellVersion} on {where}; {onPath}.",
            powerShellVersion: powerShellVersion, moduleVersion: moduleVersion, lamassuops: lamassuops);
    }

    private static LamassuOpsInstanceTest OverPlainSsh(LamassuOpsInstance instance, SshConnection ssh, LamassuOpsException remoting, IOperationHost host)
    {
        var (exitCode, stdout, stderr) = SshLogin.Run(instance, ssh, ShellProbe, host.CancellationToken);
        if (exitCode == SshLogin.Failed)
            return Result(instance, InstanceReadiness.Unreachable, reachable: false,
                $"No SSH login to {RemoteInstance.Destination(instance)}: {stderr.Trim()} {remoting.RecommendedAction}");
        var lines = stdout.Split('\n').Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
        var pwsh = lines.GetValueOrDefault("pwsh") is { Length: > 0 } p ? p : null;
        var lamassuops = lines.GetValueOrDefault("lamassuops") is { Length: > 0 } l ? l : null;
        var instead = lamassuops is null ? "" : $" Meanwhile 'ssh {RemoteInstance.SshArguments(instance)} lamassuops <command> --json' gives the same objects.";
        return Result(instance, InstanceReadiness.RemotingUnavailable, reachable: true,
            (pwsh is null
                ? $"SSH works but there is no pwsh on {RemoteInstance.Destination(instance)}'s PATH: install PowerShell 7.4 or later there and add 'Subsystem powershell <pwsh> -sshs -NoLogo' to its sshd_config."
                : $"SSH works and pwsh is {pwsh}, but no PowerShell remoting session opens: add 'Subsystem powershell {pwsh} -sshs -NoLogo' to the host's sshd_config and reload sshd.")
            + instead, pwsh: pwsh, lamassuops: lamassuops);
    }

    private static LamassuOpsInstanceTest Result(LamassuOpsInstance instance, InstanceReadiness readiness, bool reachable, string finding,
        string? powerShellVersion = null, string? moduleVersion = null, string? pwsh = null, string? lamassuops = null) => new()
    {
        Name = instance.Name, Host = instance.Host, User = instance.User, Port = instance.Port, Readiness = readiness, Reachable = reachable,
        Remoting = readiness is InstanceReadiness.Ready or InstanceReadiness.ModuleMissing, PowerShellVersion = powerShellVersion, PwshPath = pwsh,
        ModuleInstalled = readiness == InstanceReadiness.Ready, ModuleVersion = moduleVersion, LamassuopsPath = lamassuops, Finding = finding,
    };

    /// <summary>The probe's host: remote errors are kept (they are the probe's answer), everything else passes through.</summary>
    private sealed class ErrorCollectingHost(IOperationHost host) : IFanOutHost
    {
        public System.Collections.Concurrent.ConcurrentQueue<LamassuOpsException> Errors { get; } = new();

        public CancellationToken CancellationToken => host.CancellationToken;

        public bool ShouldProcess(string target, string action) => host.ShouldProcess(target, action);

        public void WriteVerbose(string message) => host.WriteVerbose(message);

        public void WriteWarning(string message) => host.WriteWarning(message);

        public void WriteProgress(OperationProgress progress) => host.WriteProgress(progress);

        public void WriteError(LamassuOpsException error) => Errors.Enqueue(error);
    }
}
