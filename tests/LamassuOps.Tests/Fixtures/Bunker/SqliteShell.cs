namespace LamassuOps.Tests.Fixtures.Bunker;

/// <summary>
/// The sqlite3 shell as an independent judge of a database file: it shares no code with LamassuOps. Opening a
/// file read-write, it rolls back a hot journal left by a killed process, as the daemon would on its next start.
/// </summary>
public static class SqliteShell
{
    /// <summary>The shell's output for <paramref name="sql"/>, trimmed (rows on lines, columns separated by '|').</summary>
    public static string Query(string databasePath, string sql) =>
        ExternalProcess.RunChecked("sqlite3", "-batch", databasePath, sql).Stdout.Trim();

    /// <summary>SHA3 of the content of every table (or of those matching <paramref name="likePattern"/>).</summary>
    public static string ContentHash(string databasePath, string? likePattern = null) =>
        Query(databasePath, likePattern is null ? ".sha3sum" : $".sha3sum {likePattern}");
}
