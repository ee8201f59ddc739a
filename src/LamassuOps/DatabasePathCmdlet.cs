using System.Management.Automation;

namespace LamassuOps;

/// <summary>
/// Base of commands that work on database files: <c>-Path</c> (wildcards, position 0, from the pipeline by value and
/// by property name) or <c>-LiteralPath</c> (aliases PSPath, LP, and BunkerDatabase: an inventory instance binds by it), in the
/// parameter sets Path and LiteralPath.
/// Derived cmdlets declare <c>DefaultParameterSetName = "Path"</c>.
/// </summary>
public abstract class DatabasePathCmdlet : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = "LiteralPath", ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP", "BunkerDatabase")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Runs <paramref name="run"/> for each resolved database; a failing database is a non-terminating error.</summary>
    internal IEnumerable<object> ForEachDatabase(ICommandHost host, Func<string, IEnumerable<object>> run) =>
        ForEachItem(host, ResolvePaths(host, Path, LiteralPath), run);
}
