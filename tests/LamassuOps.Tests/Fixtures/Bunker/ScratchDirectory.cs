namespace LamassuOps.Tests.Fixtures.Bunker;

/// <summary>A fresh directory under the system temp directory for one test, deleted with everything in it afterwards.</summary>
public sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lamassuops-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A path inside the directory (nothing is created).</summary>
    public string File(params string[] names) => System.IO.Path.Combine([Path, .. names]);

    public void Dispose()
    {
        if (!Directory.Exists(Path)) return;
        // Tests take permissions away; give them back so the tree can be removed.
        if (!OperatingSystem.IsWindows())
            foreach (var entry in Directory.EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories).Prepend(Path)
                         .Where(e => !new FileInfo(e).Attributes.HasFlag(FileAttributes.ReparsePoint))) // a link (maybe a loop) has no mode of its own
                System.IO.File.SetUnixFileMode(entry, Directory.Exists(entry)
                    ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.Delete(Path, recursive: true);
    }
}
