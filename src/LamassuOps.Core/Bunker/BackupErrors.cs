using Microsoft.Data.Sqlite;
using static SQLitePCL.raw;

namespace LamassuOps.Core.Bunker;

/// <summary>The error ids of backups and restores, and the errors themselves with their messages and fixes.</summary>
public static class BackupErrors
{
    public const string DestinationExists = "BackupDestinationExists";
    public const string DestinationDirectoryNotFound = "BackupDestinationDirectoryNotFound";
    public const string DestinationNotWritable = "BackupDestinationNotWritable";
    public const string DiskFull = "BackupDiskFull";
    public const string WriteFailed = "BackupWriteFailed";
    public const string VerificationFailed = "BackupVerificationFailed";
    public const string BackupIsTarget = "BackupIsTheDatabase";

    // Each write failure's fix names the option that chose the place (-Destination of Backup-BunkerDatabase,
    // -BackupDirectory of the maintenance commands), or none when the place is always beside the database.

    internal static LamassuOpsException DestinationExistsError(string path, string? parameter) => new(DestinationExists,
        FailureKind.ResourceExists, $"'{path}' already exists; a backup never overwrites a file.", path,
        parameter == BackupBunkerDatabaseOperation.Parameter
            ? "Give another -Destination, or a directory to get a new timestamped name."
            : "Run the command again: each backup gets a new timestamped name.");

    internal static LamassuOpsException DestinationDirectoryMissing(string path, string directory, string? parameter) => new(
        DestinationDirectoryNotFound, FailureKind.ObjectNotFound,
        $"Cannot write the backup '{path}': the directory '{directory}' does not exist.", path,
        "Create the directory first" + Or(parameter, "give an existing one as {0}") + ".");

    internal static LamassuOpsException DestinationNotWritableError(string path, string? parameter, string reason, Exception? inner = null) => new(
        DestinationNotWritable, FailureKind.PermissionDenied, $"Cannot write the backup '{path}': {reason}.", path,
        "Make that directory writable by the current user" + Or(parameter, "give a {0} on a writable file system") + ".", inner);

    internal static LamassuOpsException DiskFullError(string path, string? parameter, Exception inner) => new(DiskFull, FailureKind.LimitsExceeded,
        $"The file system of '{path}' ran out of space while writing the backup; nothing was kept.", path,
        "Free space there" + Or(parameter, "give a {0} on a file system with room for a copy of the database") + ".", inner);

    private static string Or(string? parameter, string alternative) =>
        parameter is null ? "" : ", or " + string.Format(System.Globalization.CultureInfo.InvariantCulture, alternative, parameter);

    internal static LamassuOpsException VerificationFailedError(string path, string detail) => new(VerificationFailed,
        FailureKind.InvalidResult,
        $"The copy for '{path}' failed verification ({detail}); it was deleted.", path,
        "Run Test-BunkerDatabase on the source: if it fails integrity_check, stop nsecbunkerd and salvage with `sqlite3 .recover`.");

    internal static LamassuOpsException BackupIsTargetError(string path) => new(BackupIsTarget, FailureKind.InvalidArgument,
        $"'{path}' is both the database and the backup.", path, "Give the backup file as -BackupPath and the live database as -Path.");

    internal static LamassuOpsException BackupIsTargetUnderAnotherNameError(string path, string backupPath) => new(BackupIsTarget,
        FailureKind.InvalidArgument,
        $"The backup '{backupPath}' is the database '{path}' under another name (the same device and inode: a hard link, symbolic link or bind mount); nothing was changed.",
        backupPath, "Give a real backup (Backup-BunkerDatabase makes one) as -BackupPath.");

    /// <summary>True for SQLite failures of writing (full disk, cannot create or write the file).</summary>
    internal static bool IsDestinationFailure(SqliteException error) => error.SqliteErrorCode is
        SQLITE_FULL or SQLITE_CANTOPEN or SQLITE_IOERR or SQLITE_READONLY or SQLITE_PERM;

    internal static LamassuOpsException FromDestination(SqliteException error, string path, string? parameter)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (error.SqliteErrorCode == SQLITE_FULL) return DiskFullError(path, parameter, error);
        if (!Directory.Exists(directory)) return DestinationDirectoryMissing(path, directory, parameter);
        return error.SqliteErrorCode is SQLITE_CANTOPEN or SQLITE_READONLY or SQLITE_PERM
            ? DestinationNotWritableError(path, parameter, "the directory is read-only or not writable by this user", error)
            : new LamassuOpsException(WriteFailed, FailureKind.WriteError,
                $"Writing the backup '{path}' failed: {error.Message.TrimEnd('.')}; nothing was kept.", path,
                "Check the file system of the destination (dmesg, df) and retry.", error);
    }
}
