using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace LamassuOps.Loading;

/// <summary>
/// Where LamassuOps.Core and everything it needs (Npgsql, Microsoft.Data.Sqlite, SQLitePCLRaw and the native
/// e_sqlite3 library) run inside PowerShell: loaded from the module's <c>dependencies</c> folder into a context of
/// their own, so another module's Npgsql or SQLite in PowerShell's default context never conflicts with ours, and
/// ours never with theirs. Framework assemblies still come from the default context.
/// </summary>
public sealed class DependencyLoadContext : AssemblyLoadContext
{
    public const string FolderName = "dependencies";
    public const string CoreAssemblyName = "LamassuOps.Core";

    public DependencyLoadContext(string dependencyDirectory)
        : base("LamassuOps", isCollectible: false)
    {
        DependencyDirectory = Path.GetFullPath(dependencyDirectory);
    }

    public string DependencyDirectory { get; }

    /// <summary>
    /// For PowerShell's default context, which cannot find LamassuOps.Core beside the module: hands it the copy in
    /// this context (which then resolves Core's own dependencies here). Any other name is not ours to answer.
    /// </summary>
    public Assembly? ResolveForDefaultContext(AssemblyName name) =>
        string.Equals(name.Name, CoreAssemblyName, StringComparison.Ordinal) ? LoadFromAssemblyName(name) : null;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(DependencyDirectory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = NativeLibraryPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    /// <summary>
    /// The file for a native library name such as "e_sqlite3": runtimes/&lt;rid&gt;/native/libe_sqlite3.so for this
    /// platform (the layout NuGet packages and dotnet publish use), or null to let the runtime probe as usual.
    /// </summary>
    public string? NativeLibraryPath(string name) =>
        RuntimeIdentifiers()
            .SelectMany(rid => NativeFileNames(name).Select(file => Path.Combine(DependencyDirectory, "runtimes", rid, "native", file)))
            .Concat(NativeFileNames(name).Select(file => Path.Combine(DependencyDirectory, file)))
            .FirstOrDefault(File.Exists);

    /// <summary>This process's runtime identifiers, most specific first: linux-musl-arm64, linux-arm64; osx-x64; win-x64.</summary>
    public static IEnumerable<string> RuntimeIdentifiers()
    {
        var architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        if (OperatingSystem.IsWindows())
        {
            yield return "win-" + architecture;
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return "osx-" + architecture;
        }
        else
        {
            if (RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal)) yield return "linux-musl-" + architecture;
            yield return "linux-" + architecture;
        }
    }

    private static IEnumerable<string> NativeFileNames(string name)
    {
        if (Path.HasExtension(name)) yield return name;
        if (OperatingSystem.IsWindows())
        {
            yield return name + ".dll";
        }
        else
        {
            var extension = OperatingSystem.IsMacOS() ? ".dylib" : ".so";
            yield return "lib" + name + extension;
            yield return name + extension;
        }
    }
}
