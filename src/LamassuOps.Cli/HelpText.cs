using System.Text;
using System.Xml.Linq;

namespace LamassuOps.Cli;

/// <summary>
/// lamassuops help. Syntax comes from the cmdlet attributes; synopses and parameter descriptions from the
/// module's MAML help (en-US/LamassuOps.dll-Help.xml), the same text Get-Help shows.
/// </summary>
public sealed class HelpText
{
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private readonly Dictionary<string, XElement> _commands;

    public HelpText(string mamlPath)
    {
        _commands = File.Exists(mamlPath)
            ? XDocument.Load(mamlPath).Descendants(Command + "command")
                .Where(c => c.Element(Command + "details")?.Element(Command + "name") is not null)
                .ToDictionary(c => c.Element(Command + "details")!.Element(Command + "name")!.Value.Trim(), StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, XElement>(StringComparer.OrdinalIgnoreCase);
    }

    public string Synopsis(string commandName) =>
        _commands.TryGetValue(commandName, out var command)
            ? Paragraphs(command.Element(Command + "details")?.Element(Maml + "description"))
            : "";

    public string Overview(IEnumerable<CommandDefinition> commands)
    {
        var text = new StringBuilder();
        text.AppendLine("lamassuops: operations tooling for lamassu-server and nsecbunkerd on nix-bitcoin hosts.");
        text.AppendLine();
        text.AppendLine("Usage: lamassuops <command> [--parameter value ...] [--json] [--verbose]");
        text.AppendLine("       lamassuops <command> --help");
        text.AppendLine();
        text.AppendLine("Commands (the same as the LamassuOps PowerShell cmdlets):");
        var list = commands.ToList();
        var width = list.Count == 0 ? 0 : list.Max(c => c.Name.Length);
        foreach (var command in list) text.AppendLine($"  {command.Name.PadRight(width)}  {Synopsis(command.Name)}".TrimEnd());
        text.AppendLine();
        text.AppendLine("Output is a table by default; --json writes one JSON object per line. Exit code 0 on success,");
        text.AppendLine("1 when the command reported an error, 2 for a usage error; errors go to stderr as 'lamassuops: <ErrorId>: <message>'.");
        return text.ToString();
    }

    public string ForCommand(CommandDefinition definition)
    {
        var text = new StringBuilder();
        text.AppendLine(definition.Name);
        var synopsis = Synopsis(definition.Name);
        if (synopsis.Length > 0) text.AppendLine("  " + synopsis);
        text.AppendLine();
        text.AppendLine("Syntax:");
        foreach (var set in definition.ParameterSetNames) text.AppendLine("  " + Syntax(definition, set));
        text.AppendLine();
        text.AppendLine("Parameters:");
        foreach (var parameter in definition.Parameters)
        {
            var aliases = parameter.Aliases.Count > 0 ? $" (alias {string.Join(", ", parameter.Aliases.Select(a => "--" + CommandCatalog.ToKebabCase(a)))})" : "";
            text.AppendLine($"  {parameter.OptionName} {ValueHint(parameter)}".TrimEnd() + aliases);
            var description = ParameterDescription(definition.Name, parameter.Name);
            if (description.Length > 0) text.AppendLine("      " + description);
        }
        text.AppendLine("  --json       one JSON object per line instead of a table");
        text.AppendLine("  --verbose    say what is being done, on stderr");
        if (definition.SupportsShouldProcess)
        {
            text.AppendLine("  --what-if    say what would change, change nothing");
            text.AppendLine("  --confirm    ask before each change (--confirm:false never asks)");
        }
        return text.ToString();
    }

    private static string Syntax(CommandDefinition definition, string set)
    {
        var parts = new List<string> { "lamassuops " + definition.Name };
        foreach (var parameter in definition.Parameters.Where(p => p.InSet(set)))
        {
            var entry = parameter.EntryFor(set)!;
            var hint = ValueHint(parameter);
            var part = hint.Length > 0 ? $"{parameter.OptionName} {hint}" : parameter.OptionName;
            parts.Add(entry.Mandatory ? part : $"[{part}]");
        }
        if (definition.SupportsShouldProcess) parts.Add("[--what-if] [--confirm]");
        parts.Add("[--json]");
        return string.Join(" ", parts);
    }

    private static string ValueHint(CommandParameter parameter)
    {
        if (parameter.IsSwitch) return "";
        if (parameter.ValidValues.Count > 0) return "{" + string.Join("|", parameter.ValidValues) + "}";
        var type = parameter.Type.IsArray ? parameter.Type.GetElementType()! : parameter.Type;
        type = Nullable.GetUnderlyingType(type) ?? type;
        var name = type.IsEnum ? "{" + string.Join("|", Enum.GetNames(type)) + "}" : "<" + type.Name + ">";
        return parameter.Type.IsArray ? name + "..." : name;
    }

    private string ParameterDescription(string commandName, string parameterName) =>
        _commands.TryGetValue(commandName, out var command)
            ? Paragraphs(command.Element(Command + "parameters")?.Elements(Command + "parameter")
                .FirstOrDefault(p => string.Equals(p.Element(Maml + "name")?.Value.Trim(), parameterName, StringComparison.OrdinalIgnoreCase))
                ?.Element(Maml + "description"))
            : "";

    private static string Paragraphs(XElement? description) =>
        description is null ? "" : string.Join(" ", description.Elements(Maml + "para").Select(p => p.Value.Trim()).Where(p => p.Length > 0));
}
