using System.Management.Automation;
using LamassuOps.Core.Postgres;

namespace LamassuOps;

/// <summary>
/// Where lamassu's database is, for the commands of the move to peer authentication: the database name, the socket
/// directory and the port, all by property name, so each command's output pipes into the next.
/// </summary>
public abstract class LamassuDatabaseCommandBase : LamassuCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string DatabaseName { get; set; } = "lamassu";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string SocketDirectory { get; set; } = PostgresEndpoint.DefaultSocketDirectory;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = PostgresEndpoint.DefaultPort;
}
