using System.Runtime;

namespace LamassuOps.Cli;

/// <summary>
/// .NET's multi-core JIT profile for one command: each run records the methods it had to compile (the generics and
/// dynamic code ReadyToRun cannot hold), and the next run of that command compiles them on a second core ahead of
/// use, about a quarter of a command's start-up (docs/benchmarks.md). pwsh keeps its own the same way, in
/// ~/.cache/powershell. Method names only: nothing of the command's arguments or data.
/// </summary>
internal static class StartupProfile
{
    /// <summary>Set to 1 to run without the profile (a read-only or audited home): nothing is written then.</summary>
    public const string OptOutVariable = "LAMASSUOPS_NO_STARTUP_PROFILE";

    private static string? _file;

    /// <summary>Starts recording (and, when one exists, using) the profile of <paramref name="command"/>, where the user's cache can hold it.</summary>
    public static void Start(string command)
    {
        if (Environment.GetEnvironmentVariable(OptOutVariable) == "1" || !IsCommandName(command)) return;
        if (CacheDirectory() is not { } directory) return;
        var name = command.ToLowerInvariant() + ".jitprofile";
        ProfileOptimization.SetProfileRoot(directory);
        ProfileOptimization.StartProfile(name);
        _file = Path.Combine(directory, name);
    }

    /// <summary>For a name that is no command: stopping writes what was recorded, so that is deleted, and no profile is left behind.</summary>
    public static void Discard()
    {
        if (_file is null) return;
        ProfileOptimization.StartProfile(null);
        File.Delete(_file);
        _file = null;
    }

    /// <summary>$XDG_CACHE_HOME/lamassuops, else ~/.cache/lamassuops, private to the user; null where it cannot be made (a service without a home) or on Windows.</summary>
    private static string? CacheDirectory()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
            ? xdg
            : Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home && Path.IsPathRooted(home) ? Path.Combine(home, ".cache") : null;
        if (cache is null || OperatingSystem.IsWindows()) return null;
        var directory = Path.Combine(cache, "lamassuops");
        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return directory;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Verb-Noun in ASCII letters: a profile is named after it, so nothing else names a file.</summary>
    private static bool IsCommandName(string name) =>
        name.Split('-') is [{ Length: > 0 } verb, { Length: > 0 } noun] && (verb + noun).All(char.IsAsciiLetter);
}
