namespace LamassuOps.Core;

/// <summary>The error ids of paths that name no usable file, whatever the command.</summary>
public static class PathErrors
{
    public const string PathNotRegularFile = "PathNotRegularFile";
    public const string PathParentAccessDenied = "PathParentAccessDenied";

    public static LamassuOpsException NotRegularFile(string path, FileKind kind) => new(PathNotRegularFile, FailureKind.InvalidArgument,
        $"'{path}' is {FileStat.Describe(kind)}, not a regular file; it was not opened.", path,
        kind is FileKind.SymlinkLoop or FileKind.DanglingSymlink
            ? "Fix the symbolic links on the way (`namei -l <path>` shows them) or give the real file."
            : "Give the path of the file itself (`ls -l` shows its type in the first column: '-' is a regular file).");

    public static LamassuOpsException ParentAccessDenied(string path) => new(PathParentAccessDenied, FailureKind.PermissionDenied,
        $"Permission denied on a directory on the way to '{path}': this user cannot search it, so whether the file exists cannot be known.",
        path, "Run as the user that owns the directory (or with sudo), or grant it search (x) permission: `namei -l <path>` shows which one.");
}
