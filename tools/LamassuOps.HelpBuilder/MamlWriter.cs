using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace LamassuOps.HelpBuilder;

/// <summary>
/// Writes the MAML that Get-Help reads for a binary module (<c>en-US/LamassuOps.dll-Help.xml</c>), in the shape
/// PlatyPS's New-ExternalHelp produces: per command its details (name, verb, noun, synopsis), description, one
/// syntax item per parameter set, parameters, input and return types, notes, examples and related links.
/// The output is deterministic (commands sorted, LF line ends) so the committed file can be checked for staleness.
/// </summary>
public static partial class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private static readonly XNamespace MsHelp = "http://msdn.microsoft.com/mshelp";

    public static string Write(IEnumerable<HelpPage> pages)
    {
        var root = new XElement(Msh + "helpItems",
            new XAttribute("schema", "maml"),
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MsHelp),
            pages.OrderBy(p => p.CommandName, StringComparer.Ordinal).Select(CommandElement));

        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            NewLineHandling = NewLineHandling.Replace,
        };
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, settings))
            new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(writer);
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static XElement CommandElement(HelpPage page)
    {
        var dash = page.CommandName.IndexOf('-');
        return new XElement(Command + "command",
            new XElement(Command + "details",
                new XElement(Command + "name", page.CommandName),
                new XElement(Command + "verb", dash > 0 ? page.CommandName[..dash] : page.CommandName),
                new XElement(Command + "noun", dash > 0 ? page.CommandName[(dash + 1)..] : ""),
                Description(page.Synopsis)),
            Description(page.Description),
            new XElement(Command + "syntax", page.Syntax.Select(set => SyntaxItem(page, set))),
            new XElement(Command + "parameters",
                page.Parameters.Where(p => p.Metadata.Count > 0).Select(p => Parameter(p, p.Metadata[0], inSyntax: false))),
            new XElement(Command + "inputTypes", page.Inputs.Select(i => TypeEntry("inputType", i))),
            new XElement(Command + "returnValues", page.Outputs.Select(o => TypeEntry("returnValue", o))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(page.Notes))),
            new XElement(Command + "examples", page.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", Links(page).Select(link =>
                new XElement(Maml + "navigationLink",
                    new XElement(Maml + "linkText", link.Text),
                    new XElement(Maml + "uri", link.Uri)))));
    }

    /// <summary>
    /// A parameter set's syntax: its parameters in the order the page's syntax line shows them (the order
    /// Get-Command uses), each with the metadata block for that set.
    /// </summary>
    private static XElement SyntaxItem(HelpPage page, SyntaxBlock set)
    {
        var order = SyntaxParameterNames(set.Text);
        var members = page.Parameters
            .Select(p => (Parameter: p, Metadata: p.For(set.SetName)))
            .Where(m => m.Metadata is not null)
            .OrderBy(m => order.IndexOf(m.Parameter.Name) is var i and >= 0 ? i : int.MaxValue);
        return new XElement(Command + "syntaxItem",
            new XElement(Maml + "name", page.CommandName),
            members.Select(m => Parameter(m.Parameter, m.Metadata!, inSyntax: true)));
    }

    /// <summary>Parameter names as they appear in a syntax line: "[-Path] &lt;String[]&gt; [-Force]" gives Path, Force.</summary>
    public static List<string> SyntaxParameterNames(string syntax) =>
        SyntaxParameterPattern().Matches(syntax).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"(?<=^|[\s\[])-([A-Za-z][A-Za-z0-9]*)")]
    private static partial Regex SyntaxParameterPattern();

    private static XElement Parameter(HelpParameter parameter, ParameterMetadata metadata, bool inSyntax)
    {
        var type = metadata.IsSwitch ? "SwitchParameter" : metadata.Type;
        var element = new XElement(Command + "parameter",
            new XAttribute("required", Lower(metadata.Required)),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", Lower(metadata.AcceptsWildcards)),
            new XAttribute("pipelineInput", metadata.PipelineInput),
            new XAttribute("position", metadata.Position.ToLowerInvariant()),
            new XAttribute("aliases", metadata.Aliases.Count > 0 ? string.Join(", ", metadata.Aliases) : "none"),
            new XElement(Maml + "name", parameter.Name),
            Description(parameter.Description));
        if (inSyntax && metadata.AcceptedValues.Count > 0)
            element.Add(new XElement(Command + "parameterValueGroup", metadata.AcceptedValues.Select(value =>
                new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute("variableLength", "false"), value))));
        // Get-Help shows a switch in a syntax line as [-Name]: it must have no parameterValue there.
        if (!(inSyntax && metadata.IsSwitch))
            element.Add(new XElement(Command + "parameterValue",
                new XAttribute("required", Lower(!metadata.IsSwitch)),
                new XAttribute("variableLength", Lower(type.EndsWith("[]", StringComparison.Ordinal))),
                type));
        element.Add(
            new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", metadata.DefaultValue));
        return element;
    }

    private static XElement TypeEntry(string elementName, HelpTypeEntry entry) =>
        new(Command + elementName,
            new XElement(Dev + "type", new XElement(Maml + "name", entry.TypeName)),
            Description(entry.Description));

    private static XElement Example(HelpExample example) =>
        new(Command + "example",
            new XElement(Maml + "title", $"-------------------------- {example.Title} --------------------------"),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

    private static IEnumerable<HelpLink> Links(HelpPage page)
    {
        if (page.FrontMatterValue(HelpPage.OnlineVersionKey) is { Length: > 0 } online)
            yield return new HelpLink("Online Version:", online);
        foreach (var link in page.RelatedLinks) yield return link;
    }

    private static XElement Description(IEnumerable<string> paragraphs) => new(Maml + "description", Paragraphs(paragraphs));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) =>
        paragraphs.Select(p => new XElement(Maml + "para", p));

    private static string Lower(bool value) => value ? "true" : "false";
}
