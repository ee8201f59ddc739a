using LamassuOps.Tests.Fixtures;
using System.Text.Json;

namespace LamassuOps.Tests.Postgres.Support;

/// <summary>What the real node-postgres made of a URL (tests/node/parse-url.js): pg-connection-string's parse and pg's resolved parameters.</summary>
public sealed record NodeParse(string Url, bool Ok, string? Error, NodeParts? Raw, NodeParts? Resolved);

public sealed record NodeParts(string? Host, string? Port, string? User, string? Database, string? Password);

public static class NodePostgres
{
    /// <summary>Parses every URL with the pg and pg-connection-string installed in <paramref name="moduleDirectory"/>, with no PG* variables and USER=<paramref name="user"/>.</summary>
    public static IReadOnlyList<NodeParse> Parse(IReadOnlyList<string> urls, string moduleDirectory, string user = "root")
    {
        var environment = new Dictionary<string, string?>
        {
            ["PGHOST"] = null, ["PGPORT"] = null, ["PGUSER"] = null, ["PGDATABASE"] = null, ["PGPASSWORD"] = null,
            ["USER"] = user,
        };
        var result = ExternalProcess.Run("node", [TestPaths.NodeScript("parse-url.js"), moduleDirectory],
            JsonSerializer.Serialize(urls), environment);
        Assert.True(result.ExitCode == 0, result.Describe());
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        return JsonSerializer.Deserialize<List<NodeParse>>(result.Stdout, options)!;
    }
}
