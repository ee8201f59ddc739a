using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using LamassuOps.Core;
using LamassuOps.Loading;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Packaging;

/// <summary>
/// The module folder as build/Package.proj lays it out (the test build runs it into bin/.../module/), and the
/// AssemblyLoadContext the module loads LamassuOps.Core into: Core, Npgsql and Microsoft.Data.Sqlite from the
/// package's dependencies folder, isolated from the copies this test process already has, with the native SQLite
/// library resolved from the package and a real database opened through it.
/// </summary>
public sealed class ModulePackageTests
{
    private static readonly string ModuleDirectory =
        Path.Combine(AppContext.BaseDirectory, "module", "LamassuOps", ModuleManifest.Load().Value("ModuleVersion")!);

    private static readonly string DependencyDirectory = Path.Combine(ModuleDirectory, DependencyLoadContext.FolderName);

    /// <summary>One context for the whole test class: a non-collectible context cannot be unloaded.</summary>
    private static readonly Lazy<DependencyLoadContext> Context = new(() => new DependencyLoadContext(DependencyDirectory));

    private static IEnumerable<string> RelativeFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(ModuleDirectory, f).Replace('\\', '/'));

    [Fact]
    public void TheModuleFolderHoldsTheManifestTheModuleHelpFormatsAndDependencies()
    {
        var files = RelativeFiles(ModuleDirectory).ToHashSet();

        Assert.Contains("LamassuOps.psd1", files);
        Assert.Contains("LamassuOps.dll", files);
        Assert.Contains("en-US/LamassuOps.dll-Help.xml", files);
        Assert.Contains("en-US/about_LamassuOps.help.txt", files);
        foreach (var format in Directory.EnumerateFiles(RepositoryPaths.Combine("formats"), "*.Format.ps1xml"))
            Assert.Contains("formats/" + Path.GetFileName(format), files);
        foreach (var dependency in new[] { "LamassuOps.Core.dll", "Npgsql.dll", "Microsoft.Data.Sqlite.dll", "SQLitePCLRaw.core.dll", "SQLitePCLRaw.provider.e_sqlite3.dll" })
            Assert.Contains("dependencies/" + dependency, files);
        foreach (var native in new[] { "linux-x64/native/libe_sqlite3.so", "linux-arm64/native/libe_sqlite3.so", "linux-musl-x64/native/libe_sqlite3.so",
                     "osx-arm64/native/libe_sqlite3.dylib", "win-x64/native/e_sqlite3.dll" })
            Assert.Contains("dependencies/runtimes/" + native, files);
        Assert.Equal(File.ReadAllText(RepositoryPaths.Combine("LamassuOps.psd1")), File.ReadAllText(Path.Combine(ModuleDirectory, "LamassuOps.psd1")));
    }

    [Fact]
    public void NothingBesideTheModuleAssemblyCouldBeLoadedIntoPowerShellsDefaultContext()
    {
        var rootAssemblies = Directory.EnumerateFiles(ModuleDirectory, "*.dll").Select(Path.GetFileName);

        // Core or Npgsql beside LamassuOps.dll would be loaded by PowerShell itself, into the shared context.
        Assert.Equal(["LamassuOps.dll"], rootAssemblies);
        Assert.DoesNotContain(RelativeFiles(ModuleDirectory), f => f.EndsWith("System.Management.Automation.dll", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryPublicModuleTypeLaysOutWhereNoDependencyCanBeFound()
    {
        // Import-Module lays out the module's public types before OnImport hooks the resolver up, so one that needs
        // Core, Npgsql or SQLite to be laid out (a base type, an interface, a field or property of a Core type) breaks
        // the import. Here the packaged LamassuOps.dll is loaded where those cannot be found, as PowerShell finds it.
        var context = new DependenciesUnreachableContext(DependencyDirectory);
        try
        {
            var module = context.LoadFromAssemblyPath(Path.Combine(ModuleDirectory, "LamassuOps.dll"));
            var failures = new List<string>();
            foreach (var type in module.GetExportedTypes())
            {
                try
                {
                    LayOut(type);
                }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException or TypeLoadException)
                {
                    failures.Add($"{type.FullName}: {e.Message}");
                }
            }

            Assert.Empty(failures);
            Assert.Contains(module.GetExportedTypes(), t => t.Name == "NewLamassuEnvWrapperCommand");
            Assert.Throws<FileNotFoundException>(() => context.LoadFromAssemblyName(new AssemblyName("LamassuOps.Core")));
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>What the type loader does to lay a type out (its ancestry, its fields' sizes), forced.</summary>
    private static void LayOut(Type type)
    {
        RuntimeHelpers.RunClassConstructor(type.TypeHandle);
        _ = type.GetInterfaces();
        if (!type.IsAbstract && !type.IsInterface && !type.ContainsGenericParameters) _ = RuntimeHelpers.GetUninitializedObject(type);
    }

    /// <summary>Resolves the platform and System.Management.Automation; every assembly the package keeps in dependencies/ is not found.</summary>
    private sealed class DependenciesUnreachableContext(string dependencyDirectory) : AssemblyLoadContext("no-dependencies", isCollectible: true)
    {
        protected override Assembly? Load(AssemblyName name) =>
            File.Exists(Path.Combine(dependencyDirectory, name.Name + ".dll"))
                ? throw new FileNotFoundException($"{name.Name} is only in the module's dependencies folder.")
                : null;
    }

    [Fact]
    public void OnlyThePlatformsPowerShellRunsOnAreShipped()
    {
        var runtimes = Directory.EnumerateDirectories(Path.Combine(DependencyDirectory, "runtimes")).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(["linux-arm", "linux-arm64", "linux-musl-arm64", "linux-musl-x64", "linux-x64", "osx-arm64", "osx-x64", "win-arm64", "win-x64", "win-x86"], runtimes);
    }

    [Fact]
    public void CoreLoadsIntoItsOwnContextFromTheDependenciesFolder()
    {
        var core = Context.Value.ResolveForDefaultContext(new AssemblyName("LamassuOps.Core"));

        Assert.NotNull(core);
        Assert.Same(Context.Value, AssemblyLoadContext.GetLoadContext(core));
        Assert.Equal(Path.Combine(DependencyDirectory, "LamassuOps.Core.dll"), core.Location);
        Assert.NotSame(typeof(LamassuOpsException).Assembly, core); // this process's own Core stays separate
        Assert.Null(Context.Value.ResolveForDefaultContext(new AssemblyName("Npgsql"))); // only Core is bridged
        Assert.Null(Context.Value.ResolveForDefaultContext(new AssemblyName("Some.Other.Module")));
    }

    [Fact]
    public void CoresDependenciesResolveInsideTheContextNotFromTheDefaultOne()
    {
        var core = Context.Value.LoadFromAssemblyName(new AssemblyName("LamassuOps.Core"));

        foreach (var name in new[] { "Npgsql", "Microsoft.Data.Sqlite" })
        {
            var reference = core.GetReferencedAssemblies().Single(a => a.Name == name);
            var loaded = Context.Value.LoadFromAssemblyName(reference);
            var defaultCopy = AssemblyLoadContext.Default.LoadFromAssemblyName(reference);

            Assert.Same(Context.Value, AssemblyLoadContext.GetLoadContext(loaded));
            Assert.Equal(Path.Combine(DependencyDirectory, name + ".dll"), loaded.Location);
            Assert.NotSame(defaultCopy, loaded);
        }
        Assert.Same(typeof(object).Assembly, Context.Value.LoadFromAssemblyName(typeof(object).Assembly.GetName()));
    }

    [Fact]
    public void TheNativeSqliteLibraryIsFoundInThePackageForThisPlatform()
    {
        var path = Context.Value.NativeLibraryPath("e_sqlite3");

        Assert.NotNull(path);
        Assert.StartsWith(Path.Combine(DependencyDirectory, "runtimes", DependencyLoadContext.RuntimeIdentifiers().Last()), path);
        Assert.Null(Context.Value.NativeLibraryPath("no_such_library"));
    }

    [Fact]
    public void ARealSqliteDatabaseOpensThroughTheContext()
    {
        var file = Path.Combine(Path.GetTempPath(), $"lamassuops-alc-{Guid.NewGuid():N}.db");
        try
        {
            var core = Context.Value.LoadFromAssemblyName(new AssemblyName("LamassuOps.Core"));
            var sqlite = Context.Value.LoadFromAssemblyName(core.GetReferencedAssemblies().Single(a => a.Name == "Microsoft.Data.Sqlite"));
            var connectionType = sqlite.GetType("Microsoft.Data.Sqlite.SqliteConnection", throwOnError: true)!;

            using (var connection = (System.Data.Common.DbConnection)Activator.CreateInstance(connectionType, $"Data Source={file}")!)
            {
                connection.Open();
                Execute(connection, "CREATE TABLE KeyUser (id INTEGER PRIMARY KEY, keyName TEXT NOT NULL)");
                Execute(connection, "INSERT INTO KeyUser (keyName) VALUES ('alice')");
                using var query = connection.CreateCommand();
                query.CommandText = "SELECT keyName || ' ' || sqlite_version() FROM KeyUser";
                var row = (string)query.ExecuteScalar()!;

                Assert.StartsWith("alice 3.", row);
            }

            // The e_sqlite3 this process mapped for it is the package's copy.
            var mapped = File.ReadAllLines("/proc/self/maps").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last());
            Assert.Contains(Context.Value.NativeLibraryPath("e_sqlite3"), mapped);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void Execute(System.Data.Common.DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
