namespace LamassuOps.Core.Lamassu;

/// <summary>A deployed lamassu-server package: its layout and where the files the commands read are.</summary>
public sealed class LamassuPackage
{
    private LamassuPackage(string root, LamassuLayout layout)
    {
        Root = root;
        Layout = layout;
    }

    public string Root { get; }

    public LamassuLayout Layout { get; }

    /// <summary>The lamassu-server code itself: the package root (v10) or packages/server (v12).</summary>
    public string ServerDirectory => Layout == LamassuLayout.V10Root ? Root : Path.Combine(Root, "packages", "server");

    public string ConstantsFile => Path.Combine(ServerDirectory, "lib", "constants.js");

    public string MigrationsDirectory => Path.Combine(ServerDirectory, "migrations");

    /// <summary>packages/typesafe-db (v12), which builds its own copy of the database URL; null when absent.</summary>
    public string? TypesafeDbDirectory =>
        Layout == LamassuLayout.V12Packages && Directory.Exists(Path.Combine(Root, "packages", "typesafe-db"))
            ? Path.Combine(Root, "packages", "typesafe-db")
            : null;

    /// <summary>The node_modules trees lamassu loads from: the root one and, for v12, each package's own.</summary>
    public IEnumerable<string> NodeModulesDirectories
    {
        get
        {
            yield return Path.Combine(Root, "node_modules");
            var packages = Path.Combine(Root, "packages");
            if (Layout != LamassuLayout.V12Packages || !Directory.Exists(packages)) yield break;
            foreach (var package in Directory.EnumerateDirectories(packages).Order(StringComparer.Ordinal))
                yield return Path.Combine(package, "node_modules");
        }
    }

    /// <summary>NODE_PATH for the service, as in the nix-bitcoin wrapper.</summary>
    public IReadOnlyList<string> NodePath => Layout == LamassuLayout.V10Root
        ? [Path.Combine(Root, "node_modules")]
        : [Path.Combine(Root, "node_modules"), Path.Combine(ServerDirectory, "node_modules")];

    public static LamassuPackage Open(string path)
    {
        var root = Path.GetFullPath(path);
        if (!Directory.Exists(root))
            throw new LamassuOpsException("LamassuPackageNotFound", FailureKind.ObjectNotFound,
                $"The lamassu package directory {root} does not exist.", root,
                "Give the lamassu-server package path (on NixOS the store path of services.lamassu-server's package).");
        if (File.Exists(Path.Combine(root, "packages", "server", "lib", "constants.js")))
            return new LamassuPackage(root, LamassuLayout.V12Packages);
        if (File.Exists(Path.Combine(root, "lib", "constants.js")))
            return new LamassuPackage(root, LamassuLayout.V10Root);
        throw new LamassuOpsException("LamassuPackageLayoutUnknown", FailureKind.InvalidData,
            $"{root} is not a lamassu-server package: it has neither lib/constants.js (v10) nor packages/server/lib/constants.js (v12).", root,
            "Point -PackagePath at the directory that holds lamassu-server's package.json.");
    }

    /// <summary>A path relative to the package when it is inside, for short output; absolute otherwise.</summary>
    public string Relative(string path)
    {
        var relative = Path.GetRelativePath(Root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
