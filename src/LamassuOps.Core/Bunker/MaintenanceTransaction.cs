namespace LamassuOps.Core.Bunker;

/// <summary>
/// The shared pieces of the destructive Bunker operations that <see cref="MaintenancePipeline"/> runs: open read-write
/// with a busy timeout that outlasts nsecbunkerd's short writes, the pairing tables no maintenance may change, and
/// the names their failures use.
/// </summary>
public static class MaintenanceTransaction
{
    public const string PreservedRowsChanged = "BunkerPreservedRowsChanged";

    /// <summary>The pairing tables: what a maintenance operation must never change.</summary>
    public static readonly IReadOnlyList<string> PairingTables = ["KeyUser", "Token", "Policy", "PolicyRule"];

    /// <summary>The parameter that chooses where the backup goes, named in the fixes of write failures.</summary>
    public const string BackupDirectoryParameter = "-BackupDirectory";

    public static BunkerDatabase Open(string path) =>
        BunkerDatabase.OpenReadWrite(path, new BunkerOpenOptions { BusyTimeout = BackupNaming.BusyTimeout });

    /// <summary>A count(*) query's result.</summary>
    public static long Count(BunkerDatabase database, string sql, params (string Name, object? Value)[] parameters) =>
        Convert.ToInt64(database.Scalar(sql, parameters) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
}
