using System.Management.Automation;
using LamassuOps.Core.Fleet;
using LamassuOps.Fleet;

namespace LamassuOps.Commands;

/// <summary>Lists the instances of the imported inventory, or of the inventory file -Inventory names, by name and tag.</summary>
[Cmdlet(VerbsCommon.Get, "LamassuOpsInstance")]
[OutputType(typeof(LamassuOpsInstance))]
public sealed class GetLamassuOpsInstanceCommand : LamassuCmdlet
{
    /// <summary>It reads only the inventory, here.</summary>
    internal override bool ReadsInstanceFilesHere => false;

    /// <summary>By property name too: a list of names (Import-Csv rows with a Name column) selects those instances.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(InstanceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    /// <summary>An inventory file read for this command only (lamassuops has no session to import into).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Inventory { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) =>
        Core.Fleet.Inventory.Select(InventoryFiles.Current(host, Inventory), Name, Tag);
}
