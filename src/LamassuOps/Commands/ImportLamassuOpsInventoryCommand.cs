using System.Management.Automation;
using LamassuOps.Core.Fleet;
using LamassuOps.Fleet;

namespace LamassuOps.Commands;

/// <summary>Reads an inventory of instances (fleet.json or fleet.psd1) into this session, checked whole: a bad entry imports nothing.</summary>
[Cmdlet(VerbsData.Import, "LamassuOpsInventory", SupportsShouldProcess = true, DefaultParameterSetName = "Path")]
[OutputType(typeof(LamassuOpsInstance))]
public sealed class ImportLamassuOpsInventoryCommand : DatabasePathCmdlet
{
    /// <summary>It reads only the inventory file, here.</summary>
    internal override bool ReadsInstanceFilesHere => false;

    // One per pipeline: files piped in one by one (Get-ChildItem *.json | Import-LamassuOpsInventory) make one inventory.
    private readonly List<(string Path, IReadOnlyList<LamassuOpsInstance> Instances)> _files = [];

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    internal override IEnumerable<object> Invoke(ICommandHost host)
    {
        // Resolved and read here, not per item: a path that fails fails the import, so nothing is half-imported.
        var (values, literal) = LiteralPath is { Length: > 0 } ? (LiteralPath, true) : (Path, false);
        var files = values.SelectMany(value => host.ResolvePath(value, literal)).Select(path => (Path: path, Instances: InventoryFiles.Read(path))).ToList();
        var inventory = Inventory.Combine(_files.Concat(files));
        if (!host.ShouldProcess(string.Join(", ", files.Select(f => f.Path)), $"Import {inventory.Count} instances as this session's inventory"))
            return [];
        _files.AddRange(files);
        InventoryFiles.Import(inventory);
        return PassThru.IsPresent ? files.SelectMany(f => f.Instances) : [];
    }
}
