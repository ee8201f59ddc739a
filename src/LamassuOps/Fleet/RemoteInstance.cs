using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Remoting;
using System.Management.Automation.Runspaces;
using LamassuOps.Core;
using LamassuOps.Core.Fleet;

namespace LamassuOps.Fleet;

/// <summary>How to reach remote instances over SSH beyond their host, user and port: Invoke-Command's -KeyFilePath and -Options.</summary>
internal sealed record SshConnection(string? KeyFilePath, Hashtable? Options)
{
    /// <summary>
    /// The -Options given, with BatchMode=yes unless they say otherwise: a fan-out cannot answer a password or host-key
    /// prompt, so ssh must fail at once rather than wait for one. And LogLevel=QUIET unless given: PowerShell lets ssh's
    /// own messages ("Could not resolve hostname ...") through to this process's standard output, where they would break
    /// --json lines; the failure is reported as the instance's error instead.
    /// </summary>
    public Hashtable EffectiveOptions()
    {
        var options = new Hashtable(Options ?? new Hashtable(), StringComparer.OrdinalIgnoreCase);
        if (!options.ContainsKey("BatchMode")) options["BatchMode"] = "yes";
        if (!options.ContainsKey("LogLevel")) options["LogLevel"] = "QUIET";
        return options;
    }
}

/// <summary>
/// Runs a script block where a remote instance's files are: PowerShell remoting over SSH (Invoke-Command -HostName),
/// in a runspace of its own so that many instances run at once on the fan-out's threads. Output is streamed back as
/// PowerShell's deserialised objects (they bind by property name like the originals); the remote errors, warnings and
/// verbose messages are this instance's. Host calls of the remote side (a "What if:" line, a -Confirm prompt) go to
/// <c>psHost</c>, the caller's host. Stopping stops the remote pipeline and closes the connection. A local instance's
/// script runs in that runspace, here.
/// </summary>
internal static class RemoteInstance
{
    public const string InstanceUnreachable = "InstanceUnreachable";
    public const string LamassuOpsNotInstalled = "LamassuOpsNotInstalled";

    /// <summary>Results the remote side may have waiting before it waits for the fan-out.</summary>
    private const int QueueCapacity = 1024;

    private const string InvokeScript = """
        param($HostName, $UserName, $Port, $KeyFilePath, $Options, $Script, $Arguments)
        if (-not $HostName) { return & ([scriptblock]::Create($Script)) @Arguments }
        $connection = @{ HostName = $HostName; Options = $Options }
        if ($UserName) { $connection.UserName = $UserName }
        if ($Port) { $connection.Port = $Port }
        if ($KeyFilePath) { $connection.KeyFilePath = $KeyFilePath }
        Invoke-Command @connection -ScriptBlock ([scriptblock]::Create($Script)) -ArgumentList $Arguments
        """;

    /// <summary>The remote script that runs one LamassuOps command with its parameters (a hashtable, splatted).</summary>
    public const string CommandScript = "param($Command, $Parameters) & $Command @Parameters";

    /// <summary>Runs <paramref name="command"/> with <paramref name="parameters"/> on the instance's host.</summary>
    public static IEnumerable<object> InvokeCommand(LamassuOpsInstance instance, SshConnection ssh, PSHost? psHost, string command,
        Hashtable parameters, IFanOutHost host) =>
        Invoke(instance, ssh, psHost, CommandScript, [command, parameters], host);

