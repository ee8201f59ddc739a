using System.Collections;
using System.Management.Automation;
using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Core.Fleet;
using LamassuOps.Fleet;

namespace LamassuOps.Commands;

/// <summary>
/// Checks an nsecbunkerd database: integrity, foreign keys, schema variant and Prisma migration state. With -FleetInstance,
/// each instance's BunkerDatabase, in parallel, a remote instance's where it is (PowerShell remoting over SSH).
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "BunkerDatabase", DefaultParameterSetName = "Path")]
[OutputType(typeof(BunkerDatabaseTestResult))]
public sealed class TestBunkerDatabaseCommand : DatabasePathCmdlet
{
    public const string InstanceHasNoBunkerDatabase = "InstanceHasNoBunkerDatabase";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MigrationsPath { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "FleetInstance")]
    [ValidateNotNullOrEmpty]
    public PSObject[] FleetInstance { get; set; } = [];

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        var migrationsPath = ResolveLiteralPath(host, MigrationsPath);
        if (FleetInstance is not { Length: > 0 })
            return ForEachDatabase(host, path => [Test(path, migrationsPath, host)]);
        var instances = FleetInstance.Select(FleetInstances.From).ToList();
        var localPath = FleetInstances.ResolveLocalPaths(host, instances, BunkerDatabase);
        return FleetInstances.Run(host, instances, ThrottleLimit, "Test-BunkerDatabase",
            (instance, instanceHost) => [Test(localPath(instance), migrationsPath, instanceHost)],
            RemoteParameters, Ssh(host), Host);
    }

    /// <summary>The same command on a remote instance's host: its paths are that host's, so they go as given.</summary>
    private Hashtable RemoteParameters(LamassuOpsInstance instance)
    {
        var parameters = new Hashtable { ["LiteralPath"] = BunkerDatabase(instance) };
        if (MigrationsPath is not null) parameters["MigrationsPath"] = MigrationsPath;
        return parameters;
    }

    private static BunkerDatabaseTestResult Test(string path, string? migrationsPath, IOperationHost host) =>
        BunkerDatabaseTest.Run(new BunkerDatabaseTestOptions { Path = path, MigrationsPath = migrationsPath }, host);

    private static string BunkerDatabase(LamassuOpsInstance instance) => instance.BunkerDatabase ??
        throw new LamassuOpsException(InstanceHasNoBunkerDatabase, FailureKind.InvalidArgument, $"The instance '{instance.Name}' has no BunkerDatabase.",
            instance.Name, "Add \"bunkerDatabase\" (the nsecbunker.db path on its host) to the instance in the inventory.");
}
