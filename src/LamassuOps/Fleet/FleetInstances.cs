using System.Collections;
using System.Management.Automation;
using LamassuOps.Core;
using LamassuOps.Core.Fleet;

namespace LamassuOps.Fleet;

/// <summary>
/// Instances given to a cmdlet: an inventory's <see cref="LamassuOpsInstance"/>, or any object (a deserialised one
/// back from remoting, a [pscustomobject], a hashtable) with the same property names. Also runs a command over them:
/// the local ones here through <c>local</c>, the remote ones where their files are through <see cref="RemoteInstance"/>.
/// </summary>
internal static class FleetInstances
{
    public const string InstanceNameMissing = "InstanceNameMissing";

    public static LamassuOpsInstance From(PSObject value)
    {
        if (value.BaseObject is LamassuOpsInstance instance) return instance;
        var read = value.BaseObject is IDictionary dictionary ? FromDictionary(dictionary) : FromProperties(value);
        var name = read("Name") as string;
        if (string.IsNullOrWhiteSpace(name))
            throw new LamassuOpsException(InstanceNameMissing, FailureKind.InvalidArgument, $"An instance has no Name: '{value}'.", value.ToString(),
                "Give every instance a Name (Get-LamassuOpsInstance reads them from the inventory).");
        return new LamassuOpsInstance
        {
            Name = name,
            Host = NullIfEmpty(read("Host")),
            User = NullIfEmpty(read("User")),
            Port = LamassuOpsInstance.CheckedPort(name, read("Port") is { } port ? LanguagePrimitives.ConvertTo<int>(port) : null),
            BunkerDatabase = NullIfEmpty(read("BunkerDatabase")),
            LnbitsDatabase = NullIfEmpty(read("LnbitsDatabase")),
            LamassuDatabaseUrl = NullIfEmpty(read("LamassuDatabaseUrl")),
            LamassuPackage = NullIfEmpty(read("LamassuPackage")),
            LamassuWrapper = NullIfEmpty(read("LamassuWrapper")),
            LamassuServiceUser = NullIfEmpty(read("LamassuServiceUser")),
            Tags = read("Tags") is { } tags ? LanguagePrimitives.ConvertTo<string[]>(tags) : [],
        };
    }

    private static Func<string, object?> FromDictionary(IDictionary dictionary) => key =>
        dictionary.Keys.Cast<object>().FirstOrDefault(k => string.Equals(k.ToString(), key, StringComparison.OrdinalIgnoreCase)) is { } found
            ? Unwrap(dictionary[found])
            : null;

    private static Func<string, object?> FromProperties(PSObject value) => name => Unwrap(value.Properties[name]?.Value);

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    private static string? NullIfEmpty(object? value) => value?.ToString() is { Length: > 0 } text ? text : null;

    /// <summary>
    /// The local instances' <paramref name="path"/> resolved now, on the pipeline thread (PowerShell's current location
    /// is only there), for the fan-out's threads to look up: a path that does not resolve, or an instance without one,
    /// is that instance's error when its work asks for it.
    /// </summary>
    public static Func<LamassuOpsInstance, string> ResolveLocalPaths(ICommandHost host, IEnumerable<LamassuOpsInstance> instances,
        Func<LamassuOpsInstance, string> path)
    {
        var resolved = new Dictionary<LamassuOpsInstance, Func<string>>(ReferenceEqualityComparer.Instance);
        foreach (var instance in instances.Where(i => i.IsLocal))
        {
            try
            {
                var full = LamassuCmdlet.ResolveLiteralPath(host, path(instance));
                resolved[instance] = () => full;
            }
            catch (LamassuOpsException error)
            {
                resolved[instance] = () => throw error;
            }
        }
        return instance => resolved[instance]();
    }

    /// <summary>
    /// Runs <paramref name="command"/> on each instance with at most <paramref name="throttleLimit"/> at once: a local
    /// instance through <paramref name="local"/>, a remote one by running the same command there with
    /// <paramref name="remoteParameters"/> (its paths are the remote host's).
    /// </summary>
    public static IEnumerable<object> Run(ICommandHost host, IReadOnlyList<LamassuOpsInstance> instances, int throttleLimit, string command,
        Func<LamassuOpsInstance, IFanOutHost, IEnumerable<object>> local, Func<LamassuOpsInstance, Hashtable> remoteParameters,
        SshConnection ssh, System.Management.Automation.Host.PSHost psHost) =>
        InstanceFanOut.Run(instances, throttleLimit, command, (instance, instanceHost) => instance.IsLocal
            ? local(instance, instanceHost)
            : RemoteInstance.InvokeCommand(instance, ssh, psHost, command, remoteParameters(instance), instanceHost), host);
}
