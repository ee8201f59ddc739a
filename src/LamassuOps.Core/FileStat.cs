using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LamassuOps.Core;

/// <summary>What kind of file a path names, as stat(2) sees it after following symbolic links.</summary>
public enum FileKind
{
    Missing,
    Regular,
    Directory,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,

    /// <summary>Symbolic links that lead back to themselves (ELOOP).</summary>
    SymlinkLoop,

    /// <summary>A symbolic link whose target does not exist: writing to it would create a file somewhere else.</summary>
    DanglingSymlink,

    /// <summary>A directory on the way cannot be searched by this user (EACCES).</summary>
    ParentAccessDenied,

    /// <summary>A component on the way is a file, not a directory (ENOTDIR).</summary>
    ParentNotDirectory,
}

/// <summary>
/// The identity and kind of a file, from statx(2) (a layout that is the same on every Linux architecture), so a
/// command can refuse a FIFO, socket or device before opening it (opening a FIFO blocks forever) and can tell
/// that two paths are one file (hard link, symbolic link, bind mount: same device and inode). Elsewhere it falls
/// back to what .NET can see.
/// </summary>
public readonly record struct FileStat(FileKind Kind, ulong Device, ulong Inode)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100, NoSuchFile = 2;
    private const uint StatxType = 0x1, StatxIno = 0x100;

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    public bool Exists => Kind is not (FileKind.Missing or FileKind.SymlinkLoop or FileKind.DanglingSymlink or FileKind.ParentAccessDenied
        or FileKind.ParentNotDirectory);

    /// <summary>True when both name the same existing file.</summary>
    public bool IsSameFileAs(FileStat other) => Exists && other.Exists && Device == other.Device && Inode == other.Inode;

    public static FileStat Of(string path)
    {
        if (!OperatingSystem.IsLinux()) return Fallback(path);
        var buffer = new byte[256];
        if (statx(AtFdCwd, path, 0, StatxType | StatxIno, buffer) != 0)
        {
            return new FileStat(Marshal.GetLastPInvokeError() switch
            {
                13 => FileKind.ParentAccessDenied,
                20 => FileKind.ParentNotDirectory,
                40 => FileKind.SymlinkLoop,
                NoSuchFile when IsSymbolicLink(path, buffer) => FileKind.DanglingSymlink,
                _ => FileKind.Missing,
            }, 0, 0);
        }
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
        var inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(32));
        var device = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(136)) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(140));
        return new FileStat((mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            _ => FileKind.Missing,
        }, device, inode);
    }

    /// <summary>Whether the path itself (not what it points to) is a symbolic link.</summary>
    private static bool IsSymbolicLink(string path, byte[] buffer) =>
        statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) == 0 && (BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28)) & 0xF000) == 0xA000;

    private static FileStat Fallback(string path) =>
        new(Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing, 0,
            (ulong)StringComparer.OrdinalIgnoreCase.GetHashCode(Path.GetFullPath(path)));

    /// <summary>"a FIFO (named pipe)", "a socket", ... for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Directory => "a directory",
        FileKind.SymlinkLoop => "a symbolic link loop",
        FileKind.DanglingSymlink => "a symbolic link to a file that does not exist",
        _ => "not a regular file",
    };
}
