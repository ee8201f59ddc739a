using System.Management.Automation;
using LamassuOps.Core.Postgres;

namespace LamassuOps;

/// <summary>Where the PostgreSQL commands connect: a socket directory and port (set Socket), or a URL (set Url).</summary>
public abstract class PostgresTargetCommandBase : LamassuCmdlet
{
    protected const string SocketSet = "Socket";
    protected const string UrlSet = "Url";

    [Parameter(ParameterSetName = SocketSet)]
    [ValidateNotNullOrEmpty]
    public string SocketDirectory { get; set; } = PostgresEndpoint.DefaultSocketDirectory;

    [Parameter(ParameterSetName = SocketSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = PostgresEndpoint.DefaultPort;

    /// <summary>
    /// Alias Url: ConvertFrom-PostgresUrl's output binds by property name (its Url; masked, so only for URLs without a
    /// password unless -IncludeSecret); alias LamassuDatabaseUrl: an inventory instance binds by it.
    /// </summary>
    [Parameter(ParameterSetName = UrlSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Url", "LamassuDatabaseUrl")]
    [ValidateNotNullOrEmpty]
    public string? DatabaseUrl { get; set; }
}
