using System.Globalization;

namespace LamassuOps.Core.Bunker;

public sealed class BackupBunkerDatabaseOptions
{
    /// <summary>The database to back up.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// Where to write: a new file, or an existing directory (a timestamped name is made inside it). Default: a
    /// timestamped name beside the database.
    /// </summary>
    public string? Destination { get; init; }

    /// <summary>The moment that names the backup; default now.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>A verified backup of an nsecbunkerd database.</summary>
public sealed class BunkerBackup
{
    /// <summary>The database that was backed up (so the object pipes into Restore-BunkerDatabase).</summary>
    public required string Path { get; init; }

    public required string BackupPath { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required long SizeBytes { get; init; }

    public required BunkerSchemaVariant SchemaVariant { get; init; }

    /// <summary>Rows over all tables, counted in the snapshot that was copied.</summary>
    public required long TotalRows { get; init; }

    /// <summary>Row counts per table; the copy was verified to hold exactly these.</summary>
    public required IReadOnlyList<TableRowCount> Tables { get; init; }

    /// <summary>integrity_check passed and schema and row counts equal the snapshot's.</summary>
    public required bool Verified { get; init; }
}

/// <summary>Backup-BunkerDatabase: an online, verified copy of nsecbunker.db, safe while nsecbunkerd runs.</summary>
public static class BackupBunkerDatabaseOperation
{
    /// <summary>The parameter that chooses where the backup goes, named in the fixes of write failures.</summary>
    public const string Parameter = "-Destination";

    public static IEnumerable<BunkerBackup> Run(BackupBunkerDatabaseOptions options, IOperationHost host)
    {
        var now = options.Now ?? DateTimeOffset.UtcNow;
        using var database = BunkerDatabase.OpenReadOnly(options.Path, new BunkerOpenOptions { BusyTimeout = BackupNaming.BusyTimeout });
        var destination = BackupNaming.Resolve(database.Path, options.Destination, now, kind: null, Parameter);
        if (!host.ShouldProcess(destination, $"Create a backup of '{database.Path}'")) yield break;
        yield return BackupNaming.Write(database, destination, Parameter, now, host);
    }
}

/// <summary>Names, places and writes backups for every Bunker operation that makes one.</summary>
public static class BackupNaming
{
    /// <summary>How long maintenance waits for nsecbunkerd's locks before giving up.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>nsecbunker.db.20260619T125847123Z.bak, or nsecbunker.db.20260619T125847123Z.pre-restore.bak.</summary>
    public static string FileName(string databasePath, DateTimeOffset now, string? kind) =>
        $"{System.IO.Path.GetFileName(databasePath)}.{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}"
        + (kind is null ? "" : "." + kind) + ".bak";

    /// <summary>
    /// The full path a backup goes to, checked before anything is written: not an
    /// existing file (the database itself included), in an existing directory. <paramref name="parameter"/> is the
    /// option that gave <paramref name="destination"/> (null: none), which the fixes of the errors name.
    /// </summary>
    public static string Resolve(string databasePath, string? destination, DateTimeOffset now, string? kind, string? parameter)
    {
        var path = destination is null
            ? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(databasePath)!, FileName(databasePath, now, kind))
            : Directory.Exists(destination)
                ? System.IO.Path.Combine(System.IO.Path.GetFullPath(destination), FileName(databasePath, now, kind))
                : System.IO.Path.GetFullPath(destination);
        // A dangling link counts as taken: writing through it would put the backup somewhere else.
        if (File.Exists(path) || Directory.Exists(path) || FileStat.Of(path).Kind == FileKind.DanglingSymlink)
            throw BackupErrors.DestinationExistsError(path, parameter);
        var directory = System.IO.Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory)) throw BackupErrors.DestinationDirectoryMissing(path, directory, parameter);
        return path;
    }

    /// <summary>Writes and verifies the backup of an open database; see <see cref="OnlineBackup"/>.</summary>
    public static BunkerBackup Write(BunkerDatabase database, string destination, string? parameter, DateTimeOffset now, IOperationHost host)
    {
        var activity = $"Backing up {System.IO.Path.GetFileName(database.Path)}";
        host.WriteProgress(new OperationProgress(activity, $"copying to {destination}"));
        var census = OnlineBackup.CopyVerified(database.Connection, database.Path, destination, parameter, database.BusyTimeout,
            host.CancellationToken);
        host.WriteProgress(new OperationProgress(activity, "verified", 100, Completed: true));
        host.WriteVerbose($"Backed up '{database.Path}' to '{destination}': integrity_check ok, {census.TotalRows} rows in {census.Tables.Count} tables as in the snapshot.");
        return new BunkerBackup
        {
            Path = database.Path,
            BackupPath = destination,
            CreatedAt = now,
            SizeBytes = new FileInfo(destination).Length,
            SchemaVariant = database.Schema.Variant,
            TotalRows = census.TotalRows,
            Tables = census.Tables,
            Verified = true,
        };
    }
}
