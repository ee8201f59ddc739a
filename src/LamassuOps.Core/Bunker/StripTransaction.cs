using Microsoft.Data.Sqlite;

namespace LamassuOps.Core.Bunker;

/// <summary>
/// The strip's plan and the pieces of its one short write transaction on the live database, which
/// <see cref="MaintenancePipeline"/> runs. The plan is the ids of the rows to remove, classified on the snapshot
/// (<see cref="StripSnapshot"/>) into a compact set in memory (<see cref="PlannedIds"/>; never the operator's schema). The
/// transaction, with the snapshot attached (<see cref="WithSnapshotAttached"/>):
/// <list type="number">
/// <item>re-validates the plan (<see cref="DeletePlanned"/>): KeyUser, Token, Policy and PolicyRule are as in the
///   snapshot (every column but the daemon's usage stamps lastUsedAt and updatedAt, which no classification reads), so
///   every verdict still holds;</item>
/// <item>deletes each planned row only while it is exactly the snapshot's row, and refuses the whole strip
///   (<see cref="StaleSigningConditionStrip.StripPlanChanged"/>) when one was changed or removed meanwhile; rows added
///   meanwhile are not in the plan and stay;</item>
/// <item>proves KeyUser, Token, Policy and PolicyRule untouched by this transaction (<see cref="UntouchedTablesProof"/>)
///   and the pairings all there (<see cref="CountsProof"/>), after the operation's own proofs (LNbits');</item>
/// <item>commits only when all of that holds; any failure or a stop rolls everything back.</item>
/// </list>
/// Everything inside the lock is SQL over primary keys, so the daemon's writes wait about as long as the DELETE
/// itself takes.
/// </summary>
internal static class StripTransaction
{
    private const string Snapshot = "lamassuops_snapshot";

