using Microsoft.Data.Sqlite;

namespace LamassuOps.Core.Bunker;

/// <summary>
/// The strip's plan and its one short write transaction on the live database. The plan is the ids of the rows to
/// remove, classified on the snapshot (<see cref="StripSnapshot"/>) and streamed into a TEMP table of the live
/// connection (never the operator's schema, never held in memory). The transaction, with the snapshot attached:
/// <list type="number">
/// <item>re-validates the plan: KeyUser, Token, Policy and PolicyRule are as in the snapshot (every column but the
///   daemon's usage stamps lastUsedAt and updatedAt, which no classification reads), so every verdict still holds;</item>
/// <item>deletes each planned row only while it is exactly the snapshot's row, and refuses the whole strip
///   (<see cref="StaleSigningConditionStrip.StripPlanChanged"/>) when one was changed or removed meanwhile; rows added
///   meanwhile are not in the plan and stay;</item>
/// <item>proves KeyUser, Token, Policy and PolicyRule untouched by this transaction: TEMP triggers of this connection
///   record any row inserted, updated or deleted in them (by a trigger of the database, a cascade, anything this
///   connection runs), and the pairings are counted again;</item>
/// <item>commits only when all of that holds; any failure or a stop rolls everything back.</item>
/// </list>
/// Everything inside the lock is SQL over primary keys, so the daemon's writes wait about as long as the DELETE
/// itself takes.
/// </summary>
internal static class StripTransaction
{
    private const string PlanTable = "temp.lamassuops_strip_plan";
    private const string ChangesTable = "temp.lamassuops_strip_changes";
    private const string Snapshot = "lamassuops_snapshot";

    /// <summary>Columns the daemon rewrites on use and no classification reads.</summary>
    private static readonly HashSet<string> UsageStamps = new(["lastUsedAt", "updatedAt"], StringComparer.OrdinalIgnoreCase);

    private static readonly string[] Operations = ["INSERT", "UPDATE", "DELETE"];

    /// <summary>
    /// The plan table of <paramref name="live"/>, written in one transaction of its TEMP database only (which locks
    /// nothing of the database file).
    /// </summary>
    public sealed class Plan : IDisposable
    {
        private readonly BunkerDatabase _live;
        private readonly SqliteCommand _insert;
        private readonly SqliteParameter _id;
        private bool _open;

        public Plan(BunkerDatabase live)
        {
            _live = live;
            live.Execute($"DROP TABLE IF EXISTS {PlanTable}; CREATE TABLE {PlanTable} (id INTEGER PRIMARY KEY); BEGIN;");
            _open = true;
            _insert = live.CreateCommand($"INSERT INTO {PlanTable} (id) VALUES ($id)");
            _id = _insert.Parameters.Add("$id", SqliteType.Integer);
        }

        public void Add(long id)
        {
            _id.Value = id;
            _live.Guard(_insert.ExecuteNonQuery);
        }

        /// <summary>Commits the plan table (TEMP only).</summary>
        public void Complete()
        {
            _live.Execute("COMMIT;");
            _open = false;
        }

        public void Dispose()
        {
            _insert.Dispose();
            if (_open) Rollback(_live);
        }
    }

    /// <summary>
    /// Deletes the <paramref name="planned"/> rows of the plan from <paramref name="live"/> as described above;
    /// <paramref name="pairings"/> is the snapshot's count. Returns the SigningCondition rows before and after.
    /// </summary>
    public static (long Before, long After) DeletePlanned(BunkerDatabase live, string snapshotPath, long planned, long pairings,
        IReadOnlyList<IMaintenanceProof> proofs, IOperationHost host)
    {
        var tables = MaintenanceTransaction.PairingTables.Where(live.Schema.HasTable).ToList();
        live.Execute($"ATTACH DATABASE $path AS {Snapshot}", ("$path", snapshotPath));
        try
        {
            WatchForChanges(live, tables);
            live.Execute("BEGIN IMMEDIATE;");
            var committed = false;
            try
            {
                if (tables.FirstOrDefault(table => !SameAsSnapshot(live, table)) is { } changed)
                    throw PlanChanged(live, $"{changed} changed since the snapshot the rows were classified on");
                foreach (var proof in proofs) proof.Capture(live, host);
                var before = CountConditions(live);
                var deleted = live.Execute(DeleteUnchanged(live));
                if (deleted != planned)
                    throw PlanChanged(live, $"{planned - deleted} of the {planned} rows to remove were changed or removed by another writer since the snapshot");
                // The LNbits proof first, so that a broken pairing is named, not only the table that changed.
                var proven = proofs.Select(proof => "; " + proof.Verify(live, host)).ToList();
                var touched = live.Query($"SELECT name FROM {ChangesTable} ORDER BY name", reader => reader.GetString(0)).ToList();
                if (touched.Count > 0)
                    throw new LamassuOpsException(MaintenanceTransaction.PreservedRowsChanged, FailureKind.InvalidResult,
                        $"The strip of '{live.Path}' would have altered {string.Join(", ", touched)}; it was rolled back and nothing changed.",
                        live.Path, "This is a bug or a trigger in the database: report it with the output of `sqlite3 nsecbunker.db .schema`.");
                var after = CountConditions(live);
                var pairingsNow = CountPairings(live);
                if (after != before - deleted || pairingsNow != pairings)
                    throw new LamassuOpsException(StaleSigningConditionStrip.StripPairingLost, FailureKind.InvalidResult,
                        $"The strip of '{live.Path}' would have left {after} of {before} SigningCondition rows after removing {deleted}, and " +
                        $"{pairingsNow} of {pairings} pairings; it was rolled back and nothing changed.", live.Path,
                        "This is a bug: report it with the output of Get-BunkerSigningCondition.");
                host.WriteVerbose($"Checked inside the transaction: {string.Join(", ", tables)} as in the snapshot and untouched by the strip; " +
                                  $"{deleted} planned rows removed unchanged; {pairingsNow} pairings{string.Concat(proven)}.");
                host.CancellationToken.ThrowIfCancellationRequested();
                live.Execute("COMMIT;");
                committed = true;
                return (before, after);
            }
            finally
            {
                if (!committed) Rollback(live);
            }
        }
        finally
        {
            StopWatching(live, tables);
            live.Execute($"DETACH DATABASE {Snapshot}");
        }
    }

