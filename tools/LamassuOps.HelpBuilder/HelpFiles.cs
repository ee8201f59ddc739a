namespace LamassuOps.HelpBuilder;

/// <summary>Where the pages and the MAML live in the checkout, and the generation from one to the other.</summary>
public static class HelpFiles
{
    public const string RegenerateCommand = "dotnet run --project tools/LamassuOps.HelpBuilder";
    public const string HelpFileName = "LamassuOps.dll-Help.xml";

    /// <summary>The MAML for every page in <paramref name="docsDirectory"/> (none yet gives an empty helpItems).</summary>
    /// <exception cref="HelpPageException">Every problem of every malformed page, by file.</exception>
    public static string Generate(string docsDirectory)
    {
        var files = Directory.Exists(docsDirectory)
            ? Directory.EnumerateFiles(docsDirectory, "*.md").Order(StringComparer.Ordinal).ToList()
            : [];
        var pages = new List<HelpPage>();
        var problems = new List<string>();
        foreach (var file in files)
        {
            try
            {
                pages.Add(HelpPageParser.ParseFile(file));
            }
            catch (HelpPageException error)
            {
                problems.Add(error.Message);
            }
        }
        if (problems.Count > 0) throw new HelpPageException(docsDirectory, problems);
        return MamlWriter.Write(pages);
    }

    public static string DocsDirectory(string root) => Path.Combine(root, "docs", "en-US");

    public static string OutputPath(string root) => Path.Combine(root, "en-US", HelpFileName);

    public static string? RepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "LamassuOps.sln"))) return directory.FullName;
        return null;
    }
}