    /// <summary>Columns the daemon rewrites on use and no classification reads.</summary>
    private static readonly HashSet<string> UsageStamps = new(["lastUsedAt", "updatedAt"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The ids of the rows to remove (a primary key: each comes once), added in the classification's order (by KeyUser),
    /// read in id order. Kept as Roaring bitmaps keep integers: grouped by their 2^16-id block, a block holds its few ids
    /// as a list and, past 4,096, as a bitmap of 8 KiB. The daemon's ids are dense (AUTOINCREMENT), so the 795,032
    /// planned ids of a million-row table take about 130 KiB. (A TEMP table took an INSERT per id, 1.3 to 1.7 s at that
    /// size, and was read back inside the write lock.)
    /// </summary>
    public sealed class PlannedIds
    {
        private const int BlockBits = 16;
        private const int ListedAtMost = 4096;
        private readonly Dictionary<long, Block> _blocks = [];
        private long _lastKey;
        private Block? _last;

        public long Count { get; private set; }

        public void Add(long id)
        {
            var key = id >> BlockBits;
            // A KeyUser's rows are mostly near one another: the block of the last id is usually the block of this one.
            if (_last is null || key != _lastKey)
            {
                if (!_blocks.TryGetValue(key, out _last)) _blocks[key] = _last = new Block();
                _lastKey = key;
            }
            _last.Add((ushort)(id & ((1 << BlockBits) - 1)));
            Count++;
        }

        /// <summary>Every id, ascending.</summary>
        public IEnumerable<long> Ascending()
        {
            foreach (var key in _blocks.Keys.Order())
                foreach (var low in _blocks[key].Ascending())
                    yield return (key << BlockBits) + low;
        }

        private sealed class Block
        {
            private List<ushort>? _listed = [];
            private ulong[]? _bits;

            public void Add(ushort low)
            {
                if (_bits is not null)
                {
                    _bits[low >> 6] |= 1UL << low;
                    return;
                }
                _listed!.Add(low);
                if (_listed.Count <= ListedAtMost) return;
                _bits = new ulong[(1 << BlockBits) / 64];
                foreach (var listed in _listed) _bits[listed >> 6] |= 1UL << listed;
                _listed = null;
            }

            public IEnumerable<int> Ascending()
            {
                if (_bits is null)
                {
                    _listed!.Sort();
                    foreach (var low in _listed) yield return low;
                    yield break;
                }
                for (var i = 0; i < _bits.Length; i++)
                    for (var word = _bits[i]; word != 0; word &= word - 1)
                        yield return i << 6 | System.Numerics.BitOperations.TrailingZeroCount(word);
            }
        }
    }

    /// <summary>
    /// The write: <see cref="MaintenancePipeline.OneTransaction"/> with the snapshot attached as <c>lamassuops_snapshot</c>
    /// (SQLite attaches outside a transaction only). The snapshot's path is read when the write runs: by then the
    /// pipeline's backup step may have published it under the backup's name.
    /// </summary>
    public sealed class WithSnapshotAttached(StripSnapshot snapshot) : IMaintenanceWrite
    {
        public T Run<T>(BunkerDatabase? database, IReadOnlyList<IMaintenanceProof> proofs, Func<T> apply, IOperationHost host)
        {
            ArgumentNullException.ThrowIfNull(database);
            database.Execute($"ATTACH DATABASE $path AS {Snapshot}", ("$path", snapshot.Path));
            // With foreign keys on, SQLite deletes from a table that has one in two passes, keeping the rowid of
            // every row to delete in memory first (about 15 MiB at 795,000 rows). Deleting SigningCondition rows can
            // break no foreign key while no table refers to SigningCondition; SQLite takes the setting outside a
            // transaction only.
            var keysOff = !IsReferenced(database, "SigningCondition");
            if (keysOff) database.Execute("PRAGMA foreign_keys = OFF;");
            try
            {
                return MaintenancePipeline.OneTransaction.Run(database, proofs, apply, host);
            }
            finally
            {
                if (keysOff) database.Execute("PRAGMA foreign_keys = ON;");
                database.Execute($"DETACH DATABASE {Snapshot}");
            }
        }
    }

    /// <summary>
    /// The change, inside the transaction: re-validates the plan against the attached snapshot and deletes the
    /// planned rows, each only while it is still exactly the snapshot's; the rows deleted.
    /// </summary>
    public static long DeletePlanned(BunkerDatabase live, PlannedIds plan)
    {
        var planned = plan.Count;
        if (MaintenanceTransaction.PairingTables.Where(live.Schema.HasTable).FirstOrDefault(table => !SameAsSnapshot(live, table)) is { } changed)
            throw PlanChanged(live, $"{changed} changed since the snapshot the rows were classified on");
        // Two statements, prepared once: the check first, then the delete; inside the one transaction nothing can
        // change in between.
        using var unchanged = live.CreateCommand(UnchangedPlanned(live));
        using var delete = live.CreateCommand(DeleteMarked);
        long deleted = 0;
        foreach (var window in PlanWindow.Read(plan))
        {
            if ((long)live.Guard(window.Bind(unchanged).ExecuteScalar)! is var same && same != window.Count)
                throw NotAsPlanned(live, window.Count - same, planned);
            deleted += live.Guard(window.Bind(delete).ExecuteNonQuery);
        }
        if (deleted != planned) throw NotAsPlanned(live, planned - deleted, planned);
        return deleted;
    }

    private static LamassuOpsException NotAsPlanned(BunkerDatabase live, long changed, long planned) =>
        PlanChanged(live, $"{changed} of the {planned} rows to remove were changed or removed by another writer since the snapshot");

    /// <summary>
    /// The planned ids of one stretch of the id space, as one byte per id (1 for planned) from <see cref="Low"/> on,
    /// bound to the statements as a blob. A test of a blob's byte, unlike an IN (SELECT ...) of a table of the ids, lets
    /// SQLite delete in one pass, row by row as it scans, instead of collecting the rowids first.
    /// </summary>
    private sealed class PlanWindow
    {
        /// <summary>Ids a window spans at most: 1 MiB of marks, so a million-row table is usually one window.</summary>
        private const int Span = 1 << 20;

        private PlanWindow(long low, byte[] marks, long count) => (Low, Marks, Count) = (low, marks, count);

        public long Low { get; }

        /// <summary>One byte per id from <see cref="Low"/> to the window's last planned id, so sparse ids cost little.</summary>
        public byte[] Marks { get; }

        public long Count { get; }

        public SqliteCommand Bind(SqliteCommand command)
        {
            command.Parameters.Clear();
            command.Parameters.AddWithValue("$low", Low);
            command.Parameters.AddWithValue("$marks", Marks);
            return command;
        }

        /// <summary>The plan's ids, in order, a window at a time.</summary>
        public static IEnumerable<PlanWindow> Read(PlannedIds plan)
        {
            var marks = new byte[Span];
            var (low, last, count) = (0L, 0L, 0L);
            foreach (var id in plan.Ascending())
            {
                // Unsigned: the difference of two ids can exceed a long's range, not a ulong's.
                if (count > 0 && (ulong)(id - low) >= Span) yield return Cut();
                if (count == 0) low = id;
                marks[id - low] = 1;
                (last, count) = (id, count + 1);
            }
            if (count > 0) yield return Cut();

            PlanWindow Cut()
            {
                var used = (int)(last - low) + 1;
                var window = new PlanWindow(low, marks[..used], count);
                Array.Clear(marks, 0, used);
                count = 0;
                return window;
            }
        }
    }

    /// <summary>The ids of a <see cref="PlanWindow"/>: the rows from its low id on that its marks select.</summary>
    private const string MarkedIds = "m.id >= $low AND m.id < $low + length($marks) AND substr($marks, m.id - $low + 1, 1) = x'01'";

    private const string DeleteMarked = $"DELETE FROM main.SigningCondition AS m WHERE {MarkedIds}";

    /// <summary>How many rows of a <see cref="PlanWindow"/> are still exactly the snapshot's.</summary>
    private static string UnchangedPlanned(BunkerDatabase live)
    {
        var same = live.Schema.Columns("SigningCondition").Select(c => $" AND s.{TableFingerprint.Quote(c.Name)} IS m.{TableFingerprint.Quote(c.Name)}");
        return $"SELECT count(*) FROM main.SigningCondition AS m JOIN {Snapshot}.SigningCondition AS s ON s.id = m.id " +
               $"WHERE {MarkedIds}{string.Concat(same)}";
    }

    /// <summary>Whether a foreign key of any table refers to <paramref name="table"/>.</summary>
    private static bool IsReferenced(BunkerDatabase database, string table) => MaintenanceTransaction.Count(database,
        "SELECT count(*) FROM main.sqlite_schema AS t, pragma_foreign_key_list(t.name) AS f " +
        "WHERE t.type = 'table' AND f.\"table\" = $table COLLATE NOCASE", ("$table", table)) > 0;

    /// <summary>
    /// The proof that the strip removed exactly the planned rows and every pairing is still there (as many as the
    /// snapshot's <paramref name="pairings"/>); it holds the SigningCondition counts before and after, for the result.
    /// </summary>
    public sealed class CountsProof(long planned, long pairings) : IMaintenanceProof
    {
        public long Before { get; private set; }

        public long After { get; private set; }

        public void Capture(BunkerDatabase database, IOperationHost host) => Before = CountConditions(database);

        public string Verify(BunkerDatabase database, IOperationHost host)
        {
            After = CountConditions(database);
            var pairingsNow = CountPairings(database);
            if (After != Before - planned || pairingsNow != pairings)
                throw new LamassuOpsException(StaleSigningConditionStrip.StripPairingLost, FailureKind.InvalidResult,
                    $"The strip of '{database.Path}' would have left {After} of {Before} SigningCondition rows after removing {planned}, and " +
                    $"{pairingsNow} of {pairings} pairings; it was rolled back and nothing changed.", database.Path,
                    "This is a bug: report it with the output of Get-BunkerSigningCondition.");
            return $"{planned} planned rows removed unchanged, {After} left; {pairingsNow} pairings";
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

    private static LamassuOpsException PlanChanged(BunkerDatabase live, string what) => new(StaleSigningConditionStrip.StripPlanChanged,
        FailureKind.InvalidOperation, $"'{live.Path}' changed while the strip classified it ({what}); nothing was removed.",
        live.Path, "Run the strip again and confirm what it lists now.");
}
