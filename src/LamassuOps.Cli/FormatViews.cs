using System.Xml.Linq;

namespace LamassuOps.Cli;

/// <summary>How to show one output type: the columns (table) or lines (list) its Format.ps1xml view names.</summary>
public sealed record FormatView(string TypeName, bool IsList, IReadOnlyList<string> Properties);

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
            var properties = view.Descendants(isList ? "ListItem" : "TableColumnItem")
                .Select(item => item.Element("PropertyName")?.Value)
                .OfType<string>()
                .ToList();
            if (properties.Count > 0) views[typeName] = new FormatView(typeName, isList, properties);
        }
    }
}
