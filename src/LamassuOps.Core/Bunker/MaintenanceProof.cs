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
        if (changed.Count > 0)
            throw new LamassuOpsException(MaintenanceTransaction.PreservedRowsChanged, FailureKind.InvalidResult,
                $"The change to '{database.Path}' would have altered {string.Join(", ", changed)}; it was rolled back and nothing changed.",
                database.Path, "This is a bug or a trigger in the database: report it with the output of `sqlite3 nsecbunker.db .schema`.");
        return $"{string.Join(", ", after.Select(f => $"{f.Table} ({f.Rows} rows)"))} byte-for-byte unchanged";
    }

    private static List<TableFingerprint> Fingerprints(BunkerDatabase database, List<string> tables, IOperationHost host) =>
        database.Guard(() => tables.Select(table => TableFingerprint.Compute(database.Connection, table, null, host.CancellationToken)).ToList());
}
