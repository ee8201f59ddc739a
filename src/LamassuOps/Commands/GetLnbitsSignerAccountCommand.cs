using System.Management.Automation;
using LamassuOps.Core.Lnbits;

namespace LamassuOps.Commands;

/// <summary>Lists the LNbits accounts that sign through the remote bunker, with their token masked and client pubkey derived.</summary>
[Cmdlet(VerbsCommon.Get, "LnbitsSignerAccount")]
[OutputType(typeof(LnbitsSignerAccount))]
public sealed class GetLnbitsSignerAccountCommand : LamassuCmdlet
{
    /// <summary>LNbits' SQLite file, or a PostgreSQL URL (LNBITS_DATABASE_URL).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("LnbitsDatabase")]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = "";

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        ForEachItem(host, [Database], database =>
            LnbitsSignerAccounts.Get(new LnbitsSignerAccountOptions { Database = ResolveLnbitsDatabase(host, database) }, host));
}
