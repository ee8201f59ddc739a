using System.Runtime.InteropServices;

namespace LamassuOps.Core.Postgres;

/// <summary>What the current OS user may do with a path, as the kernel decides it (access(2)).</summary>
internal static class UnixFileAccess
{
    private const int SearchOrExecute = 1;

    [DllImport("libc", SetLastError = true)]
    private static extern int access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);

    /// <summary>Whether the current user may pass through <paramref name="directory"/> (x permission), as connecting to a socket in it needs.</summary>
    public static bool CanSearch(string directory) => OperatingSystem.IsWindows() || access(directory, SearchOrExecute) == 0;
}
