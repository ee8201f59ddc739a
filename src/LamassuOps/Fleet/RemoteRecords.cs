using System.Collections;
using System.Management.Automation;
using LamassuOps.Core;
using LamassuOps.Core.Fleet;

namespace LamassuOps.Fleet;

/// <summary>
/// The pipeline records of a cmdlet that belong to a remote instance: its files are on that host, so reading the
/// record's paths here would silently read the wrong machine. A record is remote when its HostName (an instance's
/// Host, by property name) is set, or when its Instance is one of the session's imported inventory with a Host (a
/// result of an earlier stage, stamped with the instance only). Such records are gathered, grouped by instance, and
/// run on their host once the pipeline ends: the same command with the same parameters, at most -ThrottleLimit hosts at
/// once, each instance's records piped into one remote run of it (so Repair-BunkerPairing keeps one backup and one
/// transaction per instance there too).
/// </summary>
internal sealed class RemoteRecords
{
    /// <summary>
    /// Parameters that say how to reach the host, or what this side does with the output and the streams (the remote
    /// warnings come back and meet -WarningAction and -WarningVariable here), not what the command does there.
    /// </summary>
    private static readonly HashSet<string> NotSent = new(StringComparer.OrdinalIgnoreCase)
    {
        nameof(LamassuCmdlet.HostName), nameof(LamassuCmdlet.ThrottleLimit), nameof(LamassuCmdlet.KeyFilePath), nameof(LamassuCmdlet.SshOption),
        "OutVariable", "OutBuffer", "ErrorVariable", "WarningVariable", "InformationVariable", "PipelineVariable",
        "WarningAction", "InformationAction", "ProgressAction",
    };

    /// <summary>
    /// The remote script: the records (each the parameters its pipeline object bound, as properties) piped into the
    /// command with the command line's parameters; none when the command line gave everything.
    /// </summary>
    private const string PipelineScript = """
        param($Command, $Parameters, $Records)
        if ($null -eq $Records) { & $Command @Parameters }
        else { $Records | ForEach-Object { [pscustomobject]$_ } | & $Command @Parameters }
        """;

    /// <summary>Each remote instance's records, in the order the instances first came, by name and destination.</summary>
    private readonly Dictionary<string, (LamassuOpsInstance Instance, List<Hashtable> Records)> _instances = new(StringComparer.OrdinalIgnoreCase);

    private static string Key(LamassuOpsInstance instance) => $"{instance.Name}\n{RemoteInstance.Destination(instance)}";

    public bool Any => _instances.Count > 0;

    /// <summary>
    /// The remote instance this record belongs to; null when it runs here. A Host bound by property name counts only
    /// for an instance's record (it has an Instance) and never when it is a rooted path: other objects have a Host of their
    /// own (ConvertFrom-PostgresUrl's is the PostgreSQL server or socket directory), which is not an SSH host.
    /// <paramref name="hostNameGiven"/>: -HostName was given on the command line, so it is the operator's word.
    /// </summary>
    public static LamassuOpsInstance? Target(string? instance, string? hostName, bool hostNameGiven)
    {
        if (!hostNameGiven && (string.IsNullOrEmpty(instance) || Path.IsPathRooted(hostName ?? ""))) hostName = null;
        var imported = string.IsNullOrEmpty(instance) ? null
            : InventoryFiles.Session?.FirstOrDefault(i => string.Equals(i.Name, instance, StringComparison.OrdinalIgnoreCase));
        if (!string.IsNullOrEmpty(hostName))
            return imported is not null && string.Equals(imported.Host, hostName, StringComparison.OrdinalIgnoreCase)
                ? imported
                : InstanceAt(string.IsNullOrEmpty(instance) ? hostName : instance, hostName);
        return imported is { IsLocal: false } ? imported : null;
    }

