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

    internal static LamassuOpsException DestinationExistsError(string path) => new(DestinationExists, FailureKind.ResourceExists,
        $"'{path}' already exists; a backup never overwrites a file.", path,
        "Give another -Destination, or a directory to get a new timestamped name.");

    internal static LamassuOpsException DestinationDirectoryMissing(string path, string directory) => new(
        DestinationDirectoryNotFound, FailureKind.ObjectNotFound,
        $"Cannot write the backup '{path}': the directory '{directory}' does not exist.", path,
        "Create the directory first, or give an existing one as -Destination.");

    internal static LamassuOpsException DestinationNotWritableError(string path, string reason, Exception? inner = null) => new(
        DestinationNotWritable, FailureKind.PermissionDenied, $"Cannot write the backup '{path}': {reason}.", path,
        "Choose a -Destination on a writable file system that the current user may write to.", inner);

    internal static LamassuOpsException DiskFullError(string path, Exception inner) => new(DiskFull, FailureKind.LimitsExceeded,
        $"The file system of '{path}' ran out of space while writing the backup; nothing was kept.", path,
        "Free space there, or give a -Destination on a file system with room for a copy of the database.", inner);

    internal static LamassuOpsException VerificationFailedError(string path, string detail) => new(VerificationFailed,
        FailureKind.InvalidResult,
        $"The copy for '{path}' failed verification ({detail}); it was deleted.", path,
        "Run Test-BunkerDatabase on the source: if it fails integrity_check, stop nsecbunkerd and salvage with `sqlite3 .recover`.");

    internal static LamassuOpsException BackupIsTargetError(string path) => new(BackupIsTarget, FailureKind.InvalidArgument,
        $"'{path}' is both the database and the backup.", path, "Give the backup file as -BackupPath and the live database as -Path.");

    /// <summary>True for SQLite failures of writing (full disk, cannot create or write the file).</summary>
    internal static bool IsDestinationFailure(SqliteException error) => error.SqliteErrorCode is
        SQLITE_FULL or SQLITE_CANTOPEN or SQLITE_IOERR or SQLITE_READONLY or SQLITE_PERM;

    internal static LamassuOpsException FromDestination(SqliteException error, string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (error.SqliteErrorCode == SQLITE_FULL) return DiskFullError(path, error);
        if (!Directory.Exists(directory)) return DestinationDirectoryMissing(path, directory);
        return error.SqliteErrorCode is SQLITE_CANTOPEN or SQLITE_READONLY or SQLITE_PERM
            ? DestinationNotWritableError(path, "the directory is read-only or not writable by this user", error)
            : new LamassuOpsException(WriteFailed, FailureKind.WriteError,
                $"Writing the backup '{path}' failed: {error.Message.TrimEnd('.')}; nothing was kept.", path,
                "Check the file system of the destination (dmesg, df) and retry.", error);
    }
}
