using static SQLitePCL.raw;

namespace LamassuOps.Core;

/// <summary>How SQLite runs in a process of our own.</summary>
public static class SqliteSetup
{
    /// <summary>
    /// Sets SQLite up for a process of our own, before its first connection: multi-thread mode, so no connection mutex
    /// is taken around each call, and no memory statistics, whose global mutex SQLite otherwise takes on every
    /// allocation. With both as SQLite has them by default, a 1M-row read called pthread_mutex_lock and unlock for
    /// about 7% of its time, a few times per column of every row. Safe where no connection is used by two threads at
    /// once, which is how every LamassuOps operation uses them: a connection belongs to one thread (the strip verifies
    /// its snapshot on a second thread through a connection of that thread's own), and the fan-out gives each instance
    /// connections of its own. Nothing here reads SQLite's memory statistics or sets a heap limit.
    /// lamassuops calls it first thing; the module never does, as pwsh is the operator's process, where other code may
    /// share SQLite. False when SQLite had already started in this process: it is then left as it was.
    /// </summary>
    public static bool ForOwnProcess()
    {
        SQLitePCL.Batteries_V2.Init();
        return sqlite3_config(SQLITE_CONFIG_MULTITHREAD) == SQLITE_OK && sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
    }
}
