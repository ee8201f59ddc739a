using System.Management.Automation;

namespace LamassuOps;

/// <summary>
/// Base of the commands that work on an instance's two sides of its pairings: <c>-BunkerDatabase</c> (alias Path) and
/// <c>-LnbitsDatabase</c>, positions 0 and 1, both from the pipeline by property name, so Get-BunkerPairing's,
/// Get-LnbitsSignerAccount's and Test-BunkerPairing's objects bind.
/// </summary>
public abstract class PairingInstanceCmdlet : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string BunkerDatabase { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string LnbitsDatabase { get; set; } = "";

    /// <summary>Runs <paramref name="run"/> on this pipeline object's instance, its paths resolved; a failure is a non-terminating error.</summary>
    internal IEnumerable<object> ForThisInstance(ICommandHost host, Func<string, string, IEnumerable<object>> run) =>
        ForEachItem(host, [(BunkerDatabase, LnbitsDatabase)],
            instance => run(ResolveLiteralPath(host, instance.BunkerDatabase), ResolveLnbitsDatabase(host, instance.LnbitsDatabase)));
}
