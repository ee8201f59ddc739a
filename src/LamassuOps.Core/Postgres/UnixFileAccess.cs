using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LamassuOps.Core.Postgres;

/// <summary>A file's owner and group, as numeric ids.</summary>
internal readonly record struct UnixOwner(uint Uid, uint Gid);

/// <summary>What the current OS user may do with a path, as the kernel decides it (access(2)); owners and users.</summary>
internal static class UnixFileAccess
{
    private const int SearchOrExecute = 1;
    private const int AtFdCwd = -100;
    private const uint StatxUid = 0x8, StatxGid = 0x10;

    [DllImport("libc", SetLastError = true)]
    private static extern int access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    [DllImport("libc", SetLastError = true)]
    private static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    [DllImport("libc", SetLastError = true)]
    private static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr getpwnam([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    /// <summary>Whether the current user may pass through <paramref name="directory"/> (x permission), as connecting to a socket in it needs.</summary>
    public static bool CanSearch(string directory) => OperatingSystem.IsWindows() || access(directory, SearchOrExecute) == 0;

    /// <summary>The owner and group of an existing file (following symbolic links).</summary>
    public static UnixOwner OwnerOf(string path)
    {
        var buffer = new byte[256];
        if (statx(AtFdCwd, path, 0, StatxUid | StatxGid, buffer) != 0)
            throw new IOException($"Cannot read the owner of {path} (errno {Marshal.GetLastPInvokeError()}).");
        return new UnixOwner(BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(20)), BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(24)));
    }

    public static void SetOwner(string path, UnixOwner owner)
    {
        if (chown(path, owner.Uid, owner.Gid) != 0)
            throw new UnauthorizedAccessException($"Cannot give {path} the owner {owner.Uid}:{owner.Gid} (errno {Marshal.GetLastPInvokeError()}).");
    }

    /// <summary>A second name for an existing file (same inode: its bytes, owner, mode and times, kept exactly).</summary>
    public static void HardLink(string existing, string newPath)
    {
        if (link(existing, newPath) != 0)
            throw new IOException($"Cannot link {existing} as {newPath} (errno {Marshal.GetLastPInvokeError()}).");
    }

    /// <summary>Whether the OS user exists (the passwd database, NSS included).</summary>
    public static bool UserExists(string name) => !OperatingSystem.IsWindows() && getpwnam(name) != IntPtr.Zero;
}
