using System.Text;
using LamassuOps.Cli;
using LamassuOps.HelpBuilder;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Help;

/// <summary>
/// Whether a help page documents its cmdlet exactly: header, synopsis, examples, one syntax per parameter set,
/// every parameter (and only those) with the type, sets, mandatory, position, pipeline input, aliases, accepted
/// values and wildcards the attributes declare, and the [OutputType] types. Problems are phrased so that the
/// page's author can fix them without reading this file.
/// </summary>
public static class HelpPageRules
{
    public const string ExternalHelpFile = "LamassuOps.dll-Help.xml";
    public const string ModuleName = "LamassuOps";

    public static IReadOnlyList<string> Problems(CommandDefinition definition, HelpPage page)
    {
        var problems = new List<string>();
        CheckHeader(page, problems);
        if (page.CommandName != definition.Name) problems.Add($"the title is '# {page.CommandName}', the cmdlet is {definition.Name}");
        if (page.Synopsis.Count == 0 || page.Synopsis.All(string.IsNullOrWhiteSpace)) problems.Add("## SYNOPSIS is empty");
        if (page.Description.Count == 0) problems.Add("## DESCRIPTION is empty");
        if (page.Examples.Count == 0) problems.Add("## EXAMPLES has no '### Example 1: ...'");
        foreach (var example in page.Examples.Where(e => !e.Code.Contains(definition.Name, StringComparison.OrdinalIgnoreCase)))
            problems.Add($"example '{example.Title}' does not run {definition.Name}");
        if (page.Inputs.Count == 0) problems.Add("## INPUTS lists no type (write '### None' when nothing is taken from the pipeline)");
        CheckSyntax(definition, page, problems);
        CheckParameters(definition, page, problems);
        CheckOutputs(definition, page, problems);
        return problems;
    }

    private static void CheckHeader(HelpPage page, List<string> problems)
    {
        void Expect(string key, string expected)
        {
            var actual = page.FrontMatterValue(key);
            if (actual != expected) problems.Add($"front matter '{key}: {actual}' must be '{key}: {expected}'");
        }

        Expect(HelpPage.ExternalHelpFileKey, ExternalHelpFile);
        Expect(HelpPage.ModuleNameKey, ModuleName);
        Expect(HelpPage.SchemaKey, "2.0.0");
    }

    private static void CheckSyntax(CommandDefinition definition, HelpPage page, List<string> problems)
    {
        var documented = page.Syntax.Select(s => s.SetName).ToList();
        foreach (var set in definition.ParameterSetNames)
        {
            var heading = set == definition.DefaultParameterSetName ? $"{set} (Default)" : set;
            var expected = CmdletMetadata.Syntax(definition, set);
            var block = page.Syntax.FirstOrDefault(s => s.SetName == set);
            if (block is null)
                problems.Add($"## SYNTAX has no '### {heading}' with:\n      {expected}");
            else if (block.IsDefault != (set == definition.DefaultParameterSetName))
                problems.Add($"## SYNTAX: write '### {heading}' (the default parameter set is {definition.DefaultParameterSetName ?? "not declared"})");
            else if (block.Text != expected)
                problems.Add($"## SYNTAX '### {heading}' is\n      {block.Text}\n    the cmdlet's syntax is\n      {expected}");
        }
        foreach (var extra in documented.Except(definition.ParameterSetNames))
            problems.Add($"## SYNTAX documents '### {extra}', which is not a parameter set of {definition.Name}");
    }

    private static void CheckParameters(CommandDefinition definition, HelpPage page, List<string> problems)
    {
        var expected = CmdletMetadata.DocumentedParameters(definition);
        foreach (var parameter in expected)
        {
            var documented = page.Parameters.FirstOrDefault(p => p.Name == parameter.Name);
            if (documented is null)
            {
                problems.Add($"## PARAMETERS has no '### -{parameter.Name}'; it should read:\n{Indent(ParameterSection(parameter))}");
                continue;
            }
            var mismatches = ParameterMismatches(parameter, documented).ToList();
            if (mismatches.Count > 0)
                problems.Add($"'### -{parameter.Name}': {string.Join("; ", mismatches)}; the yaml should read:\n{Indent(Yaml(parameter))}");
        }
        foreach (var extra in page.Parameters.Where(p => expected.All(e => e.Name != p.Name)))
            problems.Add($"'### -{extra.Name}' documents a parameter {definition.Name} does not have (names are case-sensitive)");
        if (!page.DocumentsCommonParameters) problems.Add("## PARAMETERS has no '### CommonParameters'");
    }

