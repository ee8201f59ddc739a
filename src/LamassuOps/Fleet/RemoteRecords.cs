using LamassuOps.Core;
using LamassuOps.Core.Fleet;

namespace LamassuOps.Fleet;

/// <summary>
/// Which pipeline records of a cmdlet are a remote instance's: its files are on that host, so reading the record's
/// paths on this machine would silently read the wrong host. A record is remote when its HostName (an instance's Host,
/// by property name) is set, or when its Instance is one of the session's imported inventory with a Host (a result of
/// an earlier stage, stamped with the instance only).
/// </summary>
internal static class RemoteRecords
{
    public const string InstanceIsRemote = "InstanceIsRemote";

    /// <summary>
    /// The remote instance this record belongs to; null when it runs here. A Host bound by property name counts only
    /// for an instance's record (it has an Instance) and never when it is a rooted path: other objects have a Host of their
    /// own (ConvertFrom-PostgresUrl's is the PostgreSQL server or socket directory), which is not an SSH host.
    /// <paramref name="hostNameGiven"/>: -HostName was given on the command line, so it is the operator's word.
    /// </summary>
    public static LamassuOpsInstance? Target(string? instance, string? hostName, bool hostNameGiven)
    {
        if (!hostNameGiven && (string.IsNullOrEmpty(instance) || Path.IsPathRooted(hostName ?? ""))) hostName = null;
        var imported = string.IsNullOrEmpty(instance) ? null
            : InventoryFiles.Session?.FirstOrDefault(i => string.Equals(i.Name, instance, StringComparison.OrdinalIgnoreCase));
        if (!string.IsNullOrEmpty(hostName))
            return imported is not null && string.Equals(imported.Host, hostName, StringComparison.OrdinalIgnoreCase)
                ? imported
                : new LamassuOpsInstance { Name = string.IsNullOrEmpty(instance) ? hostName : instance, Host = hostName };
        return imported is { IsLocal: false } ? imported : null;
    }

    /// <summary>A remote record, refused before anything is read here: the command does not yet run it on its host.</summary>
    public static LamassuOpsException NotRunHere(LamassuOpsInstance instance, string command) =>
        new(InstanceIsRemote, FailureKind.InvalidOperation,
            $"The instance '{instance.Name}' is on {RemoteInstance.Destination(instance)}: {command} would read its files on this machine, so it does not run it.",
            instance.Name,
            $"Run it on that host: Invoke-Command -HostName {RemoteInstance.Destination(instance)} -ScriptBlock {{ {command} ... }} (with LamassuOps installed there), or 'ssh {RemoteInstance.SshArguments(instance)} lamassuops {command} ... --json'.");
}
