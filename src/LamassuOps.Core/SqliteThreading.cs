namespace LamassuOps.Core;

/// <summary>How SQLite guards its connections in this process.</summary>
public static class SqliteThreading
{
    /// <summary>
    /// Puts SQLite in multi-thread mode for the whole process: no mutex around each call on a connection. In its default
    /// serialized mode SQLite takes the connection's mutex on every <c>sqlite3_column_*</c> call, a few of them per
    /// column of every row (about a tenth of a 1M-row read). Safe where no connection is used by two threads at once,
    /// which is how every LamassuOps operation uses them: one operation runs on one thread, and the fan-out gives each
    /// instance connections of its own. For a process of our own only: lamassuops calls it first thing; the module never
    /// does, as pwsh is the operator's process, where other code may share SQLite. False when SQLite had already
    /// started in this process: the mode is then left as it was.
    /// </summary>
    public static bool UseMultiThreadMode()
    {
        SQLitePCL.Batteries_V2.Init();
        return SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MULTITHREAD) == SQLitePCL.raw.SQLITE_OK;
    }
}