    private static IEnumerable<string> ParameterMismatches(DocumentedParameter expected, HelpParameter documented)
    {
        if (documented.Description.Count == 0) yield return "no description";
        foreach (var metadata in documented.Metadata)
        {
            if (metadata.Type != expected.TypeName) yield return $"Type is {metadata.Type}, not {expected.TypeName}";
            if (!metadata.Aliases.SequenceEqual(expected.Aliases)) yield return $"Aliases are '{string.Join(", ", metadata.Aliases)}', not '{string.Join(", ", expected.Aliases)}'";
            if (!metadata.AcceptedValues.SequenceEqual(expected.AcceptedValues))
                yield return $"Accepted values are '{string.Join(", ", metadata.AcceptedValues)}', not '{string.Join(", ", expected.AcceptedValues)}'";
            if (metadata.AcceptsWildcards != expected.AcceptsWildcards)
                yield return $"Accept wildcard characters is {metadata.AcceptsWildcards}, [SupportsWildcards] says {expected.AcceptsWildcards}";
            foreach (var set in metadata.ParameterSets.Where(s => s != ParameterMetadata.AllSets && !expected.Sets.ContainsKey(s)))
                yield return $"it is not in parameter set {set}";
            if (metadata.AppliesToAllSets && !expected.InAllSets) yield return "Parameter Sets is (All), but it is declared for some sets only";
        }
        foreach (var (set, entry) in expected.Sets)
        {
            var metadata = documented.For(set);
            if (metadata is null)
            {
                yield return $"no yaml block covers parameter set {set}";
                continue;
            }
            if (metadata.Required != entry.Required) yield return $"Required is {metadata.Required} in set {set}, Mandatory says {entry.Required}";
            if (metadata.Position != entry.Position) yield return $"Position is {metadata.Position} in set {set}, not {entry.Position}";
            if (metadata.PipelineInput != entry.PipelineInput) yield return $"Accept pipeline input is '{metadata.PipelineInput}' in set {set}, not '{entry.PipelineInput}'";
        }
    }

    private static void CheckOutputs(CommandDefinition definition, HelpPage page, List<string> problems)
    {
        var expected = definition.OutputTypes.Select(t => t.FullName!).Order(StringComparer.Ordinal).ToList();
        var documented = page.Outputs.Select(o => o.TypeName).Order(StringComparer.Ordinal).ToList();
        if (!expected.SequenceEqual(documented))
            problems.Add($"## OUTPUTS lists '{string.Join(", ", documented)}'; [OutputType] says '{string.Join(", ", expected)}'");
    }

    /// <summary>A starting page for a cmdlet that has none: every section, the syntax and parameter blocks filled in.</summary>
    public static string Skeleton(CommandDefinition definition)
    {
        var page = new StringBuilder();
        page.Append($"---\nexternal help file: {ExternalHelpFile}\nModule Name: {ModuleName}\nonline version:\nschema: 2.0.0\n---\n\n");
        page.Append($"# {definition.Name}\n\n## SYNOPSIS\nOne sentence.\n\n## SYNTAX\n");
        foreach (var set in definition.ParameterSetNames)
        {
            var heading = set == definition.DefaultParameterSetName ? $"{set} (Default)" : set;
            page.Append($"\n### {heading}\n```\n{CmdletMetadata.Syntax(definition, set)}\n```\n");
        }
        page.Append($"\n## DESCRIPTION\nParagraphs.\n\n## EXAMPLES\n\n### Example 1: Title\n```powershell\nPS> {definition.Name}\n```\n\nWhat it does.\n\n## PARAMETERS\n");
        foreach (var parameter in CmdletMetadata.DocumentedParameters(definition))
            page.Append('\n').Append(ParameterSection(parameter));
        page.Append("\n### CommonParameters\nThis cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction, -InformationVariable, -OutVariable, -OutBuffer, -PipelineVariable, -Verbose, -WarningAction, and -WarningVariable. For more information, see [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216).\n");
        page.Append("\n## INPUTS\n\n### System.String\n\n## OUTPUTS\n");
        foreach (var type in definition.OutputTypes) page.Append($"\n### {type.FullName}\n");
        page.Append("\n## NOTES\nError ids this cmdlet raises and what each means.\n\n## RELATED LINKS\n");
        return page.ToString();
    }

    private static string ParameterSection(DocumentedParameter parameter) =>
        $"### -{parameter.Name}\nDescription.\n\n{Yaml(parameter)}";

    /// <summary>One yaml block per group of sets in which the parameter is declared alike, as PlatyPS writes them.</summary>
    private static string Yaml(DocumentedParameter parameter)
    {
        IEnumerable<(string Sets, DocumentedSetEntry Entry)> blocks = parameter.InAllSets
            ? [(ParameterMetadata.AllSets, parameter.Sets.Values.First())]
            : parameter.Sets.GroupBy(s => s.Value).Select(g => (string.Join(", ", g.Select(s => s.Key)), g.Key));
        var text = new StringBuilder();
        foreach (var (sets, entry) in blocks)
        {
            text.Append($"```yaml\nType: {parameter.TypeName}\nParameter Sets: {sets}\nAliases: {string.Join(", ", parameter.Aliases)}\n");
            if (parameter.AcceptedValues.Count > 0) text.Append($"Accepted values: {string.Join(", ", parameter.AcceptedValues)}\n");
            text.Append($"\nRequired: {entry.Required}\nPosition: {entry.Position}\nDefault value: {(parameter.TypeName == CmdletMetadata.SwitchTypeName ? "False" : "None")}\n");
            text.Append($"Accept pipeline input: {entry.PipelineInput}\nAccept wildcard characters: {parameter.AcceptsWildcards}\n```\n");
        }
        return text.ToString();
    }

    private static string Indent(string text) =>
        string.Join("\n", text.TrimEnd().Split('\n').Select(line => "      " + line));
}
