using System.Security.Cryptography;

namespace LamassuOps.Tests.Fixtures.Bunker;

/// <summary>
/// What a file and its directory looked like: content hash, length, modification time, and the directory's
/// entries (so a journal, -wal or -shm file left behind, or a file created where none was, shows up).
/// </summary>
public sealed record FileSnapshot(string Path, bool Exists, string? Sha256, long Length, DateTime LastWriteTimeUtc, string Entries)
{
    public static FileSnapshot Take(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path)!;
        var entries = Directory.Exists(directory)
            ? string.Join("\n", Directory.EnumerateFileSystemEntries(directory).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal))
            : "";
        if (!File.Exists(path)) return new FileSnapshot(path, File.Exists(path) || Directory.Exists(path), null, 0, default, entries);
        var bytes = File.ReadAllBytes(path);
        return new FileSnapshot(path, true, Convert.ToHexString(SHA256.HashData(bytes)), bytes.Length, File.GetLastWriteTimeUtc(path), entries);
    }

    /// <summary>Fails the test when the file (or its directory listing) is not exactly as it was.</summary>
    public void AssertUnchanged() => Assert.Equal(this, Take(Path));
}
