using System.Collections;
using LamassuOps.Cli;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Metadata;

/// <summary>
/// The conventions every LamassuOps cmdlet follows (docs/architecture.md, the PowerShell guidelines users notice),
/// as rules over a cmdlet's attributes. Each rule returns what is wrong, phrased for the cmdlet's author; the
/// metadata tests run them over every cmdlet, and over deliberately wrong sample cmdlets to prove they bite.
/// </summary>
public static class CmdletRules
{
    /// <summary>Get-Verb on PowerShell 7.4: Import-Module warns about any other verb.</summary>
    public static readonly IReadOnlySet<string> ApprovedVerbs = new HashSet<string>(StringComparer.Ordinal)
    {
        // Common
        "Add", "Clear", "Close", "Copy", "Enter", "Exit", "Find", "Format", "Get", "Hide", "Join", "Lock", "Move", "New",
        "Open", "Optimize", "Pop", "Push", "Redo", "Remove", "Rename", "Reset", "Resize", "Search", "Select", "Set",
        "Show", "Skip", "Split", "Step", "Switch", "Undo", "Unlock", "Watch",
        // Communications
        "Connect", "Disconnect", "Read", "Receive", "Send", "Write",
        // Data
        "Backup", "Checkpoint", "Compare", "Compress", "Convert", "ConvertFrom", "ConvertTo", "Dismount", "Edit",
        "Expand", "Export", "Group", "Import", "Initialize", "Limit", "Merge", "Mount", "Out", "Publish", "Restore",
        "Save", "Sync", "Unpublish", "Update",
        // Diagnostic
        "Debug", "Measure", "Ping", "Repair", "Resolve", "Test", "Trace",
        // Lifecycle
        "Approve", "Assert", "Build", "Complete", "Confirm", "Deny", "Deploy", "Disable", "Enable", "Install", "Invoke",
        "Register", "Request", "Restart", "Resume", "Start", "Stop", "Submit", "Suspend", "Uninstall", "Unregister", "Wait",
        // Security
        "Block", "Grant", "Protect", "Revoke", "Unblock", "Unprotect",
        // Other
        "Use",
    };

    /// <summary>Verbs that change state: their cmdlets must declare SupportsShouldProcess.</summary>
    public static readonly IReadOnlySet<string> StateChangingVerbs = new HashSet<string>(StringComparer.Ordinal)
    {
        "Add", "Backup", "Clear", "Copy", "Disable", "Dismount", "Edit", "Enable", "Grant", "Import", "Initialize",
        "Install", "Lock", "Merge", "Mount", "Move", "New", "Protect", "Publish", "Register", "Remove", "Rename",
        "Repair", "Reset", "Restart", "Restore", "Revoke", "Save", "Set", "Start", "Stop", "Sync", "Uninstall",
        "Unlock", "Unprotect", "Unpublish", "Unregister", "Update", "Write",
    };

    /// <summary>Verbs that destroy data: ConfirmImpact High and a -Force switch.</summary>
    public static readonly IReadOnlySet<string> DestructiveVerbs = new HashSet<string>(StringComparer.Ordinal)
    {
        "Clear", "Remove", "Reset", "Restore",
    };

    /// <summary>Noun prefixes and the product area they belong to.</summary>
    public static readonly IReadOnlyList<(string Prefix, string Area)> NounPrefixes =
    [
        ("Bunker", BunkerArea),
        ("Lamassu", LamassuArea),
        ("Postgres", LamassuArea),
        ("PeerAuth", LamassuArea),
        ("Lnbits", LnbitsArea),
    ];

