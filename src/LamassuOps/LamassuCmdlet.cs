using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Management.Automation;
using LamassuOps.Core;
using LamassuOps.Core.Fleet;
using LamassuOps.Core.Lnbits;
using LamassuOps.Fleet;

namespace LamassuOps;

/// <summary>
/// Base of every LamassuOps cmdlet. A command declares its parameters and implements <see cref="Invoke"/>:
/// turn the bound parameters into a Core options object, call Core, return its results. The same
/// <see cref="Invoke"/> runs in every PowerShell runspace, pwsh's and the one lamassuops hosts; it uses only its own
/// properties and the host, so Core can be driven by any host (xunit's too).
/// </summary>
public abstract class LamassuCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();

    internal abstract IEnumerable<object> Invoke(ICommandHost host);

    /// <summary>
    /// The inventory instance the input came from (Get-LamassuOpsInstance's objects, and every output stamped with
    /// it, bind it by property name). Each output object of the command carries it as an Instance note property.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Fleet.InstanceNameCompleter))]
    [AllowEmptyString]
    public string? Instance { get; set; }

    /// <summary>
    /// The SSH host of the instance the input came from (an inventory instance's Host binds it by property name); none
    /// means this machine. Named HostName: a cmdlet's Host is PowerShell's. A record of a remote instance is not run
    /// here (<see cref="RemoteRecords"/>) by a command that reads instance files here. A cmdlet's own -Hostname
    /// (Enable-LamassuPeerAuth's and New-LamassuEnvWrapper's: lamassu-server's host name) hides this one in PowerShell,
    /// parameter names being case-insensitive: for those, the imported inventory alone tells a remote instance.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Host")]
    [AllowEmptyString]
    public string? HostName { get; set; }

    /// <summary>How many instances on other hosts (or, for the fleet commands, instances) run at once.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = InstanceFanOut.DefaultThrottleLimit;

    /// <summary>The private key SSH logs in to other hosts with (Invoke-Command's -KeyFilePath).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    /// <summary>ssh options for other hosts (Invoke-Command's -Options), a hashtable or Name=Value strings.</summary>
    [Parameter]
    [ValidateNotNull]
    [SshOptionTransformation]
    public Hashtable? SshOption { get; set; }

    /// <summary>How this command reaches other hosts: -KeyFilePath (resolved here) and -SshOption.</summary>
    internal SshConnection Ssh(ICommandHost host) => new(ResolveLiteralPath(host, KeyFilePath), SshOption);

    /// <summary>False for a command that reads no instance file here: the fleet commands, which run a remote instance on its host themselves, and the inventory's.</summary>
    internal virtual bool ReadsInstanceFilesHere => true;

    /// <summary>The note property every output carries when the command ran for an instance.</summary>
    internal const string InstanceProperty = "Instance";

    /// <summary>
    /// Runs once after the last pipeline object. A command that gathers what the pipeline brings before acting on it
    /// (Repair-BunkerPairing: one backup and one transaction per instance, however many of its verdicts arrive) acts here.
    /// </summary>
    internal virtual IEnumerable<object> Complete(ICommandHost host) => [];

    /// <summary>The parameters given on the command line (bound before any pipeline record binds by property name).</summary>
    private HashSet<string> _commandLine = [];

    private readonly RemoteRecords _remoteRecords = new();

    protected override void BeginProcessing() =>
        _commandLine = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);

    protected override void ProcessRecord()
    {
        if (ReadsInstanceFilesHere && RemoteRecords.Target(Instance, HostName, _commandLine.Contains(nameof(HostName))) is { } remote)
            _remoteRecords.Add(remote, MyInvocation.BoundParameters, _commandLine);
        else Emit(Invoke);
    }

    protected override void EndProcessing()
    {
        Emit(Complete);
        if (_remoteRecords.Any) Emit(RunRemoteRecords);
    }

    /// <summary>The records of remote instances, run on their hosts with this command line.</summary>
    private IEnumerable<object> RunRemoteRecords(ICommandHost host)
    {
        var cmdlet = (CmdletAttribute)System.Attribute.GetCustomAttribute(GetType(), typeof(CmdletAttribute))!;
        var (parameters, throttleLimit) = RemoteRecords.CommandLine(
            MyInvocation.BoundParameters.Where(p => _commandLine.Contains(p.Key)), ThrottleLimit,
            cmdlet.SupportsShouldProcess ? cmdlet.ConfirmImpact : null,
            LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference")),
            LanguagePrimitives.ConvertTo<ConfirmImpact>(GetVariableValue("ConfirmPreference", ConfirmImpact.High)));
        return _remoteRecords.Run(host, MyInvocation.MyCommand.Name, parameters, throttleLimit, Ssh(host), Host);
    }

    private void Emit(Func<ICommandHost, IEnumerable<object>> run)
    {
        var host = new CmdletHost(this, _stopping.Token);
        try
        {
            foreach (var result in run(host)) WriteObject(Stamp(result));
        }
        catch (LamassuOpsException error)
        {
            ThrowTerminatingError(CmdletHost.ToErrorRecord(error));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopped by the user: PowerShell already knows.
        }
    }

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>
    /// Adds the Instance note property to a result of a LamassuOps type that has none of its own, once here for every
    /// cmdlet. A note property survives Export-Clixml, remoting and Export-Csv; lamassuops writes it into --json.
    /// </summary>
    private object Stamp(object result)
    {
        if (string.IsNullOrEmpty(Instance) || result.GetType().Namespace?.StartsWith("LamassuOps.", StringComparison.Ordinal) != true
            || result.GetType().GetProperty(InstanceProperty) is not null) return result;
        var stamped = PSObject.AsPSObject(result);
        stamped.Properties.Remove(InstanceProperty);
        stamped.Properties.Add(new PSNoteProperty(InstanceProperty, Instance));
        return stamped;
    }

    /// <summary>The instance a result was stamped with (<see cref="Stamp"/>); null when it has none.</summary>
    internal static string? InstanceOf(object result) =>
        PSObject.AsPSObject(result).Properties[InstanceProperty] is PSNoteProperty { Value: string instance } ? instance : null;

    /// <summary>A single path taken literally (no wildcards), resolved by the host to a full file-system path; null stays null.</summary>
    [return: NotNullIfNotNull(nameof(path))]
    internal static string? ResolveLiteralPath(ICommandHost host, string? path) =>
        path is null ? null : host.ResolvePath(path, literal: true)[0];

    /// <summary>An LNbits database: a PostgreSQL URL or key=value connection string as given, a file path resolved like -LiteralPath; null stays null.</summary>
    [return: NotNullIfNotNull(nameof(database))]
    internal static string? ResolveLnbitsDatabase(ICommandHost host, string? database) =>
        database is not null && LnbitsDatabaseLocation.IsPostgres(database) ? database : ResolveLiteralPath(host, database);

    /// <summary>
    /// Paths from -Path (wildcards) or -LiteralPath, resolved by the host. A path that fails to resolve is
    /// reported as a non-terminating error and skipped.
    /// </summary>
    internal static IEnumerable<string> ResolvePaths(ICommandHost host, string[]? paths, string[]? literalPaths)
    {
        var (values, literal) = literalPaths is { Length: > 0 } ? (literalPaths, true) : (paths ?? [], false);
        foreach (var value in values)
        {
            IReadOnlyList<string> resolved;
            try
            {
                resolved = host.ResolvePath(value, literal);
            }
            catch (LamassuOpsException error)
            {
                host.WriteError(error);
                continue;
            }
            foreach (var path in resolved) yield return path;
        }
    }

    /// <summary>
    /// Runs <paramref name="run"/> per item and streams its results. A failure of one item is reported as a
    /// non-terminating error and the next item goes on, as PowerShell users expect of pipelines.
    /// </summary>
    internal static IEnumerable<object> ForEachItem<TItem>(ICommandHost host, IEnumerable<TItem> items,
        Func<TItem, IEnumerable<object>> run)
    {
        foreach (var item in items)
        {
            using var results = RunGuarded(host, () => run(item).GetEnumerator());
            if (results is null) continue;
            while (true)
            {
                host.CancellationToken.ThrowIfCancellationRequested();
                var hasNext = RunGuarded(host, () => results.MoveNext());
                if (!hasNext) break;
                yield return results.Current;
            }
        }
    }

    private static T? RunGuarded<T>(ICommandHost host, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (LamassuOpsException error)
        {
            host.WriteError(error);
            return default;
        }
    }
}
