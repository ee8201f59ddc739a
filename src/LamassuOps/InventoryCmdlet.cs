using System.Management.Automation;
using LamassuOps.Core.Fleet;
using LamassuOps.Fleet;

namespace LamassuOps;

/// <summary>
/// Base of the commands that select instances of an inventory by -Name (declared by each: Get-LamassuOpsInstance binds
/// it by property name too) and -Tag, from the imported inventory or the file -Inventory names. They read no instance
/// file here themselves: a remote instance is run on its host by the command's own fan-out.
/// </summary>
public abstract class InventoryCmdlet : LamassuCmdlet
{
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    /// <summary>An inventory file read for this command only (lamassuops has no session to import into).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Inventory { get; set; }

    internal override bool ReadsInstanceFilesHere => false;

    /// <summary>The inventory's instances that <paramref name="names"/> (wildcards; none: all) and -Tag select.</summary>
    internal IEnumerable<LamassuOpsInstance> Selected(ICommandHost host, string[]? names) =>
        Core.Fleet.Inventory.Select(InventoryFiles.Current(host, Inventory), names, Tag);
}
