using System.Management.Automation;

namespace LamassuOps;

/// <summary>
/// Base of commands that work on database files: <c>-Path</c> (wildcards, position 0, from the pipeline by value and
/// by property name; alias BunkerDatabase, which an inventory instance binds by) or <c>-LiteralPath</c> (aliases PSPath, LP),
/// in the parameter sets Path and LiteralPath. The alias is on -Path because PowerShell binds a pipeline object in the
/// default set first once any parameter of it binds (-Instance, in every set, always does); the inventory refuses
/// bunker paths with wildcard characters, so an instance's path resolves as written.
/// Derived cmdlets declare <c>DefaultParameterSetName = "Path"</c>.
/// </summary>
public abstract class DatabasePathCmdlet : LamassuCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("BunkerDatabase")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = "LiteralPath", ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Runs <paramref name="run"/> for each resolved database; a failing database is a non-terminating error.</summary>
    internal IEnumerable<object> ForEachDatabase(ICommandHost host, Func<string, IEnumerable<object>> run) =>
        ForEachItem(host, ResolvePaths(host, Path, LiteralPath), run);
}
