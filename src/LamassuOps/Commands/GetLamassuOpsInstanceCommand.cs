using System.Management.Automation;
using LamassuOps.Core.Fleet;
using LamassuOps.Fleet;

namespace LamassuOps.Commands;

/// <summary>Lists the instances of the imported inventory, or of the inventory file -Inventory names, by name and tag.</summary>
[Cmdlet(VerbsCommon.Get, "LamassuOpsInstance")]
[OutputType(typeof(LamassuOpsInstance))]
public sealed class GetLamassuOpsInstanceCommand : InventoryCmdlet
{
    /// <summary>By property name too: a list of names (Import-Csv rows with a Name column) selects those instances.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(InstanceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host) => Selected(host, Name);
}
