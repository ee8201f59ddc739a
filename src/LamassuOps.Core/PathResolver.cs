using System.IO.Enumeration;

namespace LamassuOps.Core;

/// <summary>File-system path expansion for hosts without a PowerShell provider (the lamassuops command).</summary>
public static class PathResolver
{
    private static readonly char[] WildcardCharacters = ['*', '?'];

    public static bool HasWildcard(string path) => path.IndexOfAny(WildcardCharacters) >= 0;

    /// <summary>
    /// Resolves <paramref name="path"/> against <paramref name="currentDirectory"/>. A literal path is returned
    /// as a full path whether or not it exists (the operation reports a missing file itself); a wildcard in
    /// the last segment expands to the matching files, sorted, and matching nothing is an error.
    /// </summary>
    public static IReadOnlyList<string> Resolve(string path, string currentDirectory, bool literal)
    {
        var full = Path.GetFullPath(path, currentDirectory);
        if (literal || !HasWildcard(path)) return [full];

        var directory = Path.GetDirectoryName(full) ?? currentDirectory;
        var pattern = Path.GetFileName(full);
        if (HasWildcard(directory))
            throw new LamassuOpsException("PathWildcardInDirectory", FailureKind.InvalidArgument,
                $"Wildcards are supported in the file name only, not in the directory part of '{path}'.", path);

        var matches = Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory)
                .Where(f => FileSystemName.MatchesSimpleExpression(pattern, Path.GetFileName(f), ignoreCase: false))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
        if (matches.Count == 0)
            throw new LamassuOpsException("PathNotFound", FailureKind.ObjectNotFound,
                $"No file matches '{path}'.", path);
        return matches;
    }
}
