using System.Collections;
using System.Management.Automation;
using LamassuOps.Core.Fleet;
using LamassuOps.Fleet;

namespace LamassuOps.Commands;

/// <summary>
/// One row per instance with what needs attention: each finding with its severity and the command that fixes it.
/// Read-only. The instances are checked together once the pipeline ends, at most -ThrottleLimit at a time; a remote
/// instance's checks run on its host (PowerShell remoting over SSH), where its files are.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LamassuOpsHealth")]
[OutputType(typeof(LamassuOpsHealth))]
public sealed class GetLamassuOpsHealthCommand : InventoryCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(InstanceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>
    /// An instance from the pipeline (Get-LamassuOpsInstance, or any object with these properties, its host binding the
    /// base's HostName) is checked as it is; a property that is null or empty on the object is absent (an instance
    /// without an LNbits database).
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string? User { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public int? Port { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string? BunkerDatabase { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string? LnbitsDatabase { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string? LamassuDatabaseUrl { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string? LamassuPackage { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string? LamassuWrapper { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string? LamassuServiceUser { get; set; }

    [Parameter]
    public TimeSpan BackupMaxAge { get; set; } = new HealthOptions().BackupMaxAge;

    [Parameter]
    public DateTimeOffset? AsOf { get; set; }

    private readonly List<LamassuOpsInstance> _instances = [];

    /// <summary>Gathers the instances of this pipeline record (a bad one is its error); they are checked together in <see cref="Complete"/>.</summary>
    internal override IEnumerable<object> Invoke(ICommandHost host) => ForEachItem(host, [Instance], _ =>
    {
        _instances.AddRange(Instances(host));
        return [];
    });

    internal override IEnumerable<object> Complete(ICommandHost host)
    {
        // One moment for every instance of the run, so their ages compare.
        var options = new HealthOptions { AsOf = AsOf ?? DateTimeOffset.UtcNow, BackupMaxAge = BackupMaxAge };
        return FleetInstances.Run(host, _instances, ThrottleLimit, "Get-LamassuOpsHealth",
            (instance, instanceHost) => [InstanceHealth.Check(instance, options, instanceHost)], instance => RemoteParameters(instance, options),
            Ssh(host), Host);
    }

    /// <summary>The same check on a remote instance's host, as an instance of that host: its paths are the host's, so they go as given.</summary>
    private static Hashtable RemoteParameters(LamassuOpsInstance instance, HealthOptions options)
    {
        var parameters = new Hashtable
        {
            ["Instance"] = instance.Name, ["BackupMaxAge"] = options.BackupMaxAge, ["AsOf"] = RemoteRecords.SendableValue(options.AsOf),
        };
        foreach (var (name, value) in new[]
                 {
                     (nameof(BunkerDatabase), instance.BunkerDatabase), (nameof(LnbitsDatabase), instance.LnbitsDatabase),
                     (nameof(LamassuDatabaseUrl), instance.LamassuDatabaseUrl), (nameof(LamassuPackage), instance.LamassuPackage),
                     (nameof(LamassuWrapper), instance.LamassuWrapper), (nameof(LamassuServiceUser), instance.LamassuServiceUser),
                 })
            if (value is not null) parameters[name] = value;
        return parameters;
    }

    /// <summary>
    /// The instance from the pipeline (or -Instance with its properties), as given; -Instance alone names one of the
    /// inventory; without -Instance, the inventory's instances that -Name and -Tag select.
    /// </summary>
    private IEnumerable<LamassuOpsInstance> Instances(ICommandHost host)
    {
        if (string.IsNullOrEmpty(Instance)) return Selected(host, Name);
        static string? Given(string? value) => string.IsNullOrEmpty(value) ? null : value;
        var (hostName, parts) = (Given(HostName), new[] { BunkerDatabase, LnbitsDatabase, LamassuDatabaseUrl, LamassuPackage, LamassuWrapper, LamassuServiceUser }
            .Select(Given).ToArray());
        if (hostName is null && parts.All(p => p is null))
            return Core.Fleet.Inventory.Select(InventoryFiles.Current(host, Inventory), [Instance], null);
        // A local instance's files resolve like -LiteralPath (an LNbits URL stays as it is); a remote one's are its host's.
        string? Local(string? path) => path is null || hostName is not null ? path : ResolveLnbitsDatabase(host, path);
        return [new LamassuOpsInstance
        {
            Name = Instance, Host = hostName, User = Given(User), Port = LamassuOpsInstance.CheckedPort(Instance, Port), BunkerDatabase = Local(parts[0]), LnbitsDatabase = Local(parts[1]),
            LamassuDatabaseUrl = parts[2], LamassuPackage = Local(parts[3]), LamassuWrapper = Local(parts[4]), LamassuServiceUser = parts[5],
        }];
    }
}