    public static IEnumerable<object> Invoke(LamassuOpsInstance instance, SshConnection ssh, PSHost? psHost, string script,
        object?[] arguments, IFanOutHost host)
    {
        using var runspace = psHost is null
            ? RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2())
            : RunspaceFactory.CreateRunspace(psHost, InitialSessionState.CreateDefault2());
        runspace.Open();
        using var powerShell = PowerShell.Create();
        powerShell.Runspace = runspace;
        powerShell.AddScript(InvokeScript)
            .AddParameter("HostName", instance.Host)
            .AddParameter("UserName", instance.User)
            .AddParameter("Port", instance.Port)
            .AddParameter("KeyFilePath", ssh.KeyFilePath)
            .AddParameter("Options", ssh.EffectiveOptions())
            .AddParameter("Script", script)
            .AddParameter("Arguments", arguments);
        var token = host.CancellationToken;
        using var results = new BlockingCollection<PSObject>(QueueCapacity);
        using var output = new PSDataCollection<PSObject>();
        output.DataAdded += (_, _) =>
        {
            foreach (var result in output.ReadAll()) results.Add(result, token);
        };
        var streams = powerShell.Streams;
        streams.Error.DataAdded += (_, _) =>
        {
            foreach (var record in streams.Error.ReadAll()) host.WriteError(FromRemote(record, instance));
        };
        streams.Warning.DataAdded += (_, _) =>
        {
            foreach (var record in streams.Warning.ReadAll()) host.WriteWarning(record.Message);
        };
        streams.Verbose.DataAdded += (_, _) =>
        {
            foreach (var record in streams.Verbose.ReadAll()) host.WriteVerbose(record.Message);
        };
        var pending = powerShell.BeginInvoke<PSObject, PSObject>(null, output);
        var finished = Task.Run(() =>
        {
            try
            {
                powerShell.EndInvoke(pending);
            }
            finally
            {
                results.CompleteAdding();
            }
        });
        try
        {
            foreach (var result in results.GetConsumingEnumerable(token)) yield return result;
            WaitFor(finished, instance);
        }
        finally
        {
            if (!finished.IsCompleted)
            {
                powerShell.Stop();
                finished.ContinueWith(_ => { }, TaskScheduler.Default).Wait();
            }
        }
    }

    /// <summary>The end of the remote run: a failure that ended it (not one of its error records) is this instance's error.</summary>
    private static void WaitFor(Task finished, LamassuOpsInstance instance)
    {
        try
        {
            finished.GetAwaiter().GetResult();
        }
        catch (RuntimeException e)
        {
            throw FromRemote(e.ErrorRecord, instance);
        }
    }

    /// <summary>
    /// A remote error as this instance's failure: the remote command's own id, message and fix when it is one of ours;
    /// a connection that could not be made, or a host without the module, with what to do about it.
    /// </summary>
    internal static LamassuOpsException FromRemote(ErrorRecord record, LamassuOpsInstance instance)
    {
        var message = record.ErrorDetails?.Message is { Length: > 0 } details ? details : record.Exception.Message;
        var errorId = record.FullyQualifiedErrorId.Split(',')[0]; // passed through: the remote command's own id
        var where = $"{Destination(instance)}";
        if (IsConnectionFailure(record, errorId, instance))
            return new LamassuOpsException(InstanceUnreachable, FailureKind.ConnectionError,
                $"No PowerShell remoting session to {where}: {message.Trim()}", instance.Name,
                $"Check that 'ssh {SshArguments(instance)}' logs in without a prompt and that the host's sshd_config has 'Subsystem powershell <pwsh> -sshs -NoLogo'; Test-LamassuOpsInstance tells which part is missing.");
        if (errorId == "CommandNotFoundException")
            return new LamassuOpsException(LamassuOpsNotInstalled, FailureKind.NotInstalled,
                $"LamassuOps is not installed on {where}: {message.Trim()}", instance.Name,
                $"Install the module there (Install-PSResource LamassuOps), or, without pwsh, run 'ssh {SshArguments(instance)} lamassuops <command> ... --json'.");
        var kind = Enum.TryParse<FailureKind>(record.CategoryInfo.Category.ToString(), out var parsed) ? parsed : FailureKind.NotSpecified;
        return new LamassuOpsException(errorId, kind, message, instance.Name, record.ErrorDetails?.RecommendedAction);
    }

    /// <summary>
    /// Invoke-Command's own failure to open or keep the session (ssh refused, no subsystem, the session ended), not an
    /// error of the command that ran there.
    /// </summary>
    private static bool IsConnectionFailure(ErrorRecord record, string errorId, LamassuOpsInstance instance) =>
        record.Exception is PSRemotingTransportException or PSRemotingDataStructureException
        || errorId is "PSSessionStateBroken" or "PSSessionOpenFailed"
        || record.CategoryInfo.Category == ErrorCategory.OpenError && Equals(record.TargetObject, instance.Host);

    /// <summary>user@host:port, as PowerShell writes a -HostName.</summary>
    internal static string Destination(LamassuOpsInstance instance) => $"{UserAtHost(instance)}{(instance.Port is null ? "" : ":" + instance.Port)}";

    /// <summary>What ssh needs to log in to the instance's host: [-p port] [user@]host.</summary>
    internal static string SshArguments(LamassuOpsInstance instance) => $"{(instance.Port is null ? "" : $"-p {instance.Port} ")}{UserAtHost(instance)}";

    internal static string UserAtHost(LamassuOpsInstance instance) => $"{(instance.User is null ? "" : instance.User + "@")}{instance.Host}";
}
