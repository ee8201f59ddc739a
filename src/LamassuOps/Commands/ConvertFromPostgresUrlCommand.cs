using System.Management.Automation;
using LamassuOps.Core.Postgres;

namespace LamassuOps.Commands;

/// <summary>Takes a PostgreSQL connection URL apart and turns it into an Npgsql connection string.</summary>
[Cmdlet(VerbsData.ConvertFrom, "PostgresUrl")]
[OutputType(typeof(PostgresConnectionInfo))]
public sealed class ConvertFromPostgresUrlCommand : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("DatabaseUrl", "ConnectionString", "LamassuDatabaseUrl")]
    [ValidateNotNullOrEmpty]
    public string Url { get; set; } = "";

    [Parameter]
    public SwitchParameter IncludeSecret { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachItem(host, [Url], url => [PostgresUrl.Convert(new PostgresUrlOptions { Url = url, IncludeSecret = IncludeSecret.IsPresent }, host)]);
}