    /// <summary>
    /// An instance on <paramref name="hostName"/>, which may carry the user and port as PowerShell's -HostName does
    /// (operator@node1:2222; the reverse of <see cref="RemoteInstance.Destination"/>); without them, ssh's own
    /// configuration for that host decides.
    /// </summary>
    private static LamassuOpsInstance InstanceAt(string name, string hostName)
    {
        var at = hostName.LastIndexOf('@');
        var (user, rest) = at > 0 ? (hostName[..at], hostName[(at + 1)..]) : (null, hostName);
        var colon = rest.LastIndexOf(':');
        // A port only after the host (node1:2222, [::1]:2222), never inside an IPv6 address.
        var hasPort = colon > 0 && (rest.IndexOf(':') == colon || rest[colon - 1] == ']') && int.TryParse(rest[(colon + 1)..], out _);
        var host = hasPort ? rest[..colon] : rest;
        return new LamassuOpsInstance
        {
            Name = name, Host = host.Trim('[', ']'), User = user,
            Port = hasPort ? LamassuOpsInstance.CheckedPort(name, int.Parse(rest[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture)) : null,
        };
    }

    /// <summary>
    /// Keeps a remote record to run later: the parameters its pipeline object bound (those not on the command line),
    /// with the instance's other records.
    /// </summary>
    public void Add(LamassuOpsInstance instance, IDictionary<string, object> bound, IReadOnlySet<string> commandLine)
    {
        var key = Key(instance);
        if (!_instances.TryGetValue(key, out var group)) _instances[key] = group = (instance, []);
        group.Records.Add(Sendable(bound.Where(p => !commandLine.Contains(p.Key))));
    }

    /// <summary>
    /// Runs the gathered records on their hosts, at most <paramref name="throttleLimit"/> at once, with the command
    /// line's <paramref name="parameters"/>. A remote instance that fails is its error, and the others go on.
    /// </summary>
    public IEnumerable<object> Run(ICommandHost host, string command, Hashtable parameters, int throttleLimit,
        SshConnection ssh, System.Management.Automation.Host.PSHost psHost) =>
        InstanceFanOut.Run(_instances.Values.Select(g => g.Instance).ToList(), throttleLimit, command, (instance, instanceHost) =>
        {
            var records = _instances[Key(instance)].Records;
            // Records that bound nothing from the pipeline: the command line alone says it, and it runs once.
            object? piped = records.TrueForAll(r => r.Count == 0) ? null : records.ToArray();
            return RemoteInstance.Invoke(instance, ssh, psHost, PipelineScript, [command, parameters, piped], instanceHost);
        }, host);

    /// <summary>
    /// The command line's parameters for the remote run, with this session's -WhatIf and -Confirm preferences made
    /// explicit where they are not PowerShell's defaults (the remote session has those), and how many hosts may run at
    /// once: one when the remote command may ask for confirmation, so that its prompts come here one at a time.
    /// </summary>
    public static (Hashtable Parameters, int ThrottleLimit) CommandLine(IEnumerable<KeyValuePair<string, object>> given, int throttleLimit,
        ConfirmImpact? impact, bool whatIfPreference, ConfirmImpact confirmPreference)
    {
        var parameters = Sendable(given);
        if (impact is null) return (parameters, throttleLimit);
        if (!parameters.ContainsKey("WhatIf") && whatIfPreference) parameters["WhatIf"] = true;
        if (!parameters.ContainsKey("Confirm") && confirmPreference != ConfirmImpact.High)
        {
            if (confirmPreference == ConfirmImpact.None) parameters["Confirm"] = false;
            else if (impact >= confirmPreference) parameters["Confirm"] = true;
        }
        bool Set(string name) => parameters[name] is true;
        var asks = Set("Confirm") || impact >= ConfirmImpact.High && parameters["Confirm"] is not false;
        return (parameters, asks && !Set("WhatIf") && !Set("Force") ? 1 : throttleLimit);
    }

    /// <summary>Parameters as they cross remoting and bind there again as the same values.</summary>
    private static Hashtable Sendable(IEnumerable<KeyValuePair<string, object>> parameters)
    {
        var sendable = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in parameters)
            if (!NotSent.Contains(name)) sendable[name] = SendableValue(value);
        return sendable;
    }

    /// <summary>A parameter value as it crosses remoting and binds there again as the same value.</summary>
    internal static object? SendableValue(object? value) => value switch
    {
        PSObject wrapped => SendableValue(wrapped.BaseObject),
        SwitchParameter switchParameter => switchParameter.IsPresent,
        // A DateTimeOffset crosses remoting as a property bag; its round-trip text binds as the same moment.
        DateTimeOffset moment => moment.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        Enum named => named.ToString(),
        _ => value,
    };
}
