using LamassuOps.Core;

namespace LamassuOps.Cli;

/// <summary>
/// A lamassuops command line, translated to PowerShell's terms: parameter names and values as PowerShell receives
/// them. It binds nothing itself: PowerShell's own binder converts, validates and chooses the parameter set.
/// </summary>
public sealed record CliArguments(
    CommandDefinition Definition,
    IReadOnlyList<KeyValuePair<string, object>> Named,
    IReadOnlyList<object> Positional,
    bool Json,
    bool Help)
{
    /// <summary>The common parameters lamassuops offers, by their lamassuops spelling.</summary>
    private static readonly Dictionary<string, string> CommonSwitches = new(StringComparer.Ordinal)
    {
        ["verbose"] = "Verbose",
        ["what-if"] = "WhatIf",
        ["confirm"] = "Confirm",
    };

    /// <summary>
    /// Splits <paramref name="args"/>: --kebab-name value (or =value / :value), --switch, --switch:false, values,
    /// and -- before values that start with a dash. Only what is lamassuops' own syntax is refused here.
    /// </summary>
    public static CliArguments Parse(CommandDefinition definition, IReadOnlyList<string> args)
    {
        var named = new List<KeyValuePair<string, object>>();
        var positional = new List<string>();
        bool json = false, help = false, endOfOptions = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (endOfOptions || !arg.StartsWith('-') || arg == "-")
            {
                positional.Add(arg);
                continue;
            }
            if (arg == "--") { endOfOptions = true; continue; }
            if (arg is "-h" or "--help" or "-?") { help = true; continue; }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (!char.IsLetter(arg[1])) { positional.Add(arg); continue; } // -1, -5.0: values
                throw Usage("SingleDashParameter",
                    $"lamassuops options take two dashes: '{arg}' is '--{CommandCatalog.ToKebabCase(arg[1..])}'. A value that starts with '-' goes after '--'.");
            }

            var (option, inlineValue) = SplitOption(arg[2..]);
            if (option == "json") { json = ParseFlag(option, inlineValue); continue; }
            if (CommonSwitches.TryGetValue(option, out var common))
            {
                named.Add(new(common, ParseFlag(option, inlineValue)));
                continue;
            }

            var parameter = Find(definition, option);
            if (parameter is null || parameter.IsSwitch)
            {
                // Unknown names go to PowerShell as they are, which refuses them (NamedParameterNotFound) as pwsh would.
                named.Add(new(parameter?.Name ?? option.Replace("-", ""), ParseFlag(option, inlineValue)));
                continue;
            }
            var values = new List<string>();
            if (inlineValue is not null) values.Add(inlineValue);
            else if (parameter.Type.IsArray)
                while (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) values.Add(args[++i]);
            else if (i + 1 < args.Count && args[i + 1] != "--") values.Add(args[++i]);
            if (values.Count == 0)
                throw Usage("MissingArgument", $"--{option} needs a value.");
            named.Add(new(parameter.Name, parameter.Type.IsArray ? values.ToArray() : values[0]));
        }
        return new CliArguments(definition, named, GroupTrailingArray(definition, named, positional), json, help);
    }

    /// <summary>
    /// Shell words past the last position go, as one array, to that position's array parameter: what
    /// <c>Get-BunkerPairing a.db, b.db</c> is in PowerShell, <c>lamassuops Get-BunkerPairing /srv/*/nsecbunker.db</c> is here.
    /// </summary>
    private static IReadOnlyList<object> GroupTrailingArray(CommandDefinition definition,
        List<KeyValuePair<string, object>> named, List<string> positional)
    {
        var set = definition.DefaultParameterSetName ?? CommandCatalog.AllParameterSets;
        var slots = definition.Parameters
            .Where(p => p.EntryFor(set) is { Position: >= 0 } && !named.Any(n => string.Equals(n.Key, p.Name, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(p => p.EntryFor(set)!.Position)
            .ToList();
        if (slots.Count == 0 || positional.Count <= slots.Count || !slots[^1].Type.IsArray) return positional;
        return [.. positional.Take(slots.Count - 1), positional.Skip(slots.Count - 1).ToArray()];
    }

    /// <summary>By its lamassuops spelling, its name or an alias; a unique prefix of either, as PowerShell accepts.</summary>
    private static CommandParameter? Find(CommandDefinition definition, string option)
    {
        var bare = option.Replace("-", "");
        bool Is(string name) => string.Equals(name, bare, StringComparison.OrdinalIgnoreCase);
        var exact = definition.Parameters.FirstOrDefault(p => Is(p.Name) || p.Aliases.Any(Is));
        if (exact is not null) return exact;
        var prefixed = definition.Parameters.Where(p => p.Name.StartsWith(bare, StringComparison.OrdinalIgnoreCase)).ToList();
        return prefixed.Count == 1 ? prefixed[0] : null;
    }

    private static (string Name, string? Value) SplitOption(string body)
    {
        var separator = body.IndexOfAny(['=', ':']);
        return separator < 0 ? (body.ToLowerInvariant(), null) : (body[..separator].ToLowerInvariant(), body[(separator + 1)..]);
    }

    /// <summary>--switch, --switch:true, --switch:false: what -Switch and -Switch:$false are in PowerShell.</summary>
    private static bool ParseFlag(string name, string? value) => value?.ToLowerInvariant() switch
    {
        null or "true" => true,
        "false" => false,
        _ => throw Usage("InvalidSwitchValue", $"--{name} takes no value, or :true / :false, not '{value}'."),
    };

    internal static LamassuOpsException Usage(string errorId, string message) =>
        new(errorId, FailureKind.InvalidArgument, message);
}
