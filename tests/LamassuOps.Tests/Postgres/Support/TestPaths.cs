using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Postgres.Support;

/// <summary>The node-postgres installs under tests/node (npm ci'd by tests/prepare.sh from their lock files).</summary>
public static class TestPaths
{
    /// <summary>tests/node: pg 8.16 with pg-connection-string 2.9 (>= 2.6.0, decodes a %2F socket host).</summary>
    public static string NodeModulesNew => RepositoryPaths.Combine("tests", "node");

    /// <summary>tests/node/pg-old: pg 8.7.3 with pg-connection-string 2.5.0.</summary>
    public static string NodeModulesOld => RepositoryPaths.Combine("tests", "node", "pg-old");

    public static string NodeScript(string name) => RepositoryPaths.Combine("tests", "node", name);
}
