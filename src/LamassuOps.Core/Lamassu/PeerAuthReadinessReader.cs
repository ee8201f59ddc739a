using System.Text.Json;
using System.Text.RegularExpressions;

namespace LamassuOps.Core.Lamassu;

/// <summary>
/// Reads a deployed lamassu-server package (the nix store path) and works out which database modes it supports:
/// the DATABASE_URL patch in constants.js and in typesafe-db's compiled output, and the pg-connection-string each
/// copy of node-postgres loads (node's own resolution: the pg directory's node_modules, then each parent's).
/// </summary>
public static partial class PeerAuthReadinessReader
{
    /// <summary>The first pg-connection-string that decodes a percent-encoded socket host.</summary>
    public static readonly Version EncodedSocketHostVersion = new(2, 6, 0);

    [GeneratedRegex(@"process\.env\s*(\.\s*DATABASE_URL\b|\[\s*['""`]DATABASE_URL['""`]\s*\])|\{[^{}]*\bDATABASE_URL\b[^{}]*\}\s*=\s*process\.env")]
    private static partial Regex ReadsDatabaseUrl();

    /// <summary>A file that builds a postgres URL from the POSTGRES_* variables.</summary>
    [GeneratedRegex(@"POSTGRES_HOST|postgres(ql)?://")]
    private static partial Regex BuildsPostgresUrl();

    public static LamassuPeerAuthReadiness Read(string packagePath, IOperationHost host)
    {
        var package = LamassuPackage.Open(packagePath);
        var reasons = new List<string>();

        var constantsReadsUrl = ReadsDatabaseUrl().IsMatch(File.ReadAllText(package.ConstantsFile));
        reasons.Add(constantsReadsUrl
            ? $"{package.Relative(package.ConstantsFile)} reads DATABASE_URL."
            : $"{package.Relative(package.ConstantsFile)} builds the URL from POSTGRES_* only (no DATABASE_URL patch).");

        var (typesafeFiles, typesafeReadsUrl) = ReadTypesafeDb(package, reasons);
        var supportsDatabaseUrl = constantsReadsUrl && typesafeReadsUrl != false;

        var uses = FindPgConnectionStrings(package, host);
        foreach (var use in uses)
            reasons.Add(use.Path is null
                ? $"{use.PgPath} (pg {use.PgVersion}) cannot resolve pg-connection-string."
                : $"{use.PgPath} (pg {use.PgVersion}) loads pg-connection-string {use.Version} from {use.Path}: " +
                  (use.DecodesEncodedSocketHost ? "decodes a %2F socket host." : $"older than {EncodedSocketHostVersion}, reads %2Frun%2Fpostgresql:5432 as one host name."));
        if (uses.Count == 0) reasons.Add("No node-postgres (pg) found under node_modules: is this a built package?");
        var supportsEncodedHost = uses.Count > 0 && uses.All(u => u.DecodesEncodedSocketHost);

        var recommended = supportsDatabaseUrl ? LamassuDatabaseMode.DatabaseUrl
            : supportsEncodedHost ? LamassuDatabaseMode.EncodedSocketHost
            : LamassuDatabaseMode.PasswordTcp;
        reasons.Add(recommended switch
        {
            LamassuDatabaseMode.DatabaseUrl => "Recommended: DatabaseUrl (peer authentication through the DATABASE_URL patch).",
            LamassuDatabaseMode.EncodedSocketHost => "Recommended: EncodedSocketHost (peer authentication, unpatched: every pg-connection-string decodes the encoded socket host).",
            _ => "Recommended: PasswordTcp (no peer-capable mode: apply the DATABASE_URL patch to every URL builder, or update pg to 8.11+ / pg-connection-string 2.6.0+).",
        });

        return new LamassuPeerAuthReadiness
        {
            PackagePath = package.Root,
            Layout = package.Layout,
            ConstantsFile = package.Relative(package.ConstantsFile),
            ConstantsReadsDatabaseUrl = constantsReadsUrl,
            TypesafeDbFiles = typesafeFiles,
            TypesafeDbReadsDatabaseUrl = typesafeReadsUrl,
            PgConnectionStrings = uses,
            SupportsDatabaseUrl = supportsDatabaseUrl,
            SupportsEncodedSocketHost = supportsEncodedHost,
            RecommendedMode = recommended,
            Reasons = reasons,
        };
    }

    /// <summary>The peer mode to write for a package: the one given, or with Auto the package's; PeerAuthNotSupported when it has none.</summary>
    public static LamassuDatabaseMode PeerMode(LamassuPackage package, LamassuDatabaseMode mode, IOperationHost host)
    {
        if (mode != LamassuDatabaseMode.Auto) return mode;
        var readiness = Read(package.Root, host);
        if (readiness.RecommendedMode != LamassuDatabaseMode.PasswordTcp) return readiness.RecommendedMode;
        throw new LamassuOpsException("PeerAuthNotSupported", FailureKind.InvalidOperation,
            $"The package at {package.Root} supports no peer mode: {string.Join(" ", readiness.Reasons.SkipLast(1))} Nothing was changed.", package.Root,
            "Apply the DATABASE_URL patch to constants.js and typesafe-db, or update pg to 8.11+ (pg-connection-string 2.6.0+); " +
            "or give -Mode DatabaseUrl for the patched package you will deploy.");
    }