    /// <summary>Redeemed tokens bound to a KeyUser that exists: the pairings LNbits accounts rely on.</summary>
    public static long CountPairings(BunkerDatabase database) => MaintenanceTransaction.Count(database,
        "SELECT count(*) FROM Token t JOIN KeyUser k ON k.id = t.keyUserId WHERE t.redeemedAt IS NOT NULL");

    public static long CountConditions(BunkerDatabase database) =>
        MaintenanceTransaction.Count(database, "SELECT count(*) FROM main.SigningCondition");

    /// <summary>The same rows (by rowid) with the same values in every column but the usage stamps.</summary>
    private static bool SameAsSnapshot(BunkerDatabase live, string table)
    {
        var name = TableFingerprint.Quote(table);
        var differs = live.Schema.Columns(table).Where(c => !UsageStamps.Contains(c.Name))
            .Select(c => $" OR m.{TableFingerprint.Quote(c.Name)} IS NOT s.{TableFingerprint.Quote(c.Name)}");
        return MaintenanceTransaction.Count(live,
            $"SELECT (SELECT count(*) FROM main.{name}) = (SELECT count(*) FROM {Snapshot}.{name}) AND NOT EXISTS (SELECT 1 FROM main.{name} AS m " +
            $"LEFT JOIN {Snapshot}.{name} AS s ON s.rowid = m.rowid WHERE s.rowid IS NULL{string.Concat(differs)})") == 1;
    }

    /// <summary>The DELETE of the planned rows that are still exactly the snapshot's.</summary>
    private static string DeleteUnchanged(BunkerDatabase live)
    {
        var same = live.Schema.Columns("SigningCondition").Select(c => $" AND s.{TableFingerprint.Quote(c.Name)} IS m.{TableFingerprint.Quote(c.Name)}");
        return $"DELETE FROM main.SigningCondition AS m WHERE m.id IN (SELECT id FROM {PlanTable}) " +
               $"AND EXISTS (SELECT 1 FROM {Snapshot}.SigningCondition AS s WHERE s.id = m.id{string.Concat(same)})";
    }

    private static void WatchForChanges(BunkerDatabase live, IEnumerable<string> tables)
    {
        live.Execute($"DROP TABLE IF EXISTS {ChangesTable}; CREATE TABLE {ChangesTable} (name TEXT PRIMARY KEY)");
        foreach (var table in tables)
        foreach (var operation in Operations)
            live.Execute($"CREATE TEMP TRIGGER {Trigger(table, operation)} AFTER {operation} ON main.{TableFingerprint.Quote(table)} " +
                         $"BEGIN INSERT OR IGNORE INTO {ChangesTable} (name) VALUES ('{table.Replace("'", "''")}'); END");
    }

    private static void StopWatching(BunkerDatabase live, IEnumerable<string> tables)
    {
        foreach (var table in tables)
        foreach (var operation in Operations)
            live.Execute($"DROP TRIGGER IF EXISTS temp.{Trigger(table, operation)}");
        live.Execute($"DROP TABLE IF EXISTS {ChangesTable}");
    }

    private static string Trigger(string table, string operation) => TableFingerprint.Quote($"lamassuops_strip_{table}_{operation}");

    private static LamassuOpsException PlanChanged(BunkerDatabase live, string what) => new(StaleSigningConditionStrip.StripPlanChanged,
        FailureKind.InvalidOperation, $"'{live.Path}' changed while the strip classified it ({what}); nothing was removed.",
        live.Path, "Run the strip again and confirm what it lists now.");

    private static void Rollback(BunkerDatabase database)
    {
        try
        {
            database.Execute("ROLLBACK;");
        }
        catch (LamassuOpsException)
        {
            // SQLite had already rolled back (it does so itself on some errors): no transaction was active any more.
        }
    }
}
