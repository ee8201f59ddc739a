using Microsoft.Data.Sqlite;

namespace LamassuOps.Tests.Fixtures.Bunker;

/// <summary>A database as an interrupted write leaves it: the file and its hot -journal, no process holding the lock.</summary>
public static class HotJournal
{
    /// <summary>Copies <paramref name="source"/> to <paramref name="crashed"/> in the middle of a write transaction, journal and all.</summary>
    public static void CopyInterrupted(string source, string crashed)
    {
        using var writer = new SqliteConnection($"Data Source={source};Pooling=False");
        writer.Open();
        using var command = writer.CreateCommand();
        // A tiny page cache makes SQLite write changed pages into the file before commit, journal first.
        command.CommandText = "PRAGMA cache_size = 1; BEGIN; " +
                              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) " +
                              "INSERT INTO Request (id, createdAt, requestId, remotePubkey, method) SELECT hex(randomblob(16)), 0, 'r', 'p', 'ping' FROM n;";
        command.ExecuteNonQuery();
        File.Copy(source, crashed);
        File.Copy(source + "-journal", crashed + "-journal");
    }
}