    /// <summary>v12's typesafe-db builds its own URL: what runs is its compiled output (dist/ or lib/), not src/db.ts.</summary>
    private static (IReadOnlyList<string> Files, bool? ReadsUrl) ReadTypesafeDb(LamassuPackage package, List<string> reasons)
    {
        if (package.TypesafeDbDirectory is not { } directory) return ([], null);
        var builders = new[] { "dist", "lib" }
            .Select(output => Path.Combine(directory, output))
            .Where(Directory.Exists)
            .SelectMany(output => Directory.EnumerateFiles(output, "*.js", SearchOption.AllDirectories))
            .Where(file => BuildsPostgresUrl().IsMatch(File.ReadAllText(file)))
            .Order(StringComparer.Ordinal)
            .ToList();
        var source = Path.Combine(directory, "src", "db.ts");
        if (builders.Count == 0)
        {
            reasons.Add($"{package.Relative(directory)} has no compiled file that builds a postgres URL (dist/ or lib/): DATABASE_URL support cannot be confirmed.");
            return ([], false);
        }
        var unpatched = builders.Where(file => !ReadsDatabaseUrl().IsMatch(File.ReadAllText(file))).ToList();
        foreach (var file in unpatched)
            reasons.Add($"{package.Relative(file)} builds its own URL without DATABASE_URL" +
                (File.Exists(source) && ReadsDatabaseUrl().IsMatch(File.ReadAllText(source)) ? " (src/db.ts is patched but was not rebuilt)." : "."));
        if (unpatched.Count == 0) reasons.Add($"{string.Join(", ", builders.Select(package.Relative))} read{(builders.Count == 1 ? "s" : "")} DATABASE_URL.");
        return (builders.Select(package.Relative).ToList(), unpatched.Count == 0);
    }

    private static List<PgConnectionStringUse> FindPgConnectionStrings(LamassuPackage package, IOperationHost host)
    {
        var uses = new List<PgConnectionStringUse>();
        foreach (var pg in FindPackages(package.NodeModulesDirectories, "pg"))
        {
            host.CancellationToken.ThrowIfCancellationRequested();
            var resolved = Resolve(pg, "pg-connection-string");
            var version = resolved is null ? null : PackageVersion(resolved);
            uses.Add(new PgConnectionStringUse
            {
                PgPath = package.Relative(pg),
                PgVersion = PackageVersion(pg) ?? "unknown",
                Path = resolved is null ? null : package.Relative(resolved),
                Version = version,
                DecodesEncodedSocketHost = ParseVersion(version) is { } parsed && parsed >= EncodedSocketHostVersion,
            });
        }
        return uses.OrderBy(u => u.PgPath, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every installed package named <paramref name="name"/> in these node_modules trees, nested ones included.</summary>
    private static IEnumerable<string> FindPackages(IEnumerable<string> nodeModulesDirectories, string name)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(nodeModulesDirectories.Where(Directory.Exists));
        while (pending.Count > 0)
        {
            var nodeModules = pending.Pop();
            if (!seen.Add(RealPath(nodeModules))) continue;
            foreach (var entry in Directory.EnumerateDirectories(nodeModules))
            {
                var packages = Path.GetFileName(entry).StartsWith('@') ? Directory.EnumerateDirectories(entry) : [entry];
                foreach (var candidate in packages)
                {
                    // Workspace symlinks can reach one install along several paths: report it once.
                    if (Path.GetFileName(candidate) == name && File.Exists(Path.Combine(candidate, "package.json")) && found.Add(RealPath(candidate)))
                        yield return RealPath(candidate);
                    var nested = Path.Combine(candidate, "node_modules");
                    if (Directory.Exists(nested)) pending.Push(nested);
                }
            }
        }
    }

    /// <summary>Node's lookup from a package directory: its node_modules, then node_modules in each parent directory (by real path).</summary>
    private static string? Resolve(string fromPackage, string name)
    {
        for (var directory = new DirectoryInfo(RealPath(fromPackage)); directory is not null; directory = directory.Parent)
        {
            if (directory.Name == "node_modules") continue;
            var candidate = Path.Combine(directory.FullName, "node_modules", name);
            if (File.Exists(Path.Combine(candidate, "package.json"))) return RealPath(candidate);
        }
        return null;
    }

    private static string RealPath(string path)
    {
        var info = new DirectoryInfo(path);
        return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName is { } target
            ? RealPath(target)
            : info.Parent is { } parent && parent.FullName != info.FullName ? Path.Combine(RealPath(parent.FullName), info.Name) : info.FullName;
    }

    private static string? PackageVersion(string packageDirectory)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(packageDirectory, "package.json")));
            return json.RootElement.TryGetProperty("version", out var version) ? version.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The numeric part of a semver ("2.7.1-alpha.0" is 2.7.1).</summary>
    private static Version? ParseVersion(string? text)
    {
        if (text is null) return null;
        var core = text.Split('-', '+')[0];
        return Version.TryParse(core, out var version) ? version : null;
    }
}