    /// <summary>Nouns without a prefix that the manifest fixed (the runbook's name for the strip), with their area.</summary>
    public static readonly IReadOnlyDictionary<string, string> NounExceptions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["StaleSigningCondition"] = BunkerArea,
    };

    public const string BunkerArea = "nsecbunkerd";
    public const string LamassuArea = "lamassu";
    public const string LnbitsArea = "LNbits";
    public const string CoreAssemblyName = "LamassuOps.Core";

    public static string? Area(CommandDefinition definition) =>
        NounExceptions.TryGetValue(definition.Noun, out var area)
            ? area
            : NounPrefixes.Where(p => definition.Noun.StartsWith(p.Prefix, StringComparison.Ordinal)).Select(p => p.Area).FirstOrDefault();

    /// <summary>Every rule over one cmdlet's attributes.</summary>
    public static IEnumerable<string> Violations(CommandDefinition definition) =>
        ApprovedVerb(definition)
            .Concat(PrefixedSingularNoun(definition))
            .Concat(SealedLamassuCmdlet(definition))
            .Concat(OutputTypesFromCore(definition))
            .Concat(ShouldProcessForStateChanges(definition))
            .Concat(ConfirmAndForceForDestruction(definition))
            .Concat(PathConventions(definition))
            .Concat(BindsByPropertyName(definition))
            .Concat(RemotingFriendlyOutput(definition))
            .Concat(OutputCarriesPath(definition));

    public static IEnumerable<string> ApprovedVerb(CommandDefinition definition)
    {
        if (!ApprovedVerbs.Contains(definition.Verb))
            yield return $"verb '{definition.Verb}' is not an approved verb (Get-Verb); Import-Module would warn";
    }

    public static IEnumerable<string> PrefixedSingularNoun(CommandDefinition definition)
    {
        if (Area(definition) is null)
            yield return $"noun '{definition.Noun}' has none of the prefixes {string.Join(", ", NounPrefixes.Select(p => p.Prefix))}";
        var lastWord = System.Text.RegularExpressions.Regex.Match(definition.Noun, "[A-Z][a-z0-9]*$").Value;
        if (lastWord.EndsWith('s') && !lastWord.EndsWith("ss", StringComparison.Ordinal) && !lastWord.EndsWith("us", StringComparison.Ordinal)
            && !lastWord.EndsWith("is", StringComparison.Ordinal))
            yield return $"noun '{definition.Noun}' looks plural; PowerShell nouns are singular";
    }

    public static IEnumerable<string> SealedLamassuCmdlet(CommandDefinition definition)
    {
        var type = definition.CmdletType;
        if (!type.IsSealed) yield return $"class {type.Name} is not sealed";
        if (!type.IsPublic) yield return $"class {type.Name} is not public (PowerShell exports public cmdlet classes only)";
        if (!type.IsSubclassOf(typeof(LamassuCmdlet))) yield return $"class {type.Name} does not derive from LamassuCmdlet";
        if (type.Name != definition.Verb + definition.Noun + "Command")
            yield return $"class {type.Name} should be named {definition.Verb}{definition.Noun}Command";
    }

    /// <summary>
    /// Result types come from Core. The one exception is PowerShell's -Quiet idiom (Test-Connection, Test-Path):
    /// a Test-* cmdlet with a -Quiet switch may also return a plain Boolean.
    /// </summary>
    public static IEnumerable<string> OutputTypesFromCore(CommandDefinition definition)
    {
        if (definition.OutputTypes.Count == 0) yield return "no [OutputType]";
        foreach (var type in definition.OutputTypes.Where(t => t.Assembly.GetName().Name != CoreAssemblyName && !IsQuietVerdict(definition, t)))
            yield return $"[OutputType] {type.FullName} is not a LamassuOps.Core result type";
    }

    public static bool IsQuietVerdict(CommandDefinition definition, Type outputType) =>
        outputType == typeof(bool) && definition.Verb == "Test" && definition.Parameters.Any(p => p is { Name: "Quiet", IsSwitch: true });

    public static IEnumerable<string> ShouldProcessForStateChanges(CommandDefinition definition)
    {
        if (StateChangingVerbs.Contains(definition.Verb) && !definition.SupportsShouldProcess)
            yield return $"'{definition.Verb}' changes state: declare SupportsShouldProcess = true so -WhatIf and -Confirm work";
    }

    public static IEnumerable<string> ConfirmAndForceForDestruction(CommandDefinition definition)
    {
        if (!DestructiveVerbs.Contains(definition.Verb)) yield break;
        if (definition.ConfirmImpact != "High") yield return $"'{definition.Verb}' destroys data: ConfirmImpact must be High, not {definition.ConfirmImpact}";
        if (definition.Parameters.FirstOrDefault(p => p.Name == "Force") is not { IsSwitch: true })
            yield return $"'{definition.Verb}' destroys data: it needs a -Force switch (skips the prompt, never -WhatIf)";
    }

    /// <summary>
    /// docs/architecture.md: -Path (wildcards, position 0, pipeline by value and by property name) in set Path, the
    /// default; -LiteralPath (aliases PSPath, LP, by property name) in set LiteralPath. New-* names the file it
    /// creates, so the convention is for cmdlets that read or change existing files.
    /// </summary>
    public static IEnumerable<string> PathConventions(CommandDefinition definition)
    {
        var path = definition.Parameters.FirstOrDefault(p => p.Name == "Path");
        var literalPath = definition.Parameters.FirstOrDefault(p => p.Name == "LiteralPath");
        if (definition.Verb == "New" || (path is null && literalPath is null)) yield break;
        if (path is null || literalPath is null)
        {
            yield return "-Path and -LiteralPath come together";
            yield break;
        }
        foreach (var problem in PathParameter(path, "Path", valueFromPipeline: true, wildcards: true)) yield return problem;
        foreach (var problem in PathParameter(literalPath, "LiteralPath", valueFromPipeline: false, wildcards: false)) yield return problem;
        if (!literalPath.Aliases.Contains("PSPath") || !literalPath.Aliases.Contains("LP"))
            yield return "-LiteralPath needs [Alias(\"PSPath\", \"LP\")] (PSPath is how Get-ChildItem output binds)";
        if (definition.DefaultParameterSetName != "Path") yield return "DefaultParameterSetName must be \"Path\"";
    }

    private static IEnumerable<string> PathParameter(CommandParameter parameter, string set, bool valueFromPipeline, bool wildcards)
    {
        var name = "-" + parameter.Name;
        if (parameter.Type != typeof(string[])) yield return $"{name} must be string[]";
        if (parameter.Sets.Count != 1 || parameter.Sets[0].SetName != set)
        {
            yield return $"{name} must be declared in parameter set {set} only";
            yield break;
        }
        var entry = parameter.Sets[0];
        if (!entry.Mandatory) yield return $"{name} must be Mandatory in set {set}";
        if (set == "Path" && entry.Position != 0) yield return $"{name} must be Position = 0";
        if (!entry.ValueFromPipelineByPropertyName) yield return $"{name} must take ValueFromPipelineByPropertyName";
        if (entry.ValueFromPipeline != valueFromPipeline) yield return $"{name} {(valueFromPipeline ? "must" : "must not")} take ValueFromPipeline";
        if (CmdletMetadata.HasAttribute(parameter.Property, "SupportsWildcardsAttribute") != wildcards)
            yield return $"{name} {(wildcards ? "needs" : "must not have")} [SupportsWildcards]";
    }

    /// <summary>-Instance, which every cmdlet has from LamassuCmdlet (it stamps the output), does not count: it feeds no input.</summary>
    public static IEnumerable<string> BindsByPropertyName(CommandDefinition definition)
    {
        if (!definition.Parameters.Any(p => p.Name is not ("Instance" or "HostName") && p.Sets.Any(s => s.ValueFromPipelineByPropertyName)))
            yield return "no parameter takes ValueFromPipelineByPropertyName, so no other cmdlet's output can feed it";
    }

    /// <summary>
    /// Output survives remoting deserialisation with its values: primitives, strings, dates, time spans, GUIDs,
    /// enums, nullables of those, lists of those, and nested result classes built the same way.
    /// </summary>
    public static IEnumerable<string> RemotingFriendlyOutput(CommandDefinition definition) =>
        definition.OutputTypes.SelectMany(type => UnfriendlyProperties(type, type.Name, []));

    private static IEnumerable<string> UnfriendlyProperties(Type type, string path, HashSet<Type> visiting)
    {
        if (!visiting.Add(type)) yield break;
        foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            var propertyPath = $"{path}.{property.Name}";
            var valueType = ListElementType(property.PropertyType) ?? property.PropertyType;
            valueType = Nullable.GetUnderlyingType(valueType) ?? valueType;
            if (IsRemotingPrimitive(valueType)) continue;
            if (valueType.Assembly.GetName().Name == CoreAssemblyName && valueType is { IsClass: true, IsSealed: true })
            {
                foreach (var problem in UnfriendlyProperties(valueType, propertyPath, visiting)) yield return problem;
                continue;
            }
            yield return $"output property {propertyPath} is a {property.PropertyType.Name}; keep output to primitives, strings, dates, enums, lists of them and sealed Core result classes";
        }
        visiting.Remove(type);
    }

    private static Type? ListElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type) || !type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(IReadOnlyList<>) || definition == typeof(List<>) || definition == typeof(IList<>)
               || definition == typeof(IReadOnlyCollection<>) || definition == typeof(ICollection<>) || definition == typeof(IEnumerable<>)
            ? type.GetGenericArguments()[0]
            : null;
    }

    private static bool IsRemotingPrimitive(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime)
        || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid) || type == typeof(Uri) || type == typeof(Version);

    /// <summary>Every nsecbunkerd output carries the database it came from as Path, which the next cmdlet binds.</summary>
    public static IEnumerable<string> OutputCarriesPath(CommandDefinition definition)
    {
        if (Area(definition) != BunkerArea) yield break;
        foreach (var type in definition.OutputTypes.Where(t => !IsQuietVerdict(definition, t) && t.GetProperty("Path")?.PropertyType != typeof(string)))
            yield return $"output {type.FullName} has no string Path property, so `{definition.Name} | Remove-...` cannot bind the database";
    }

    /// <summary>
    /// Whether PowerShell can bind objects of <paramref name="outputType"/> to <paramref name="consumer"/> by property
    /// name alone: some parameter set whose mandatory parameters all take ValueFromPipelineByPropertyName and find a
    /// property of that name (or alias) on the object. Mandatory parameters named in <paramref name="givenOnCommandLine"/>
    /// are the operator's choice (Restore-BunkerDatabase's -BackupPath): the object need not carry them.
    /// </summary>
    public static bool BindsByPropertyName(Type outputType, CommandDefinition consumer, IReadOnlySet<string>? givenOnCommandLine = null)
    {
        var properties = outputType.GetProperties().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        bool Finds(CommandParameter p) => properties.Contains(p.Name) || p.Aliases.Any(properties.Contains);
        bool Typed(CommandParameter p) => givenOnCommandLine?.Contains(p.Name) == true && !Finds(p);

        return consumer.ParameterSetNames.Any(set =>
        {
            var members = consumer.Parameters.Where(p => p.InSet(set)).Select(p => (Parameter: p, Entry: p.EntryFor(set)!)).ToList();
            var mandatory = members.Where(m => m.Entry.Mandatory && !Typed(m.Parameter)).ToList();
            return mandatory.All(m => m.Entry.ValueFromPipelineByPropertyName && Finds(m.Parameter))
                   && members.Any(m => m.Entry.ValueFromPipelineByPropertyName && Finds(m.Parameter));
        });
    }
}
