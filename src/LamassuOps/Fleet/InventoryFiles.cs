using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Text;
using LamassuOps.Core;
using LamassuOps.Core.Fleet;

namespace LamassuOps.Fleet;

/// <summary>
/// Inventory files (JSON, or a PowerShell data file read as constants by PowerShell's parser: nothing in it runs) and
/// the inventory a runspace imported. The imported inventory lives with the runspace that imported it (a pwsh session,
/// a job, a remote session each have their own; lamassuops opens a new one per command, hence -Inventory).
/// </summary>
internal static class InventoryFiles
{
    private static readonly ConditionalWeakTable<Runspace, IReadOnlyList<LamassuOpsInstance>> Imported = new();

    /// <summary>The instances of a file, checked whole (a bad entry fails it all).</summary>
    public static IReadOnlyList<LamassuOpsInstance> Read(string path) =>
        path.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase) ? Inventory.FromEntries(path, DataFileEntries(path)) : Inventory.ReadJson(path);

    /// <summary>The inventory of -Inventory when given (read, not imported), else the one this runspace imported.</summary>
    public static IReadOnlyList<LamassuOpsInstance> Current(ICommandHost host, string? inventory) =>
        inventory is not null ? Read(LamassuCmdlet.ResolveLiteralPath(host, inventory)) : Session ?? throw Inventory.NoneImported();

    /// <summary>The inventory this runspace imported; null when none.</summary>
    public static IReadOnlyList<LamassuOpsInstance>? Session =>
        Runspace.DefaultRunspace is { } runspace && Imported.TryGetValue(runspace, out var instances) ? instances : null;

    public static void Import(IReadOnlyList<LamassuOpsInstance> instances) => Imported.AddOrUpdate(Runspace.DefaultRunspace, instances);

    private static IEnumerable<InventoryEntry> DataFileEntries(string path)
    {
        var text = Encoding.UTF8.GetString(Inventory.ReadBytes(path));
        var script = Parser.ParseInput(text, path, out _, out var errors);
        if (errors.Length > 0)
            throw Inventory.NotParsable(path, errors[0].Extent.StartLineNumber, $"is not a valid PowerShell data file ({errors[0].Message.TrimEnd('.')})",
                "Fix the syntax at that line; Import-PowerShellDataFile shows the same error.");
        if (script.EndBlock?.Statements is not [PipelineAst top] || top.GetPureExpression() is not HashtableAst root)
            throw Inventory.NotParsable(path, 1, "is not one hashtable, @{ Instances = @( @{ Name = 'atm-1'; ... } ) }");
        var instances = root.KeyValuePairs.FirstOrDefault(pair => string.Equals(KeyOf(pair.Item1), "instances", StringComparison.OrdinalIgnoreCase))
            ?? throw Inventory.NotParsable(path, root.Extent.StartLineNumber, "has no Instances key");
        return Hashtables(path, Expression(instances.Item2)).Select(table => new InventoryEntry(table.Extent.StartLineNumber,
            table.KeyValuePairs.Select(pair => new InventoryValue(KeyOf(pair.Item1) ?? pair.Item1.Extent.Text, Constant(path, pair), pair.Item1.Extent.StartLineNumber)).ToList()));
    }

    private static string? KeyOf(ExpressionAst key) => (key as StringConstantExpressionAst)?.Value;

    private static ExpressionAst? Expression(StatementAst statement) => (statement as PipelineAst)?.GetPureExpression();

    /// <summary>The instance hashtables of @( @{...}, @{...} ), @{...}, @{...} or a single @{...}.</summary>
    private static IEnumerable<HashtableAst> Hashtables(string path, Ast? value) => value switch
    {
        HashtableAst table => [table],
        ArrayLiteralAst list => list.Elements.SelectMany(e => Hashtables(path, e)),
        ArrayExpressionAst array => array.SubExpression.Statements.SelectMany(s => Hashtables(path, Expression(s) ?? (Ast)s)),
        ParenExpressionAst paren => Hashtables(path, Expression(paren.Pipeline as StatementAst ?? throw Inventory.NotParsable(path, paren.Extent.StartLineNumber, "has an instance that is not a hashtable"))),
        _ => throw Inventory.NotParsable(path, value?.Extent.StartLineNumber ?? 1, "has an instance that is not a hashtable (@{ Name = 'atm-1'; ... })"),
    };

    /// <summary>A value as a constant (strings, numbers, $true/$false/$null, arrays of those); anything that would run is refused.</summary>
    private static object? Constant(string path, Tuple<ExpressionAst, StatementAst> pair)
    {
        try
        {
            return Plain((Expression(pair.Item2) ?? throw new InvalidOperationException()).SafeGetValue());
        }
        catch (InvalidOperationException)
        {
            throw Inventory.NotParsable(path, pair.Item2.Extent.StartLineNumber,
                $"has a value for '{KeyOf(pair.Item1) ?? pair.Item1.Extent.Text}' that is not a constant ({pair.Item2.Extent.Text})",
                "Write the value as a string, number or array of strings: a data file runs nothing.");
        }
    }

    private static object? Plain(object? value) => value switch
    {
        object[] items => items.Select(Plain).ToList(),
        int number => (long)number,
        PSObject wrapped => Plain(wrapped.BaseObject),
        _ => value,
    };
}
