namespace LamassuOps.Tests.Postgres.Support;

/// <summary>Places in the checkout the tests use.</summary>
public static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>tests/node: the real node-postgres with pg-connection-string >= 2.6.0 (npm ci'd by tests/prepare.sh).</summary>
    public static string NodeModulesNew => Path.Combine(RepositoryRoot, "tests", "node");

    /// <summary>tests/node/pg-old: pg 8.7.3 with pg-connection-string 2.5.0.</summary>
    public static string NodeModulesOld => Path.Combine(RepositoryRoot, "tests", "node", "pg-old");

    public static string NodeScript(string name) => Path.Combine(RepositoryRoot, "tests", "node", name);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "LamassuOps.sln"))) return directory.FullName;
        throw new InvalidOperationException("The tests run from a build output outside the checkout.");
    }
}
