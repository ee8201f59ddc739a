using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace LamassuOps.Loading;

/// <summary>
/// Run by PowerShell on Import-Module / Remove-Module. LamassuOps.Core is not beside LamassuOps.dll but in
/// <c>dependencies/</c>, so PowerShell's default context fails to find it and asks its Resolving event, which this
/// answers with the copy in <see cref="DependencyLoadContext"/> (the pattern of PSResourceGet's ModuleInitAndCleanup).
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly Lazy<DependencyLoadContext> Context = new(() =>
        new DependencyLoadContext(Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, DependencyLoadContext.FolderName)));

    public void OnImport()
    {
        // Unsubscribe first: importing the same module again must not answer twice.
        AssemblyLoadContext.Default.Resolving -= ResolveFromDependencies;
        AssemblyLoadContext.Default.Resolving += ResolveFromDependencies;
    }

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveFromDependencies;

    private static Assembly? ResolveFromDependencies(AssemblyLoadContext defaultContext, AssemblyName name) =>
        Context.Value.ResolveForDefaultContext(name);
}
