using System.Management.Automation;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Commands;

/// <summary>Checks an nsecbunkerd database: integrity, foreign keys, schema variant and Prisma migration state.</summary>
[Cmdlet(VerbsDiagnostic.Test, "BunkerDatabase", DefaultParameterSetName = "Path")]
[OutputType(typeof(BunkerDatabaseTestResult))]
public sealed class TestBunkerDatabaseCommand : DatabasePathCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MigrationsPath { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        var migrationsPath = ResolveLiteralPath(host, MigrationsPath);
        return ForEachDatabase(host, path => [BunkerDatabaseTest.Run(new BunkerDatabaseTestOptions { Path = path, MigrationsPath = migrationsPath }, host)]);
    }
}
