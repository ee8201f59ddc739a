using System.Xml.Linq;

namespace LamassuOps.Cli;

/// <summary>One column or list line of a view: a property, or a PowerShell script block over <c>$_</c>, under a label.</summary>
public sealed record FormatItem(string Label, string? PropertyName, string? Script);

/// <summary>How to show one output type: the columns (table) or lines (list) its Format.ps1xml view names.</summary>
public sealed record FormatView(string TypeName, bool IsList, IReadOnlyList<FormatItem> Items)
{
    public FormatView(string typeName, bool isList, IReadOnlyList<string> properties)
        : this(typeName, isList, properties.Select(p => new FormatItem(p, p, null)).ToList())
    {
    }

    /// <summary>The properties the view shows directly.</summary>
    public IReadOnlyList<string> Properties => Items.Select(i => i.PropertyName).OfType<string>().ToList();
}

/// <summary>
/// Reads the module's *.Format.ps1xml default views, so a type's table looks the same in PowerShell
/// and in lamassuops and is declared once.
/// </summary>
public static class FormatViews
{
    public static IReadOnlyDictionary<string, FormatView> LoadDirectory(string directory)
    {
        var views = new Dictionary<string, FormatView>(StringComparer.Ordinal);
        if (!Directory.Exists(directory)) return views;
        foreach (var file in Directory.EnumerateFiles(directory, "*.Format.ps1xml").Order(StringComparer.Ordinal))
            Load(file, views);
        return views;
    }

    private static void Load(string path, Dictionary<string, FormatView> views)
    {
        foreach (var view in XDocument.Load(path).Descendants("View"))
        {
            var typeName = view.Element("ViewSelectedBy")?.Element("TypeName")?.Value;
            if (typeName is null || views.ContainsKey(typeName)) continue;
            var isList = view.Element("ListControl") is not null;
            var headers = view.Descendants("TableColumnHeader").Select(h => h.Element("Label")?.Value).ToList();
            var items = view.Descendants(isList ? "ListItem" : "TableColumnItem")
                .Select((item, i) => Item(item, isList ? null : headers.ElementAtOrDefault(i)))
                .OfType<FormatItem>()
                .ToList();
            if (items.Count > 0) views[typeName] = new FormatView(typeName, isList, items);
        }
    }

    private static FormatItem? Item(XElement item, string? header)
    {
        var property = item.Element("PropertyName")?.Value;
        var script = item.Element("ScriptBlock")?.Value;
        var label = item.Element("Label")?.Value ?? header ?? property;
        return label is null || (property is null && script is null) ? null : new FormatItem(label, property, script);
    }
}
