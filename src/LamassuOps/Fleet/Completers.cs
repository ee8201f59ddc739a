using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Fleet;

/// <summary>Instance names (-Name, -Instance): from the file of -Inventory when it is on the command line, else the imported inventory.</summary>
public sealed class InstanceNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completions.Of(wordToComplete, () => Names(fakeBoundParameters));

    private static IEnumerable<string> Names(IDictionary bound)
    {
        var instances = bound["Inventory"] is { } inventory
            ? InventoryFiles.Read(Completions.ResolvePath(inventory.ToString()!, literal: true))
            : InventoryFiles.Session ?? [];
        return instances.Select(i => i.Name);
    }
}

/// <summary>Key names (-KeyName) of the bunker database on the command line (-Path or -LiteralPath).</summary>
public sealed class KeyNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completions.Of(wordToComplete, () => KeyNames(fakeBoundParameters));

    private static IEnumerable<string> KeyNames(IDictionary bound)
    {
        var (value, literal) = bound["LiteralPath"] is { } literalPath ? (literalPath, true) : (bound["Path"], false);
        var path = (value as IEnumerable<object>)?.FirstOrDefault() ?? value;
        return path is null ? [] : BunkerKeyNames.Read(Completions.ResolvePath(path.ToString()!, literal));
    }
}

internal static class Completions
{
    /// <summary>The values that start with the word typed so far, quoted where needed; nothing at all when they cannot be read.</summary>
    public static IEnumerable<CompletionResult> Of(string word, Func<IEnumerable<string>> values)
    {
        List<string> found;
        try
        {
            found = values().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }
        catch (Exception e) when (e is LamassuOps.Core.LamassuOpsException or IOException or UnauthorizedAccessException or RuntimeException)
        {
            return []; // a completer never fails the line being typed
        }
        var typed = word.Trim('\'', '"');
        return found.Where(v => v.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(v => new CompletionResult((v.Any(c => " '\"$`;(){}&|<>,".Contains(c)) || v[0] is '@' or '#' or '-') ? "'" + v.Replace("'", "''") + "'" : v, v,
                CompletionResultType.ParameterValue, v));
    }

    /// <summary>A path as the current runspace resolves it (its location, not the process's).</summary>
    public static string ResolvePath(string path, bool literal)
    {
        var resolve = ScriptBlock.Create(literal
            ? "$ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($args[0])"
            : "@($ExecutionContext.SessionState.Path.GetResolvedProviderPathFromPSPath($args[0], [ref] $null))[0]");
        return resolve.Invoke(path).Select(p => p.BaseObject.ToString()).FirstOrDefault() ?? path;
    }
}
