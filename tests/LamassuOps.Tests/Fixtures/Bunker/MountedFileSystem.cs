namespace LamassuOps.Tests.Fixtures.Bunker;

/// <summary>
/// A small tmpfs mounted on a fresh directory (needs root, as the tests run here and in CI): a full disk with
/// <c>size=64k</c>, a read-only file system with <c>ro</c>. Unmounted and removed on dispose.
/// </summary>
public sealed class MountedFileSystem : IDisposable
{
    private MountedFileSystem(string path) => Path = path;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public static MountedFileSystem Tmpfs(string options)
    {
        var path = Directory.CreateTempSubdirectory("lamassuops-mount-").FullName;
        ExternalProcess.RunChecked("mount", "-t", "tmpfs", "-o", options, "tmpfs", path);
        return new MountedFileSystem(path);
    }

    /// <summary>The names of the entries in the mounted directory, hidden ones included.</summary>
    public IReadOnlyList<string> Entries() =>
        Directory.EnumerateFileSystemEntries(Path).Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    public void Dispose()
    {
        ExternalProcess.Run("umount", [Path]);
        Directory.Delete(Path, recursive: true);
    }
}
