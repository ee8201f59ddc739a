namespace LamassuOps.Core.Bunker;

/// <summary>
/// Something a maintenance change must keep. The pipeline (<see cref="MaintenancePipeline"/>) calls
/// <see cref="Capture"/> inside the write transaction before the change and <see cref="Verify"/> after it, still
/// inside, on the transaction's own connection; a proof that fails rolls the change back. A proof holds what it
/// captured, so each run takes new proof objects.
/// </summary>
public interface IMaintenanceProof
{
    /// <summary>Reads what must survive, before the change.</summary>
    void Capture(BunkerDatabase database, IOperationHost host);

    /// <summary>
    /// Checks it survived; throws a <see cref="LamassuOpsException"/> with the proof's own error id when not,
    /// else returns what was checked, for the verbose stream.
    /// </summary>
    string Verify(BunkerDatabase database, IOperationHost host);
}

/// <summary>The proof that tables (by default the pairing tables) are byte-for-byte as they were (<see cref="TableFingerprint"/>).</summary>
public sealed class PreservedTablesProof(IReadOnlyList<string> tables) : IMaintenanceProof
{
    private List<TableFingerprint> _before = [];

    public void Capture(BunkerDatabase database, IOperationHost host) =>
        _before = Fingerprints(database, tables.Where(database.Schema.HasTable).ToList(), host);

    public string Verify(BunkerDatabase database, IOperationHost host)
    {
        var after = Fingerprints(database, _before.Select(f => f.Table).ToList(), host);
        var changed = _before.Zip(after).Where(pair => pair.First != pair.Second).Select(pair => pair.First.Table).ToList();
        if (changed.Count > 0) throw Altered(database, changed);
        return $"{string.Join(", ", after.Select(f => $"{f.Table} ({f.Rows} rows)"))} byte-for-byte unchanged";
    }

    /// <summary>The failure of a proof that tables were kept: which ones the change would have altered.</summary>
    internal static LamassuOpsException Altered(BunkerDatabase database, IEnumerable<string> tables) =>
        new(MaintenanceTransaction.PreservedRowsChanged, FailureKind.InvalidResult,
            $"The change to '{database.Path}' would have altered {string.Join(", ", tables)}; it was rolled back and nothing changed.",
            database.Path, "This is a bug or a trigger in the database: report it with the output of `sqlite3 nsecbunker.db .schema`.");

    private static List<TableFingerprint> Fingerprints(BunkerDatabase database, List<string> tables, IOperationHost host) =>
        database.Guard(() => tables.Select(table => TableFingerprint.Compute(database.Connection, table, null, host.CancellationToken)).ToList());
}

/// <summary>
/// The proof that this transaction wrote no row of <paramref name="tables"/> (the pairing tables): TEMP triggers of
/// the transaction's connection record any row inserted, updated or deleted in them, by the change, a trigger of the
/// database, a cascade, anything the connection runs. Cheaper than fingerprints on a large table; other connections
/// cannot write while the transaction holds the write lock. The triggers are created inside the transaction, so a
/// rollback removes them and <see cref="Verify"/> drops them before the commit.
/// </summary>
public sealed class UntouchedTablesProof(IReadOnlyList<string> tables) : IMaintenanceProof
{
    private const string ChangesTable = "temp.lamassuops_changes";
    private static readonly string[] Operations = ["INSERT", "UPDATE", "DELETE"];
    private List<string> _watched = [];

    public void Capture(BunkerDatabase database, IOperationHost host)
    {
        _watched = tables.Where(database.Schema.HasTable).ToList();
        database.Execute($"DROP TABLE IF EXISTS {ChangesTable}; CREATE TABLE {ChangesTable} (name TEXT PRIMARY KEY)");
        foreach (var table in _watched)
        foreach (var operation in Operations)
            database.Execute($"CREATE TEMP TRIGGER {Trigger(table, operation)} AFTER {operation} ON main.{TableFingerprint.Quote(table)} " +
                             $"BEGIN INSERT OR IGNORE INTO {ChangesTable} (name) VALUES ('{table.Replace("'", "''")}'); END");
    }

    public string Verify(BunkerDatabase database, IOperationHost host)
    {
        var touched = database.Query($"SELECT name FROM {ChangesTable} ORDER BY name", reader => reader.GetString(0)).ToList();
        if (touched.Count > 0) throw PreservedTablesProof.Altered(database, touched);
        foreach (var table in _watched)
        foreach (var operation in Operations)
            database.Execute($"DROP TRIGGER temp.{Trigger(table, operation)}");
        database.Execute($"DROP TABLE {ChangesTable}");
        return $"{string.Join(", ", _watched)} untouched by the change";
    }

    private static string Trigger(string table, string operation) => TableFingerprint.Quote($"lamassuops_watch_{table}_{operation}");
}
