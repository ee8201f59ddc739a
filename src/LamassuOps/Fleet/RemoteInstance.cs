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
/// Runs a script block where a remote instance's files are: PowerShell remoting over SSH (a session New-PSSession
/// -HostName opens, then Invoke-Command -Session), in a runspace of its own so that many instances run at once on the fan-out's threads. Output is streamed back as
/// PowerShell's deserialised objects (they bind by property name like the originals); the remote errors, warnings and
/// verbose messages are this instance's. Host calls of the remote side (a "What if:" line, a -Confirm prompt) go to
/// <c>psHost</c>, the caller's host (through <see cref="RemoteCallerHost"/>). Stopping stops the remote pipeline and closes the connection. A local instance's
/// script runs in that runspace, here.
/// </summary>
internal static class RemoteInstance
{
    public const string InstanceUnreachable = "InstanceUnreachable";
    public const string LamassuOpsNotInstalled = "LamassuOpsNotInstalled";

    /// <summary>Results the remote side may have waiting before it waits for the fan-out.</summary>
    private const int QueueCapacity = 1024;

    /// <summary>
    /// How long opening a session may take: PowerShell's -ConnectingTimeout, and (with <see cref="StopGrace"/>) our own
    /// bound on it, for an open PowerShell never ends (see <see cref="Open"/>).
    /// </summary>
    internal static readonly TimeSpan ConnectingTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long past <see cref="ConnectingTimeout"/> we wait before giving the open up ourselves.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private const string OpenScript = """
        param($HostName, $UserName, $Port, $KeyFilePath, $Options, $ConnectingTimeout)
        $connection = @{ HostName = $HostName; Options = $Options; ConnectingTimeout = $ConnectingTimeout }
        if ($UserName) { $connection.UserName = $UserName }
        if ($Port) { $connection.Port = $Port }
        if ($KeyFilePath) { $connection.KeyFilePath = $KeyFilePath }
        New-PSSession @connection -ErrorAction Stop
        """;

    private const string InvokeScript = """
        param($Session, $Script, $Arguments)
        if (-not $Session) { return & ([scriptblock]::Create($Script)) @Arguments }
        try { Invoke-Command -Session $Session -ScriptBlock ([scriptblock]::Create($Script)) -ArgumentList $Arguments }
        finally { Remove-PSSession -Session $Session }
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
            : RunspaceFactory.CreateRunspace(new RemoteCallerHost(psHost), InitialSessionState.CreateDefault2());
        runspace.Open();
        var session = instance.IsLocal ? null : Open(runspace, instance, ssh, host.CancellationToken);
        using var powerShell = PowerShell.Create();
        powerShell.Runspace = runspace;
        powerShell.AddScript(InvokeScript)
            .AddParameter("Session", session)
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

    /// <summary>
    /// A PowerShell remoting session to the instance's host (New-PSSession -HostName), opened in
    /// <paramref name="runspace"/>, or the instance's <see cref="InstanceUnreachable"/> error.
    /// A plain ssh login goes first, because PowerShell's SSH transport must never see ssh exit at once (a closed port, a
    /// name that does not resolve): its first write to ssh's standard input then fails and stays buffered, and closing
    /// the transport flushes it again into the closed pipe. That IOException escapes the close, which either ends the
    /// process (thrown on the transport's stderr thread) or leaves the open waiting forever, its connecting timer
    /// disposed by the same close. The open is bounded by us all the same (a host that fails between the two logins,
    /// one that stalls), and stopping stops it.
    /// </summary>
    private static PSObject Open(Runspace runspace, LamassuOpsInstance instance, SshConnection ssh, CancellationToken cancel)
    {
        var (exitCode, _, stderr) = SshLogin.Run(instance, ssh, "exit 0", cancel);
        if (exitCode == SshLogin.Failed) throw Unreachable(instance, $"ssh could not log in: {stderr.Trim()}");
        using var powerShell = PowerShell.Create();
        powerShell.Runspace = runspace;
        powerShell.AddScript(OpenScript)
            .AddParameter("HostName", instance.Host)
            .AddParameter("UserName", instance.User)
            .AddParameter("Port", instance.Port)
            .AddParameter("KeyFilePath", ssh.KeyFilePath)
            .AddParameter("Options", ssh.EffectiveOptions())
            .AddParameter("ConnectingTimeout", (int)ConnectingTimeout.TotalMilliseconds);
        var opening = powerShell.BeginInvoke();
        var signalled = WaitHandle.WaitAny([opening.AsyncWaitHandle, cancel.WaitHandle], ConnectingTimeout + StopGrace);
        if (signalled != 0)
        {
            // Given up (stopped, or the open never ended): stop it without waiting on it, it may never end.
            powerShell.BeginStop(null, null);
            cancel.ThrowIfCancellationRequested();
            throw Unreachable(instance, $"no session opened within {ConnectingTimeout.TotalSeconds:0} seconds.");
        }
        try
        {
            return powerShell.EndInvoke(opening).FirstOrDefault() ?? throw Unreachable(instance, "no session opened.");
        }
        catch (RuntimeException e)
        {
            throw FromRemote(e.ErrorRecord, instance);
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
        if (IsConnectionFailure(record, errorId, instance)) return Unreachable(instance, message.Trim());
        if (errorId == "CommandNotFoundException")
            return new LamassuOpsException(LamassuOpsNotInstalled, FailureKind.NotInstalled,
                $"LamassuOps is not installed on {where}: {message.Trim()}", instance.Name,
                $"Install the module there (Install-PSResource LamassuOps), or, without pwsh, run 'ssh {SshArguments(instance)} lamassuops <command> ... --json'.");
        var kind = Enum.TryParse<FailureKind>(record.CategoryInfo.Category.ToString(), out var parsed) ? parsed : FailureKind.NotSpecified;
        return new LamassuOpsException(errorId, kind, message, instance.Name, record.ErrorDetails?.RecommendedAction);
    }

    private static LamassuOpsException Unreachable(LamassuOpsInstance instance, string why) =>
        new(InstanceUnreachable, FailureKind.ConnectionError, $"No PowerShell remoting session to {Destination(instance)}: {why}", instance.Name,
            $"Check that 'ssh {SshArguments(instance)}' logs in without a prompt and that the host's sshd_config has 'Subsystem powershell <pwsh> -sshs -NoLogo'; Test-LamassuOpsInstance tells which part is missing.");

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
