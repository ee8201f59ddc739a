using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace LamassuOps.HelpBuilder;

/// <summary>A help page that does not follow the PlatyPS layout; every problem found, with its line.</summary>
public sealed class HelpPageException(string file, IReadOnlyList<string> problems)
    : Exception($"{file}:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", problems)}")
{
    public string File { get; } = file;

    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Reads a PlatyPS-format (schema 2.0.0) cmdlet page with Markdig. Checks the layout (sections, yaml fields and
/// their values) and reports every problem at once; whether the content matches the cmdlet is the tests' job.
/// </summary>
public static class HelpPageParser
{
    private const string Synopsis = "SYNOPSIS";
    private const string SyntaxSection = "SYNTAX";
    private const string DescriptionSection = "DESCRIPTION";
    private const string Examples = "EXAMPLES";
    private const string ParametersSection = "PARAMETERS";
    private const string InputsSection = "INPUTS";
    private const string OutputsSection = "OUTPUTS";
    private const string NotesSection = "NOTES";
    private const string RelatedLinks = "RELATED LINKS";
    private const string CommonParameters = "CommonParameters";
    private const string DefaultMarker = " (Default)";

    private static readonly string[] KnownSections =
        [Synopsis, SyntaxSection, DescriptionSection, Examples, ParametersSection, InputsSection, OutputsSection, NotesSection, RelatedLinks];

    private static readonly string[] PipelineInputValues =
        ["False", "True (ByValue)", "True (ByPropertyName)", "True (ByPropertyName, ByValue)"];

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().UsePipeTables().Build();

    public static HelpPage ParseFile(string path) => Parse(File.ReadAllText(path), Path.GetFileName(path));

    public static HelpPage Parse(string markdown, string fileName)
    {
        var problems = new List<string>();
        var document = Markdown.Parse(markdown, Pipeline);
        var frontMatter = new Dictionary<string, string>(StringComparer.Ordinal);
        string? commandName = null;
        var sections = new Dictionary<string, Section>(StringComparer.Ordinal);
        Section? current = null;

        foreach (var block in document)
        {
            switch (block)
            {
                case YamlFrontMatterBlock yaml:
                    ReadFrontMatter(yaml, frontMatter, problems);
                    break;
                case HeadingBlock { Level: 1 } h1 when commandName is null:
                    commandName = InlineText(h1.Inline).Trim();
                    break;
                case HeadingBlock { Level: 2 } h2:
                    var title = InlineText(h2.Inline).Trim();
                    if (!KnownSections.Contains(title))
                        problems.Add($"line {Line(h2)}: unknown section '## {title}' (expected one of {string.Join(", ", KnownSections)})");
                    else if (sections.ContainsKey(title))
                        problems.Add($"line {Line(h2)}: section '## {title}' appears twice");
                    current = new Section(title, Line(h2));
                    sections.TryAdd(title, current);
                    break;
                case HeadingBlock { Level: 3 } h3 when current is not null:
                    current.Entries.Add(new Entry(InlineText(h3.Inline).Trim(), Line(h3)));
                    break;
                case HtmlBlock:
                    break; // comments such as <!-- ... --> carry nothing for the reader
                default:
                    if (current is null)
                        problems.Add($"line {Line(block)}: text before the first '## ' section");
                    else if (current.Entries.Count > 0)
                        current.Entries[^1].Blocks.Add(block);
                    else
                        current.Blocks.Add(block);
                    break;
            }
        }

        var expectedName = Path.GetFileNameWithoutExtension(fileName);
        if (commandName is null) problems.Add("no '# Verb-Noun' title");
        else if (!string.Equals(commandName, expectedName, StringComparison.Ordinal))
            problems.Add($"the title '# {commandName}' does not match the file name '{fileName}'");
        foreach (var key in new[] { HelpPage.ExternalHelpFileKey, HelpPage.ModuleNameKey, HelpPage.SchemaKey })
            if (!frontMatter.ContainsKey(key)) problems.Add($"front matter has no '{key}:'");
        foreach (var required in new[] { Synopsis, SyntaxSection, DescriptionSection, Examples, ParametersSection, InputsSection, OutputsSection })
            if (!sections.ContainsKey(required)) problems.Add($"no '## {required}' section");

        var page = new HelpPage(
            commandName ?? expectedName,
            frontMatter,
            Paragraphs(Get(sections, Synopsis), problems),
            ReadSyntax(Get(sections, SyntaxSection), problems),
            Paragraphs(Get(sections, DescriptionSection), problems),
            ReadExamples(Get(sections, Examples), problems),
            ReadParameters(Get(sections, ParametersSection), problems, out var documentsCommonParameters),
            documentsCommonParameters,
            ReadTypes(Get(sections, InputsSection), problems),
            ReadTypes(Get(sections, OutputsSection), problems),
            Paragraphs(Get(sections, NotesSection), problems),
            ReadLinks(Get(sections, RelatedLinks)));
        if (problems.Count > 0) throw new HelpPageException(fileName, problems);
        return page;
    }

    private sealed class Section(string title, int line)
    {
        public string Title { get; } = title;

        public int Line { get; } = line;

        /// <summary>Blocks before the first ### heading.</summary>
        public List<Block> Blocks { get; } = [];

        public List<Entry> Entries { get; } = [];
    }

    private sealed class Entry(string title, int line)
    {
        public string Title { get; } = title;

        public int Line { get; } = line;

        public List<Block> Blocks { get; } = [];
    }

    private static Section? Get(Dictionary<string, Section> sections, string title) => sections.GetValueOrDefault(title);

    private static void ReadFrontMatter(YamlFrontMatterBlock yaml, Dictionary<string, string> frontMatter, List<string> problems)
    {
        foreach (var line in yaml.Lines.Lines.Select(l => l.ToString()))
        {
            if (string.IsNullOrWhiteSpace(line) || line.Trim() == "---") continue;
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                problems.Add($"front matter line '{line}' is not 'key: value'");
                continue;
            }
            frontMatter[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
    }

    /// <summary>Paragraphs of a section that has no ### entries.</summary>
    private static List<string> Paragraphs(Section? section, List<string> problems)
    {
        if (section is null) return [];
        foreach (var entry in section.Entries)
            problems.Add($"line {entry.Line}: '## {section.Title}' takes no '### ' headings");
        return section.Blocks.SelectMany(BlockParagraphs).ToList();
    }

    private static List<SyntaxBlock> ReadSyntax(Section? section, List<string> problems)
    {
        var result = new List<SyntaxBlock>();
        if (section is null) return result;
        if (section.Entries.Count == 0) problems.Add($"line {section.Line}: '## SYNTAX' has no '### ParameterSetName' entry");
        foreach (var entry in section.Entries)
        {
            var code = entry.Blocks.OfType<FencedCodeBlock>().ToList();
            if (code.Count != 1 || entry.Blocks.Count != 1)
            {
                problems.Add($"line {entry.Line}: syntax '### {entry.Title}' must hold exactly one code block");
                continue;
            }
            var isDefault = entry.Title.EndsWith(DefaultMarker, StringComparison.Ordinal);
            var setName = isDefault ? entry.Title[..^DefaultMarker.Length] : entry.Title;
            result.Add(new SyntaxBlock(setName, isDefault, CodeText(code[0])));
        }
        return result;
    }

    /// <summary>An example: the code blocks before its first paragraph are the code, everything after is remarks.</summary>
    private static List<HelpExample> ReadExamples(Section? section, List<string> problems)
    {
        var result = new List<HelpExample>();
        if (section is null) return result;
        foreach (var entry in section.Entries)
        {
            var code = entry.Blocks.TakeWhile(b => b is FencedCodeBlock).Cast<FencedCodeBlock>().Select(CodeText).ToList();
            if (code.Count == 0)
            {
                problems.Add($"line {entry.Line}: example '### {entry.Title}' must start with a code block");
                continue;
            }
            var remarks = entry.Blocks.SkipWhile(b => b is FencedCodeBlock).SelectMany(BlockParagraphs).ToList();
            result.Add(new HelpExample(entry.Title, string.Join("\n\n", code), remarks));
        }
        foreach (var stray in section.Blocks)
            problems.Add($"line {Line(stray)}: text in '## EXAMPLES' outside a '### Example N: Title' entry");
        return result;
    }

    private static List<HelpParameter> ReadParameters(Section? section, List<string> problems, out bool documentsCommonParameters)
    {
        documentsCommonParameters = false;
        var result = new List<HelpParameter>();
        if (section is null) return result;
        foreach (var entry in section.Entries)
        {
            if (entry.Title == CommonParameters)
            {
                documentsCommonParameters = true;
                continue;
            }
            if (!entry.Title.StartsWith('-') || entry.Title.Length < 2)
            {
                problems.Add($"line {entry.Line}: parameter heading '### {entry.Title}' must be '### -Name' or '### CommonParameters'");
                continue;
            }
            var yamlBlocks = entry.Blocks.OfType<FencedCodeBlock>().Where(IsYaml).ToList();
            if (yamlBlocks.Count == 0)
            {
                problems.Add($"line {entry.Line}: parameter '{entry.Title}' has no ```yaml block");
                continue;
            }
            var description = entry.Blocks.Where(b => !(b is FencedCodeBlock fenced && IsYaml(fenced))).SelectMany(BlockParagraphs).ToList();
            var metadata = yamlBlocks.Select(y => ReadParameterMetadata(entry.Title, y, problems)).OfType<ParameterMetadata>().ToList();
            result.Add(new HelpParameter(entry.Title[1..], description, metadata));
        }
        return result;
    }

    private static ParameterMetadata? ReadParameterMetadata(string parameter, FencedCodeBlock yaml, List<string> problems)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = true;
        void Problem(string message)
        {
            problems.Add($"line {Line(yaml)}: parameter '{parameter}': {message}");
            ok = false;
        }

        foreach (var line in CodeText(yaml).Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                Problem($"yaml line '{line}' is not 'Field: value'");
                continue;
            }
            var key = line[..colon].Trim();
            if (!KnownFields.Contains(key)) Problem($"unknown yaml field '{key}' (known: {string.Join(", ", KnownFields)})");
            fields[key] = line[(colon + 1)..].Trim();
        }
        foreach (var required in RequiredFields)
            if (!fields.ContainsKey(required)) Problem($"yaml has no '{required}:'");
        if (!ok) return null;

        bool Flag(string key)
        {
            if (fields[key] is "True" or "False") return fields[key] == "True";
            Problem($"'{key}: {fields[key]}' must be True or False");
            return false;
        }

        var position = fields["Position"];
        if (position != "Named" && !(int.TryParse(position, out var number) && number >= 0))
            Problem($"'Position: {position}' must be Named or a number from 0");
        var pipeline = fields["Accept pipeline input"];
        if (!PipelineInputValues.Contains(pipeline))
            Problem($"'Accept pipeline input: {pipeline}' must be one of: {string.Join("; ", PipelineInputValues)}");
        var sets = List(fields["Parameter Sets"]);
        if (sets.Count == 0) Problem("'Parameter Sets:' is empty; write (All) for a parameter in every set");
        var metadata = new ParameterMetadata(
            fields["Type"],
            sets,
            List(fields.GetValueOrDefault("Aliases")),
            List(fields.GetValueOrDefault("Accepted values")),
            Flag("Required"),
            position,
            fields.GetValueOrDefault("Default value") is { Length: > 0 } value ? value : "None",
            pipeline,
            Flag("Accept wildcard characters"));
        return ok ? metadata : null;
    }

    private static readonly string[] RequiredFields =
        ["Type", "Parameter Sets", "Required", "Position", "Accept pipeline input", "Accept wildcard characters"];

    private static readonly string[] KnownFields = [.. RequiredFields, "Aliases", "Accepted values", "Default value"];

    private static List<string> List(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static List<HelpTypeEntry> ReadTypes(Section? section, List<string> problems)
    {
        if (section is null) return [];
        foreach (var stray in section.Blocks)
            problems.Add($"line {Line(stray)}: '## {section.Title}' lists types as '### Type.Name' headings");
        return section.Entries.Select(e => new HelpTypeEntry(e.Title, e.Blocks.SelectMany(BlockParagraphs).ToList())).ToList();
    }

    /// <summary>Each link of the section; a plain-text item (such as about_LamassuOps) is a link without an address.</summary>
    private static List<HelpLink> ReadLinks(Section? section)
    {
        var result = new List<HelpLink>();
        if (section is null) return result;
        foreach (var leaf in section.Blocks.SelectMany(b => b is LeafBlock self ? [self] : b.Descendants<LeafBlock>()))
        {
            var links = leaf.Inline?.Descendants<LinkInline>().Where(l => !l.IsImage).ToList() ?? [];
            if (links.Count == 0)
            {
                // One link per line: PlatyPS pages often list plain command names one under another.
                foreach (var line in InlineText(leaf.Inline, softBreak: "\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    result.Add(new HelpLink(line, ""));
                continue;
            }
            foreach (var link in links)
            {
                var url = link.Url ?? "";
                result.Add(new HelpLink(InlineText(link).Trim(), Uri.TryCreate(url, UriKind.Absolute, out _) ? url : ""));
            }
        }
        return result;
    }

    private static bool IsYaml(FencedCodeBlock block) => string.Equals(block.Info, "yaml", StringComparison.OrdinalIgnoreCase);

    private static int Line(Block block) => block.Line + 1;

    private static string CodeText(LeafBlock code) =>
        string.Join("\n", code.Lines.Lines.Take(code.Lines.Count).Select(l => l.ToString())).TrimEnd();

    /// <summary>A block as plain paragraphs, the way Get-Help shows text.</summary>
    private static IEnumerable<string> BlockParagraphs(Block block) => block switch
    {
        ParagraphBlock paragraph => [InlineText(paragraph.Inline).Trim()],
        HeadingBlock heading => [InlineText(heading.Inline).Trim()],
        CodeBlock code => [string.Join("\n", CodeText(code).Split('\n').Select(l => "    " + l))],
        ListBlock list => ListParagraphs(list, ""),
        Table table => table.OfType<TableRow>().Select(row =>
            string.Join(" | ", row.OfType<TableCell>().Select(cell => string.Join(" ", cell.SelectMany(BlockParagraphs))))),
        ContainerBlock container => container.SelectMany(BlockParagraphs),
        _ => [],
    };

    private static IEnumerable<string> ListParagraphs(ListBlock list, string indent)
    {
        var number = int.TryParse(list.OrderedStart, out var start) ? start : 1;
        foreach (var item in list.OfType<ListItemBlock>())
        {
            var marker = list.IsOrdered ? $"{number++}. " : "- ";
            var first = true;
            foreach (var child in item)
            {
                if (child is ListBlock nested)
                {
                    foreach (var line in ListParagraphs(nested, indent + "  ")) yield return line;
                    continue;
                }
                foreach (var paragraph in BlockParagraphs(child))
                {
                    yield return indent + (first ? marker : new string(' ', marker.Length)) + paragraph;
                    first = false;
                }
            }
        }
    }

    private static string InlineText(Inline? inline, string softBreak = " ")
    {
        var text = new StringBuilder();
        Append(text, inline, softBreak);
        return text.ToString();
    }

    private static void Append(StringBuilder text, Inline? inline, string softBreak)
    {
        switch (inline)
        {
            case null:
                return;
            case LiteralInline literal:
                text.Append(literal.Content.ToString());
                return;
            case CodeInline code:
                text.Append(code.Content);
                return;
            case AutolinkInline autolink:
                text.Append(autolink.Url);
                return;
            case LineBreakInline lineBreak:
                text.Append(lineBreak.IsHard ? "\n" : softBreak);
                return;
            case HtmlInline html:
                // Get-Help is plain text: "PeerAuth<Diagnosis>" means the placeholder, not an HTML tag to drop.
                text.Append(html.Tag);
                return;
            case HtmlEntityInline entity:
                text.Append(entity.Transcoded.ToString());
                return;
            case ContainerInline container:
                foreach (var child in container) Append(text, child, softBreak);
                return;
        }
    }
}
