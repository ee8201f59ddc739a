using System.Management.Automation;
using LamassuOps.Core.Postgres;

namespace LamassuOps;

/// <summary>
/// The parameters Test-PeerAuth and Assert-PeerAuth share: where to connect and as which role. Only DatabaseUrl (alias
/// Url) binds from the pipeline: ConvertFrom-PostgresUrl's output also has Username and Database, and binding those in
/// the default Socket set would test /run/postgresql instead of the URL's server.
/// </summary>
public abstract class PeerAuthCommandBase : PostgresTargetCommandBase
{
    [Parameter(ParameterSetName = SocketSet, Position = 0)]
    [Alias("Role", "UserName")]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    [Parameter(ParameterSetName = SocketSet, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Schema { get; set; } = "public";

    internal PeerAuthOptions Options() => new()
    {
        User = User,
        Database = Database,
        SocketDirectory = SocketDirectory,
        Port = Port,
        DatabaseUrl = DatabaseUrl,
        Schema = Schema,
    };
}
