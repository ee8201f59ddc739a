using System.Reflection;
using LamassuOps.Cli;

namespace LamassuOps.Tests.Fixtures;

/// <summary>
/// Cmdlet metadata the way PowerShell presents it (Get-Command, Get-Help), read with CustomAttributeData through
/// <see cref="CommandCatalog"/>: type names, syntax lines, pipeline input. Used by the help page and metadata checks.
/// </summary>
public static class CmdletMetadata
{
    public const string SwitchTypeName = "SwitchParameter";
    private const string Sma = "System.Management.Automation.";

    /// <summary>The parameters a help page documents: the cmdlet's own, then -WhatIf and -Confirm where it supports ShouldProcess.</summary>
    public static IReadOnlyList<DocumentedParameter> DocumentedParameters(CommandDefinition definition)
    {
        var result = definition.Parameters.Select(p => new DocumentedParameter(
            p.Name,
            TypeName(p.Type),
            p.Aliases,
            AcceptedValues(p),
            HasAttribute(p.Property, "SupportsWildcardsAttribute"),
            definition.ParameterSetNames.Where(p.InSet).ToDictionary(set => set, set => SetEntry(p.EntryFor(set)!)),
            p.Sets.All(s => s.SetName == CommandCatalog.AllParameterSets))).ToList();
        if (definition.SupportsShouldProcess)
        {
            result.Add(ShouldProcessSwitch(definition, "WhatIf", "wi"));
            result.Add(ShouldProcessSwitch(definition, "Confirm", "cf"));
        }
        return result;
    }

    private static DocumentedParameter ShouldProcessSwitch(CommandDefinition definition, string name, string alias) =>
        new(name, SwitchTypeName, [alias], [], false,
            definition.ParameterSetNames.ToDictionary(set => set, _ => new DocumentedSetEntry(false, "Named", "False")), true);

    private static DocumentedSetEntry SetEntry(ParameterSetEntry entry) =>
        new(entry.Mandatory, entry.Position >= 0 ? entry.Position.ToString(System.Globalization.CultureInfo.InvariantCulture) : "Named",
            PipelineInput(entry));

    /// <summary>PlatyPS's "Accept pipeline input" text.</summary>
    public static string PipelineInput(ParameterSetEntry entry) => (entry.ValueFromPipelineByPropertyName, entry.ValueFromPipeline) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByPropertyName)",
        (false, true) => "True (ByValue)",
        _ => "False",
    };

    /// <summary>The type as help pages write it: String[], Int32, SwitchParameter, DateTimeOffset (nullable unwrapped).</summary>
    public static string TypeName(Type type)
    {
        if (type.FullName == Sma + "SwitchParameter") return SwitchTypeName;
        if (type.IsArray) return TypeName(type.GetElementType()!) + "[]";
        return (Nullable.GetUnderlyingType(type) ?? type).Name;
    }

    /// <summary>[ValidateSet] values, or an enum's names (also for arrays and nullables of it).</summary>
    public static IReadOnlyList<string> AcceptedValues(CommandParameter parameter)
    {
        if (parameter.ValidValues.Count > 0) return parameter.ValidValues;
        var type = parameter.Type.IsArray ? parameter.Type.GetElementType()! : parameter.Type;
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum ? Enum.GetNames(type) : [];
    }

    /// <summary>
    /// The syntax line Get-Command shows for a parameter set: positional parameters by position, then mandatory
    /// named ones, then the rest in declaration order, [-WhatIf] [-Confirm], [&lt;CommonParameters&gt;].
    /// </summary>
    public static string Syntax(CommandDefinition definition, string setName)
    {
        var members = definition.Parameters.Where(p => p.InSet(setName)).Select(p => (Parameter: p, Entry: p.EntryFor(setName)!)).ToList();
        var ordered = members.Where(m => m.Entry.Position >= 0).OrderBy(m => m.Entry.Position)
            .Concat(members.Where(m => m.Entry.Position < 0 && m.Entry.Mandatory))
            .Concat(members.Where(m => m.Entry.Position < 0 && !m.Entry.Mandatory));
        var parts = new List<string> { definition.Name };
        foreach (var (parameter, entry) in ordered)
        {
            var name = entry.Position >= 0 ? $"[-{parameter.Name}]" : $"-{parameter.Name}";
            var value = parameter.IsSwitch ? "" : " " + ValueText(parameter);
            var text = name + value;
            parts.Add(entry.Mandatory ? text : $"[{text}]");
        }
        if (definition.SupportsShouldProcess) parts.Add("[-WhatIf] [-Confirm]");
        parts.Add("[<CommonParameters>]");
        return string.Join(" ", parts);
    }

    private static string ValueText(CommandParameter parameter)
    {
        var accepted = AcceptedValues(parameter);
        return accepted.Count > 0 ? "{" + string.Join(" | ", accepted) + "}" : $"<{TypeName(parameter.Type)}>";
    }

    public static bool HasAttribute(MemberInfo member, string attributeName) =>
        member.GetCustomAttributesData().Any(a => a.AttributeType.FullName == Sma + attributeName);

    public static CustomAttributeData? Attribute(MemberInfo member, string attributeName) =>
        member.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == Sma + attributeName);
}

/// <summary>What a help page must say about one parameter.</summary>
/// <param name="Sets">Per parameter set the parameter is in: mandatory, position, pipeline input.</param>
/// <param name="InAllSets">Declared for all parameter sets, written "(All)".</param>
public sealed record DocumentedParameter(
    string Name,
    string TypeName,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> AcceptedValues,
    bool AcceptsWildcards,
    IReadOnlyDictionary<string, DocumentedSetEntry> Sets,
    bool InAllSets);

public sealed record DocumentedSetEntry(bool Required, string Position, string PipelineInput);
