using System.Reflection;
using System.Text;

namespace LamassuOps.Cli;

/// <summary>One parameter set a parameter belongs to, as declared by one [Parameter] attribute.</summary>
public sealed record ParameterSetEntry(
    string SetName, bool Mandatory, int Position, bool ValueFromPipeline, bool ValueFromPipelineByPropertyName);

/// <summary>A cmdlet parameter as declared by its attributes.</summary>
public sealed record CommandParameter(
    string Name,
    PropertyInfo Property,
    IReadOnlyList<ParameterSetEntry> Sets,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> ValidValues,
    bool NotNullOrEmpty)
{
    /// <summary>The lamassuops spelling: -IncludeSecret is --include-secret.</summary>
    public string OptionName => "--" + CommandCatalog.ToKebabCase(Name);

    public Type Type => Property.PropertyType;

    public bool IsSwitch => Type.FullName == CommandCatalog.SwitchParameterTypeName;

    public bool InSet(string setName) => Sets.Any(s => s.SetName == setName || s.SetName == CommandCatalog.AllParameterSets);

    public ParameterSetEntry? EntryFor(string setName) =>
        Sets.FirstOrDefault(s => s.SetName == setName) ?? Sets.FirstOrDefault(s => s.SetName == CommandCatalog.AllParameterSets);
}

/// <summary>A cmdlet as declared by its attributes: the single declaration both PowerShell and lamassuops use.</summary>
public sealed record CommandDefinition(
    string Verb,
    string Noun,
    Type CmdletType,
    bool SupportsShouldProcess,
    string ConfirmImpact,
    string? DefaultParameterSetName,
    IReadOnlyList<Type> OutputTypes,
    IReadOnlyList<CommandParameter> Parameters)
{
    public string Name => $"{Verb}-{Noun}";

    public IReadOnlyList<string> ParameterSetNames =>
        Parameters.SelectMany(p => p.Sets).Select(s => s.SetName)
            .Where(n => n != CommandCatalog.AllParameterSets).Distinct().DefaultIfEmpty(CommandCatalog.AllParameterSets).ToList();
}

/// <summary>
/// Reads cmdlet metadata with <see cref="CustomAttributeData"/>: the PowerShell reference assembly's attribute
/// classes have empty bodies outside PowerShell, so constructing them would report every property as default.
/// </summary>
public static class CommandCatalog
{
    public const string AllParameterSets = "__AllParameterSets";
    internal const string SwitchParameterTypeName = "System.Management.Automation.SwitchParameter";
    private const string Sma = "System.Management.Automation.";

    /// <summary>Every cmdlet class in the module assembly, by name.</summary>
    public static IReadOnlyList<CommandDefinition> Commands { get; } = Load(typeof(LamassuCmdlet).Assembly);

    public static CommandDefinition? Find(string name) =>
        Commands.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    public static IReadOnlyList<CommandDefinition> Load(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsClass: true } && Attribute(t.GetCustomAttributesData(), "CmdletAttribute") is not null)
            .Select(Describe)
            .OrderBy(c => c.Noun, StringComparer.Ordinal).ThenBy(c => c.Verb, StringComparer.Ordinal)
            .ToList();

    public static CommandDefinition Describe(Type cmdletType)
    {
        var attributes = cmdletType.GetCustomAttributesData();
        var cmdlet = Attribute(attributes, "CmdletAttribute")
            ?? throw new ArgumentException($"{cmdletType} has no [Cmdlet] attribute.", nameof(cmdletType));
        var outputTypes = attributes.Where(a => IsSma(a, "OutputTypeAttribute"))
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> many ? many.Select(m => m.Value) : [arg.Value])
            .OfType<Type>()
            .ToList();
        // As PowerShell reads them: names are case-insensitive, and a derived cmdlet's property hides a base one of the
        // same name (New-LamassuEnvWrapper's -Hostname, LamassuCmdlet's -HostName).
        var properties = cmdletType.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var parameters = properties
            .Where(p => !properties.Any(other => string.Equals(other.Name, p.Name, StringComparison.OrdinalIgnoreCase)
                && other.DeclaringType!.IsSubclassOf(p.DeclaringType!)))
            .Select(DescribeParameter)
            .OfType<CommandParameter>()
            .ToList();
        return new CommandDefinition(
            (string)cmdlet.ConstructorArguments[0].Value!,
            (string)cmdlet.ConstructorArguments[1].Value!,
            cmdletType,
            Named(cmdlet, "SupportsShouldProcess") is true,
            Named(cmdlet, "ConfirmImpact") is int impact ? ConfirmImpactName(impact) : "Medium",
            Named(cmdlet, "DefaultParameterSetName") as string,
            outputTypes,
            parameters);
    }

    private static CommandParameter? DescribeParameter(PropertyInfo property)
    {
        var attributes = property.GetCustomAttributesData();
        var declarations = attributes.Where(a => IsSma(a, "ParameterAttribute")).ToList();
        if (declarations.Count == 0) return null;
        var sets = declarations.Select(a => new ParameterSetEntry(
            Named(a, "ParameterSetName") as string ?? AllParameterSets,
            Named(a, "Mandatory") is true,
            Named(a, "Position") is int position ? position : int.MinValue,
            Named(a, "ValueFromPipeline") is true,
            Named(a, "ValueFromPipelineByPropertyName") is true)).ToList();
        var aliases = StringArguments(Attribute(attributes, "AliasAttribute"));
        var validValues = StringArguments(Attribute(attributes, "ValidateSetAttribute"));
        var notNullOrEmpty = Attribute(attributes, "ValidateNotNullOrEmptyAttribute") is not null;
        return new CommandParameter(property.Name, property, sets, aliases, validValues, notNullOrEmpty);
    }

    /// <summary>IncludeSecret -> include-secret; WhatIf -> what-if; OlderThan -> older-than.</summary>
    public static string ToKebabCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && (!char.IsUpper(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                builder.Append('-');
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }

    private static string ConfirmImpactName(int value) => value switch
    {
        0 => "None",
        1 => "Low",
        2 => "Medium",
        3 => "High",
        _ => value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static bool IsSma(CustomAttributeData attribute, string name) =>
        attribute.AttributeType.FullName == Sma + name;

    private static CustomAttributeData? Attribute(IEnumerable<CustomAttributeData> attributes, string name) =>
        attributes.FirstOrDefault(a => IsSma(a, name));

    private static object? Named(CustomAttributeData attribute, string name) =>
        // default(CustomAttributeNamedArgument).MemberName throws, so no FirstOrDefault here.
        attribute.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

    private static IReadOnlyList<string> StringArguments(CustomAttributeData? attribute) =>
        attribute is null
            ? []
            : attribute.ConstructorArguments
                .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> many ? many.Select(m => m.Value) : [arg.Value])
                .OfType<string>()
                .ToList();
}
