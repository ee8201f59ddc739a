namespace LamassuOps.Tests.Fixtures;

/// <summary>Files of the checkout the tests were built from (found by walking up to LamassuOps.sln).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>C# sources under a folder of the checkout, without build output.</summary>
    public static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(Combine(folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "LamassuOps.sln"))) return directory.FullName;
        throw new InvalidOperationException($"No LamassuOps.sln above {AppContext.BaseDirectory}.");
    }
}
