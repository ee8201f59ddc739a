using System.ComponentModel;
using System.Globalization;
using LamassuOps.Core;

namespace LamassuOps.Cli;

/// <summary>Options every command takes, besides its own parameters.</summary>
public sealed record CommonOptions(bool Json, bool Verbose, bool WhatIf, bool? Confirm, bool Help);

/// <summary>A command ready to run: the cmdlet object with its parameters set, the chosen set and the common options.</summary>
public sealed record BoundCommand(
    CommandDefinition Definition, LamassuCmdlet Cmdlet, string ParameterSetName, IReadOnlySet<string> BoundParameters,
    CommonOptions Options)
{
    public bool IsBound(string parameterName) => BoundParameters.Contains(parameterName);
}

/// <summary>
/// Binds lamassuops arguments to a cmdlet the way PowerShell would bind them: named (--kebab-name value,
/// --name=value, --switch, --switch:false), positional by Position, parameter sets chosen by what was given,
/// mandatory parameters checked, [ValidateSet] and [ValidateNotNullOrEmpty] enforced.
/// </summary>
public static class ArgumentBinder
{
    public static BoundCommand Bind(CommandDefinition definition, IReadOnlyList<string> args)
    {
        var named = new Dictionary<CommandParameter, List<string>>();
        var positional = new List<string>();
        bool json = false, verbose = false, whatIf = false, help = false;
        bool? confirm = null;

        var endOfOptions = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (endOfOptions)
            {
                positional.Add(arg);
                continue;
            }
            if (arg == "--") { endOfOptions = true; continue; }
            if (arg is "-h" or "--help" or "-?") { help = true; continue; }
            if (IsSingleDashName(arg)) throw SingleDash(arg);
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(arg);
                continue;
            }

            var (name, inlineValue) = SplitOption(arg);
            switch (name)
            {
                case "json": json = ParseFlag(name, inlineValue); continue;
                case "verbose": verbose = ParseFlag(name, inlineValue); continue;
                case "what-if" when definition.SupportsShouldProcess: whatIf = ParseFlag(name, inlineValue); continue;
                case "confirm" when definition.SupportsShouldProcess: confirm = ParseFlag(name, inlineValue); continue;
            }

            var parameter = FindParameter(definition, name)
                ?? throw Usage("UnknownParameter", $"{definition.Name} has no parameter '--{name}'. See 'lamassuops {definition.Name} --help'.");
            if (named.ContainsKey(parameter))
                throw Usage("DuplicateParameter", $"{parameter.OptionName} was given more than once.");

