namespace LamassuOps.Core.Bunker;

/// <summary>
/// The strip's one snapshot of the live database: a copy through SQLite's online backup, verified as every backup is
/// (<see cref="OnlineBackup.CopyVerified"/>). The strip classifies this copy instead of the live file, so its long read
/// holds no lock nsecbunkerd waits for (in rollback-journal mode a reader keeps every commit out). The copy is a hidden
/// file in the backup's directory (beside the database with -NoBackup), created no more readable than the database; it
/// becomes the verified backup when the strip goes ahead and is removed in every other case.
/// </summary>
/// <remarks>
/// The verification (integrity_check, the census compared, the flush to disk: about a second at a million rows) runs on
/// a thread of its own while the strip classifies the copy, each on a connection of its own. Nothing is decided on the
/// copy before it has passed: <see cref="RequireVerified"/> comes before the plan is used, and <see cref="KeepAs"/>
/// before the copy becomes the backup.
/// </remarks>
internal sealed class StripSnapshot : IDisposable
{
    private readonly Task _verification;
    private bool _kept;

    private StripSnapshot(string path, DatabaseCensus census, Task verification)
    {
        Path = path;
        Census = census;
        _verification = verification;
    }

    /// <summary>Where the copy is now: its hidden name, or the backup's once <see cref="KeepAs"/> published it.</summary>
    public string Path { get; private set; }

    public DatabaseCensus Census { get; }

    /// <summary>
    /// Copies <paramref name="live"/> into <paramref name="directory"/> and starts verifying the copy;
    /// <paramref name="parameter"/> is the option that chose the directory (null: none), which the fixes of write failures name.
    /// </summary>
    public static StripSnapshot Take(BunkerDatabase live, string directory, string? parameter, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(live.Path)}.{Guid.NewGuid():N}.snapshot");
        DatabaseCensus census;
        try
        {
            census = OnlineBackup.CopyUnverified(live.Connection, live.Path, path, path, parameter, live.BusyTimeout, cancellationToken);
        }
        catch
        {
            OnlineBackup.DeleteWithSidecars(path);
            throw;
        }
        var verification = Task.Run(() => OnlineBackup.VerifyAndFlush(path, path, census, parameter, cancellationToken), CancellationToken.None);
        return new StripSnapshot(path, census, verification);
    }

    /// <summary>The copy, opened read-only as the live database (results and errors name the live path).</summary>
    public BunkerDatabase Open(BunkerDatabase live) => BunkerDatabase.OpenCopy(Path, live.Path);

    /// <summary>Waits for the copy's verification; throws its failure (<see cref="BackupErrors.VerificationFailed"/> and the like).</summary>
    public void RequireVerified() => _verification.GetAwaiter().GetResult();

    /// <summary>Publishes the verified copy as the backup at <paramref name="destination"/>; from then on it is kept.</summary>
    public string KeepAs(string destination, string? parameter)
    {
        RequireVerified();
        OnlineBackup.Publish(Path, destination, parameter);
        (Path, _kept) = (destination, true);
        return destination;
    }

    public void Dispose()
    {
        // The verification reads the copy: it ends (its failure already reported, or no longer of use) before the copy goes.
        try
        {
            _verification.Wait();
        }
        catch (AggregateException)
        {
        }
        if (!_kept) OnlineBackup.DeleteWithSidecars(Path);
    }
}
