namespace LamassuOps.Core.Bunker;

/// <summary>
/// The strip's one snapshot of the live database: a copy through SQLite's online backup, verified as every backup is
/// (<see cref="OnlineBackup.CopyVerified"/>). The strip classifies this copy instead of the live file, so its long read
/// holds no lock nsecbunkerd waits for (in rollback-journal mode a reader keeps every commit out). The copy is a hidden
/// file in the backup's directory (beside the database with -NoBackup), created no more readable than the database; it
/// becomes the verified backup when the strip goes ahead and is removed in every other case.
/// </summary>
internal sealed class StripSnapshot : IDisposable
{
    private bool _kept;

    private StripSnapshot(string path, DatabaseCensus census)
    {
        Path = path;
        Census = census;
    }

    /// <summary>Where the copy is now: its hidden name, or the backup's once <see cref="KeepAs"/> published it.</summary>
    public string Path { get; private set; }

    public DatabaseCensus Census { get; }

    /// <summary>
    /// Copies <paramref name="live"/> into <paramref name="directory"/>; <paramref name="parameter"/> is the option that
    /// chose the directory (null: none), which the fixes of write failures name.
    /// </summary>
    public static StripSnapshot Take(BunkerDatabase live, string directory, string? parameter, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(live.Path)}.{Guid.NewGuid():N}.snapshot");
        var census = OnlineBackup.CopyVerified(live.Connection, live.Path, path, parameter, live.BusyTimeout, cancellationToken);
        return new StripSnapshot(path, census);
    }

    /// <summary>The copy, opened read-only as the live database (results and errors name the live path).</summary>
    public BunkerDatabase Open(BunkerDatabase live) => BunkerDatabase.OpenCopy(Path, live.Path);

    /// <summary>Publishes the verified copy as the backup at <paramref name="destination"/>; from then on it is kept.</summary>
    public string KeepAs(string destination, string? parameter)
    {
        OnlineBackup.Publish(Path, destination, parameter);
        (Path, _kept) = (destination, true);
        return destination;
    }

    public void Dispose()
    {
        if (!_kept) OnlineBackup.DeleteWithSidecars(Path);
    }
}
