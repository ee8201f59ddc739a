namespace LamassuOps.HelpBuilder;

/// <summary>
/// One PlatyPS-format cmdlet help page (docs/en-US/Verb-Noun.md), as written. Text is plain: each entry of a
/// paragraph list is one paragraph (list items keep their "- " marker, code blocks their line breaks).
/// </summary>
public sealed record HelpPage(
    string CommandName,
    IReadOnlyDictionary<string, string> FrontMatter,
    IReadOnlyList<string> Synopsis,
    IReadOnlyList<SyntaxBlock> Syntax,
    IReadOnlyList<string> Description,
    IReadOnlyList<HelpExample> Examples,
    IReadOnlyList<HelpParameter> Parameters,
    bool DocumentsCommonParameters,
    IReadOnlyList<HelpTypeEntry> Inputs,
    IReadOnlyList<HelpTypeEntry> Outputs,
    IReadOnlyList<string> Notes,
    IReadOnlyList<HelpLink> RelatedLinks)
{
    public const string ExternalHelpFileKey = "external help file";
    public const string ModuleNameKey = "Module Name";
    public const string OnlineVersionKey = "online version";
    public const string SchemaKey = "schema";

    public string? FrontMatterValue(string key) => FrontMatter.TryGetValue(key, out var value) ? value : null;

    public HelpParameter? Parameter(string name) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>One "### SetName" (or "### SetName (Default)") entry of ## SYNTAX with its code line.</summary>
public sealed record SyntaxBlock(string SetName, bool IsDefault, string Text);

public sealed record HelpExample(string Title, string Code, IReadOnlyList<string> Remarks);

/// <summary>
/// A "### -Name" entry of ## PARAMETERS: its description and one metadata block per group of parameter sets
/// (PlatyPS writes a second yaml block when a parameter is mandatory or positional in one set only).
/// </summary>
public sealed record HelpParameter(string Name, IReadOnlyList<string> Description, IReadOnlyList<ParameterMetadata> Metadata)
{
    /// <summary>The metadata block that covers <paramref name="setName"/>, or the one for all sets.</summary>
    public ParameterMetadata? For(string setName) =>
        Metadata.FirstOrDefault(m => m.ParameterSets.Contains(setName, StringComparer.OrdinalIgnoreCase))
        ?? Metadata.FirstOrDefault(m => m.AppliesToAllSets);
}

/// <summary>The yaml block of a parameter, field by field.</summary>
public sealed record ParameterMetadata(
    string Type,
    IReadOnlyList<string> ParameterSets,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> AcceptedValues,
    bool Required,
    string Position,
    string DefaultValue,
    string PipelineInput,
    bool AcceptsWildcards)
{
    public const string AllSets = "(All)";

    public bool AppliesToAllSets => ParameterSets.Count == 1 && ParameterSets[0] == AllSets;

    public bool IsSwitch => Type is "SwitchParameter" or "Switch";
}

public sealed record HelpTypeEntry(string TypeName, IReadOnlyList<string> Description);

/// <summary>A related link; <see cref="Uri"/> is empty for links to other pages of this module.</summary>
public sealed record HelpLink(string Text, string Uri);
