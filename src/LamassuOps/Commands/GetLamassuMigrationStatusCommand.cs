using System.Management.Automation;
using LamassuOps.Core.Lamassu;

namespace LamassuOps.Commands;

/// <summary>Lists lamassu's applied, pending and missing migrations and checks the server version lamassu-migrate needs.</summary>
[Cmdlet(VerbsCommon.Get, "LamassuMigrationStatus", DefaultParameterSetName = SocketSet)]
[OutputType(typeof(LamassuMigrationStatus))]
public sealed class GetLamassuMigrationStatusCommand : PostgresTargetCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("LamassuPackage")]
    [ValidateNotNullOrEmpty]
    public string PackagePath { get; set; } = "";

    [Parameter(ParameterSetName = SocketSet)]
    [Alias("Role", "UserName")]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    [Parameter(ParameterSetName = SocketSet)]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = "lamassu";

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        yield return MigrationStatusReader.Read(new MigrationStatusOptions
        {
            PackagePath = ResolveLiteralPath(host, PackagePath),
            DatabaseUrl = DatabaseUrl,
            SocketDirectory = SocketDirectory,
            Port = Port,
            User = User,
            Database = Database,
        }, host);
    }
}