            var values = new List<string>();
            if (parameter.IsSwitch)
                values.Add(ParseFlag(name, inlineValue) ? "true" : "false");
            else if (inlineValue is not null)
                values.Add(inlineValue);
            else if (parameter.Type.IsArray)
                while (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) && !IsSingleDashName(args[i + 1]))
                    values.Add(args[++i]);
            else if (i + 1 < args.Count)
                values.Add(args[++i]);
            if (values.Count == 0)
                throw Usage("MissingArgument", $"{parameter.OptionName} needs a value.");
            named[parameter] = values;
        }

        var options = new CommonOptions(json, verbose, whatIf, confirm, help);
        var cmdlet = (LamassuCmdlet)Activator.CreateInstance(definition.CmdletType)!;
        if (help) return new BoundCommand(definition, cmdlet, CommandCatalog.AllParameterSets, new HashSet<string>(), options);

        var (setName, assignments) = ChooseParameterSet(definition, named, positional);
        foreach (var (parameter, values) in assignments) Assign(cmdlet, parameter, values);
        return new BoundCommand(definition, cmdlet, setName,
            assignments.Keys.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase), options);
    }

    /// <summary>
    /// PowerShell's spelling (-WhatIf, -Path). Refused rather than taken as a value: `x.db -WhatIf` must not make
    /// "-WhatIf" a second path and run the command for real. Negative numbers (-1, -5m) are values.
    /// </summary>
    private static bool IsSingleDashName(string arg) => arg.Length > 1 && arg[0] == '-' && char.IsLetter(arg[1]);

    private static LamassuOpsException SingleDash(string arg) =>
        Usage("SingleDashParameter",
            $"lamassuops options take two dashes: '{arg}' is '--{CommandCatalog.ToKebabCase(arg[1..])}'. A value that starts with '-' goes after '--'.");

    private static (string Name, string? Value) SplitOption(string arg)
    {
        var body = arg[2..];
        var separator = body.IndexOfAny(['=', ':']);
        return separator < 0 ? (body.ToLowerInvariant(), null) : (body[..separator].ToLowerInvariant(), body[(separator + 1)..]);
    }

    private static bool ParseFlag(string name, string? value) => value?.ToLowerInvariant() switch
    {
        null or "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw Usage("InvalidSwitchValue", $"--{name} takes no value, or :true / :false, not '{value}'."),
    };

    private static CommandParameter? FindParameter(CommandDefinition definition, string name) =>
        definition.Parameters.FirstOrDefault(p =>
            p.OptionName == "--" + name
            || string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)
            || p.Aliases.Any(a => string.Equals(CommandCatalog.ToKebabCase(a), name, StringComparison.OrdinalIgnoreCase)));

    private static (string SetName, Dictionary<CommandParameter, List<string>> Assignments) ChooseParameterSet(
        CommandDefinition definition, Dictionary<CommandParameter, List<string>> named, List<string> positional)
    {
        var candidates = new List<(string Set, Dictionary<CommandParameter, List<string>> Assignments, List<CommandParameter> Missing)>();
        foreach (var set in definition.ParameterSetNames)
        {
            if (!named.Keys.All(p => p.InSet(set))) continue;
            var assignments = new Dictionary<CommandParameter, List<string>>(named);
            if (!AssignPositionals(definition, set, assignments, positional)) continue;
            var missing = definition.Parameters
                .Where(p => p.EntryFor(set) is { Mandatory: true } && !assignments.ContainsKey(p))
                .ToList();
            candidates.Add((set, assignments, missing));
        }

        if (candidates.Count == 0)
            throw positional.Count > 0 && named.Count == 0
                ? Usage("UnexpectedArgument", $"{definition.Name} takes no positional argument '{positional[0]}'.")
                : Usage("AmbiguousParameterSet",
                    $"These parameters cannot be used together: {string.Join(", ", named.Keys.Select(p => p.OptionName))}{(positional.Count > 0 ? " and positional values" : "")}.");

        var complete = candidates.Where(c => c.Missing.Count == 0).ToList();
        var chosen = complete.Count switch
        {
            1 => complete[0],
            > 1 => complete.FirstOrDefault(c => c.Set == definition.DefaultParameterSetName) is { Set: not null } preferred
                ? preferred
                : complete.OrderBy(c => c.Set == CommandCatalog.AllParameterSets ? 0 : 1).First(),
            _ => throw MissingMandatory(definition, candidates),
        };
        return (chosen.Set, chosen.Assignments);
    }

    private static LamassuOpsException MissingMandatory(CommandDefinition definition,
        List<(string Set, Dictionary<CommandParameter, List<string>> Assignments, List<CommandParameter> Missing)> candidates)
    {
        var closest = candidates.FirstOrDefault(c => c.Set == definition.DefaultParameterSetName) is { Set: not null } preferred
            ? preferred
            : candidates.OrderBy(c => c.Missing.Count).First();
        return Usage("MissingMandatoryParameter",
            $"{definition.Name} needs {string.Join(" and ", closest.Missing.Select(p => p.OptionName))}.");
    }

    private static bool AssignPositionals(CommandDefinition definition, string set,
        Dictionary<CommandParameter, List<string>> assignments, List<string> positional)
    {
        var slots = definition.Parameters
            .Where(p => !assignments.ContainsKey(p) && p.EntryFor(set) is { Position: >= 0 })
            .OrderBy(p => p.EntryFor(set)!.Position)
            .ToList();
        var next = 0;
        for (var s = 0; s < slots.Count && next < positional.Count; s++)
        {
            // One value per position, as in PowerShell; an array parameter in the last position takes every
            // remaining value, like `ls a b c`.
            var take = slots[s].Type.IsArray && s == slots.Count - 1 ? positional.Count - next : 1;
            assignments[slots[s]] = positional.GetRange(next, take);
            next += take;
        }
        return next == positional.Count;
    }

    private static void Assign(LamassuCmdlet cmdlet, CommandParameter parameter, List<string> values)
    {
        if (parameter.IsSwitch)
        {
            if (values[0] == "true") cmdlet.SetSwitchOutsidePowerShell(parameter.Name);
            return;
        }

        foreach (var value in values) Validate(parameter, value);
        var type = parameter.Type;
        object converted = type.IsArray
            ? ConvertArray(type.GetElementType()!, values, parameter)
            : Convert(type, values.Count == 1 ? values[0] : throw Usage("TooManyValues", $"{parameter.OptionName} takes one value."), parameter);
        parameter.Property.SetValue(cmdlet, converted);
    }

    private static Array ConvertArray(Type elementType, List<string> values, CommandParameter parameter)
    {
        var array = Array.CreateInstance(elementType, values.Count);
        for (var i = 0; i < values.Count; i++) array.SetValue(Convert(elementType, values[i], parameter), i);
        return array;
    }

    private static void Validate(CommandParameter parameter, string value)
    {
        if (parameter.NotNullOrEmpty && value.Length == 0)
            throw Usage("EmptyArgument", $"{parameter.OptionName} cannot be empty.");
        if (parameter.ValidValues.Count > 0 && !parameter.ValidValues.Contains(value, StringComparer.OrdinalIgnoreCase))
            throw Usage("InvalidArgumentValue",
                $"{parameter.OptionName} must be one of {string.Join(", ", parameter.ValidValues)}, not '{value}'.");
    }

    /// <summary>Converts one command-line value to a parameter type, invariantly (scripts must not depend on locale).</summary>
    internal static object Convert(Type type, string value, CommandParameter parameter)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        try
        {
            if (target == typeof(string)) return value;
            if (target.IsEnum) return ParseEnum(target, value);
            if (target == typeof(TimeSpan)) return ParseTimeSpan(value);
            if (target == typeof(DateTimeOffset))
                return DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            if (target == typeof(DateTime))
                return DateTime.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            var converter = TypeDescriptor.GetConverter(target);
            if (converter.CanConvertFrom(typeof(string)))
                return converter.ConvertFromInvariantString(value)!;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or NotSupportedException)
        {
            throw Usage("InvalidArgumentValue", $"{parameter.OptionName}: '{value}' is not a valid {Describe(target)}.");
        }
        throw new InvalidOperationException($"lamassuops cannot bind parameters of type {type}.");
    }

    /// <summary>By name (any case) or number, but only a defined value: Enum.Parse alone accepts any number.</summary>
    private static object ParseEnum(Type type, string value)
    {
        var parsed = Enum.Parse(type, value, ignoreCase: true);
        if (!Enum.IsDefined(type, parsed) && !type.IsDefined(typeof(FlagsAttribute), inherit: false))
            throw new ArgumentException($"{value} is not a {type.Name}.");
        return parsed;
    }

    /// <summary>A TimeSpan as PowerShell takes it ("30.00:00:00", "01:30:00") or in short form: 90s, 15m, 12h, 30d, 2w.</summary>
    internal static TimeSpan ParseTimeSpan(string value)
    {
        var text = value.Trim();
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            TimeSpan? shortForm = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                'w' => TimeSpan.FromDays(amount * 7),
                _ => null,
            };
            if (shortForm is { } parsed) return parsed;
        }
        return TimeSpan.Parse(text, CultureInfo.InvariantCulture);
    }

    private static string Describe(Type type) =>
        type.IsEnum ? "value (" + string.Join(", ", Enum.GetNames(type)) + ")"
        : type == typeof(TimeSpan) ? "time span (e.g. 30d, 12h, 15m, 30.00:00:00)"
        : type == typeof(DateTimeOffset) || type == typeof(DateTime) ? "date (e.g. 2026-06-19T12:00:00Z)"
        : type.Name;

    internal static LamassuOpsException Usage(string errorId, string message) =>
        new(errorId, FailureKind.InvalidArgument, message);
}
