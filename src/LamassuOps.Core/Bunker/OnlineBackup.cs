using Microsoft.Data.Sqlite;

namespace LamassuOps.Core.Bunker;

/// <summary>
/// Copies a live SQLite database into a new file through SQLite's online backup API, safe while nsecbunkerd
/// runs, and proves the copy is good before it gets its final name.
/// <list type="bullet">
/// <item>One snapshot: the row counts are taken inside a read transaction on the source connection and the
/// backup API copies from that same transaction, so the counts describe exactly what was copied. In WAL mode the
/// daemon keeps writing meanwhile; in rollback-journal mode its writes wait (busy timeout) for the copy.</item>
/// <item>The copy is written under a hidden temporary name in the destination directory, switched to
/// rollback-journal mode (a backup is one self-contained file, never a -wal pair), checked with
/// integrity_check and compared with the snapshot's schema and row counts, flushed to disk, and only then renamed to
/// its final name (atomic, never over an existing file). On any failure the temporary file is deleted: no partial
/// backup is left behind.</item>
/// <item>The copy is written with no journal and no syncs of its own (a half-written temporary file is only ever
/// deleted), which halves the time the source's read lock is held: in rollback-journal mode that is how long
/// nsecbunkerd's commits wait. The one sync is the flush before the rename.</item>
/// </list>
/// </summary>
public static class OnlineBackup
{
    /// <summary>
    /// Copies the database open on <paramref name="source"/> (at <paramref name="sourcePath"/>) to
    /// <paramref name="destinationPath"/>; <paramref name="parameter"/> is the option that chose the place (-Destination,
    /// -BackupDirectory; null when there is none), which the fixes of write failures name.
    /// </summary>
    public static DatabaseCensus CopyVerified(SqliteConnection source, string sourcePath, string destinationPath, string? parameter,
        TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(destinationPath)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(destinationPath)}.{Guid.NewGuid():N}.partial");
        try
        {
            var census = CopyUnverified(source, sourcePath, temporary, destinationPath, parameter, busyTimeout, cancellationToken);
            VerifyAndFlush(temporary, destinationPath, census, parameter, cancellationToken);
            Publish(temporary, destinationPath, parameter);
            return census;
        }
        finally
        {
            DeleteWithSidecars(temporary);
        }
    }

    /// <summary>
    /// The copy half of <see cref="CopyVerified"/>: writes the snapshot into the new file <paramref name="path"/> and
    /// returns its census. Nothing may rely on the copy until <see cref="VerifyAndFlush"/> has passed; on failure the
    /// caller deletes <paramref name="path"/> (<see cref="DeleteWithSidecars"/>).
    /// </summary>
    internal static DatabaseCensus CopyUnverified(SqliteConnection source, string sourcePath, string path, string destinationPath,
        string? parameter, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        DatabaseCensus census;
        using (var copy = OpenDestination(path, destinationPath, parameter, sourcePath))
        {
            using (var snapshot = source.BeginTransaction(deferred: true))
            {
                census = Guard(() => DatabaseCensus.Take(source, snapshot, cancellationToken), sourcePath, destinationPath, parameter, busyTimeout);
                cancellationToken.ThrowIfCancellationRequested();
                Guard(() => source.BackupDatabase(copy), sourcePath, destinationPath, parameter, busyTimeout);
            }
            Guard(() => Execute(copy, "PRAGMA journal_mode = DELETE;"), sourcePath, destinationPath, parameter, busyTimeout);
        }
        return census;
    }

    /// <summary>The check half of <see cref="CopyVerified"/>: <see cref="Verify"/> against the census, then onto the disk.</summary>
    internal static void VerifyAndFlush(string path, string destinationPath, DatabaseCensus census, string? parameter,
        CancellationToken cancellationToken)
    {
        Verify(path, destinationPath, census, cancellationToken);
        FlushToDisk(path, destinationPath, parameter);
    }

    /// <summary>
    /// Checks a database file: integrity_check passes and, when <paramref name="expected"/> is given, its schema
    /// and row counts equal it. Throws <see cref="BackupErrors.VerificationFailed"/> (the error id) otherwise.
    /// </summary>
    public static DatabaseCensus Verify(string path, string reportedPath, DatabaseCensus? expected, CancellationToken cancellationToken)
    {
        using var connection = OpenReadOnly(path);
        var problems = IntegrityProblems(connection);
        if (problems.Count > 0)
            throw BackupErrors.VerificationFailedError(reportedPath, "integrity_check reports: " + string.Join("; ", problems));
        var census = DatabaseCensus.Take(connection, null, cancellationToken);
        if (expected is not null && expected.DifferencesFrom(census) is { Count: > 0 } differences)
            throw BackupErrors.VerificationFailedError(reportedPath, string.Join("; ", differences));
        return census;
    }

    /// <summary>The messages of <c>PRAGMA integrity_check</c> (at most 20); empty when the database is intact.</summary>
    public static IReadOnlyList<string> IntegrityProblems(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA integrity_check(20);";
        using var reader = command.ExecuteReader();
        var messages = new List<string>();
        while (reader.Read()) messages.Add(reader.GetString(0));
        return messages is ["ok"] ? [] : messages;
    }

    /// <summary>Deletes a database file and the journal files SQLite may have left beside it.</summary>
    public static void DeleteWithSidecars(string path)
    {
        foreach (var suffix in new[] { "", "-journal", "-wal", "-shm" })
        {
            try
            {
                File.Delete(path + suffix);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the operation already reports the failure that got us here.
            }
        }
    }

    internal static SqliteConnection OpenReadOnly(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static SqliteConnection OpenDestination(string temporary, string destinationPath, string? parameter, string sourcePath)
    {
        CreateNoMoreReadableThan(sourcePath, temporary, destinationPath, parameter);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = temporary,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;");
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw BackupErrors.FromDestination(e, destinationPath, parameter);
        }
    }

    /// <summary>
    /// A backup holds every pairing's token, so it is created with the database's own permission bits (never the
    /// umask's usual 0644): whoever could not read nsecbunker.db cannot read its backup either. SQLite then opens the
    /// empty file as a new database, and gives its journal the same bits.
    /// </summary>
    private static void CreateNoMoreReadableThan(string sourcePath, string path, string destinationPath, string? parameter)
    {
        try
        {
            CreateEmptyNoMoreReadableThan(sourcePath, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw BackupErrors.DestinationNotWritableError(destinationPath, parameter, e.Message.TrimEnd('.'), e);
        }
    }

    /// <summary>
    /// Creates the empty file <paramref name="path"/> (never over an existing one) with the read and write bits of
    /// <paramref name="sourcePath"/> and no others; the umask can only narrow them. For every file that will hold
    /// the secrets of <paramref name="sourcePath"/>.
    /// </summary>
    internal static void CreateEmptyNoMoreReadableThan(string sourcePath, string path)
    {
        const UnixFileMode readWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead
            | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = File.GetUnixFileMode(sourcePath) & readWrite;
        using var _ = new FileStream(path, options);
    }

    /// <summary>Forces the copy, written without syncs, onto the disk before it gets its final name.</summary>
    private static void FlushToDisk(string temporary, string destinationPath, string? parameter)
    {
        try
        {
            using var file = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            file.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw BackupErrors.DestinationNotWritableError(destinationPath, parameter, e.Message.TrimEnd('.'), e);
        }
    }

    /// <summary>Gives a verified copy its final name: atomic, never over an existing file.</summary>
    internal static void Publish(string temporary, string destinationPath, string? parameter)
    {
        try
        {
            File.Move(temporary, destinationPath, overwrite: false);
        }
        catch (IOException) when (File.Exists(destinationPath))
        {
            throw BackupErrors.DestinationExistsError(destinationPath, parameter);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw BackupErrors.DestinationNotWritableError(destinationPath, parameter, e.Message, e);
        }
    }

    /// <summary>Failures writing the copy are the destination's; failures reading are the source's.</summary>
    private static void Guard(Action action, string sourcePath, string destinationPath, string? parameter, TimeSpan busyTimeout) =>
        Guard<object?>(() =>
        {
            action();
            return null;
        }, sourcePath, destinationPath, parameter, busyTimeout);

    private static T Guard<T>(Func<T> action, string sourcePath, string destinationPath, string? parameter, TimeSpan busyTimeout)
    {
        try
        {
            return action();
        }
        catch (SqliteException e) when (BackupErrors.IsDestinationFailure(e))
        {
            throw BackupErrors.FromDestination(e, destinationPath, parameter);
        }
        catch (SqliteException e)
        {
            throw BunkerErrors.FromSqlite(e, sourcePath, busyTimeout);
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
