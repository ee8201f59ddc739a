using LamassuOps.Core.Bunker;

namespace LamassuOps.Core.Lnbits;

/// <summary>What Repair-BunkerPairing mends.</summary>
public sealed class RepairBunkerPairingOptions
{
    /// <summary>The live nsecbunker.db.</summary>
    public required string BunkerDatabase { get; init; }

    /// <summary>LNbits' SQLite file or PostgreSQL URL (only read).</summary>
    public required string LnbitsDatabase { get; init; }

    /// <summary>The LNbits accounts whose pairings to mend; null: every signer account of the instance.</summary>
    public IReadOnlySet<string>? AccountIds { get; init; }

    /// <summary>A bunker backup to copy the missing KeyUser, Token, Policy and PolicyRule rows from (only read).</summary>
    public string? FromBackup { get; init; }

    /// <summary>Where the verified backup taken first goes (beside the database when null).</summary>
    public string? BackupDirectory { get; init; }

    /// <summary>The moment verdicts are judged at; now when null.</summary>
    public DateTimeOffset? AsOf { get; init; }
}

public enum PairingRepairAction
{
    /// <summary>Mended, proven Healthy inside the transaction, committed.</summary>
    Repaired,

    /// <summary>-WhatIf (or a declined confirmation): it would be mended; nothing was changed.</summary>
    WouldRepair,

    /// <summary>It cannot be mended without a new identity, or a conflict stops it; the reason says which.</summary>
    NotRepairable,
}

public enum PairingRepairMethod
{
    None,

    /// <summary>The pairing's missing rows were copied from the backup.</summary>
    CopiedFromBackup,

    /// <summary>The token survived; its KeyUser was made again from the token's key name and LNbits' client pubkey.</summary>
    RecreatedKeyUser,

    /// <summary>The token survived and a KeyUser with LNbits' client pubkey exists; the token was bound to it again.</summary>
    ReboundToken,
}

/// <summary>What Repair-BunkerPairing did for one LNbits account's pairing.</summary>
public sealed class BunkerPairingRepair
{
    /// <summary>The bunker database.</summary>
    public required string Path { get; init; }

    public required string LnbitsDatabase { get; init; }

    public required string AccountId { get; init; }

    public string? Username { get; init; }

    public required PairingVerdict VerdictBefore { get; init; }

    public required PairingRepairAction Action { get; init; }

    public required PairingRepairMethod Method { get; init; }

    public string? KeyName { get; init; }

    /// <summary>The KeyUser the token is bound to after the repair (null when none is known before it runs).</summary>
    public long? KeyUserId { get; init; }

    public long? TokenId { get; init; }

    /// <summary>The token, masked.</summary>
    public string? Token { get; init; }

    /// <summary>The client pubkey LNbits signs with, which the KeyUser holds after the repair.</summary>
    public string? ClientPubkey { get; init; }

    /// <summary>The rows written ("copied KeyUser 4 from the backup", "bound Token 7 to KeyUser 4").</summary>
    public required IReadOnlyList<string> Rows { get; init; }

    public required string Reason { get; init; }

    /// <summary>
    /// The user's nostr identity is what it was: the token's key is the same and the KeyUser holds the client key LNbits
    /// signs with. Always true: a pairing that would need a new identity is NotRepairable.
    /// </summary>
    public required bool IdentityUnchanged { get; init; }

    /// <summary>The verified backup taken before the change (null when nothing was changed).</summary>
    public string? BackupPath { get; init; }
}

/// <summary>
/// Repair-BunkerPairing: mends LNbits pairings in the bunker without changing identities. The plan
/// (<see cref="RepairPlan"/>) is made from the live database, LNbits' accounts and the backup; confirmed; then, after a
/// verified backup, applied in one write transaction that plans again (it must be the confirmed plan), writes the
/// rows (<see cref="RepairPlan.Apply"/>) and proves (<see cref="RepairPlan.Prove"/>) that every mended pairing is now
/// Healthy, that no pairing that was Healthy stopped being so, and that every row not part of the repair is
/// byte-for-byte as it was; it rolls back otherwise.
/// </summary>
public static class BunkerPairingRepairOperation
{
    public const string BackupIsTheDatabase = "RepairBackupIsTheDatabase";

    /// <summary>
    /// One pipeline's repairs: the objects it brings (Test-BunkerPairing's verdicts) are gathered per instance, then each
    /// instance is repaired once, with one backup and one transaction, for all the accounts asked for.
    /// </summary>
    public sealed class Pipeline
    {
        private readonly List<(string Bunker, string Lnbits)> _order = [];
        private readonly Dictionary<(string, string), HashSet<string>?> _accounts = [];

        /// <summary>Adds accounts of an instance; none (null) means every signer account of it.</summary>
        public void Add(string bunkerDatabase, string lnbitsDatabase, IEnumerable<string>? accountIds)
        {
            var key = (bunkerDatabase, lnbitsDatabase);
            if (!_accounts.TryGetValue(key, out var known))
            {
                _order.Add(key);
                _accounts[key] = accountIds?.ToHashSet(StringComparer.Ordinal);
            }
            else if (known is not null)
            {
                if (accountIds is null) _accounts[key] = null;
                else known.UnionWith(accountIds);
            }
        }

        /// <summary>The gathered instances, in the order they came, as options with <paramref name="template"/>'s other settings.</summary>
        public IEnumerable<RepairBunkerPairingOptions> Instances(RepairBunkerPairingOptions template) =>
            _order.Select(key => new RepairBunkerPairingOptions
            {
                BunkerDatabase = key.Bunker, LnbitsDatabase = key.Lnbits, AccountIds = _accounts[key], FromBackup = template.FromBackup,
                BackupDirectory = template.BackupDirectory, AsOf = template.AsOf,
            });
    }

    /// <summary>One instance: a bunker and an LNbits database, with the accounts the pipeline asked for.</summary>
    public static IEnumerable<BunkerPairingRepair> Run(RepairBunkerPairingOptions options, IOperationHost host)
    {
        var asOf = options.AsOf ?? DateTimeOffset.UtcNow;
        using var database = MaintenanceTransaction.Open(options.BunkerDatabase);
        using var backup = options.FromBackup is null ? null : OpenBackup(options.FromBackup, database.Path);
        var lnbits = LnbitsSnapshot.Read(options.LnbitsDatabase, host);
        var plan = InReadTransaction(database, () => RepairPlan.Make(database, backup, lnbits, options.AccountIds, asOf, host));
        if (plan.Repairs.Count == 0)
        {
            host.WriteVerbose($"'{database.Path}': nothing to repair ({plan.Describe()}).");
            return plan.Results(PairingRepairAction.NotRepairable, backupPath: null);
        }
        if (database.Schema.Variant == BunkerSchemaVariant.Upstream)
            host.WriteWarning($"'{database.Path}' has the upstream schema, where nsecbunkerd grants only through SigningCondition rows: a mended " +
                              "KeyUser is Healthy as a pairing but has no grants until the admin allows its requests again.");
        var done = MaintenancePipeline.Run(new MaintenanceRun<RepairApplied>
        {
            Target = database.Path,
            Database = database,
            Summary = $"Repair {plan.Describe()}",
            Backup = MaintenanceBackup.Beside(noBackup: false, options.BackupDirectory, asOf),
            Proofs = [new PreservedTablesProof(RepairPlan.PreservedTables(database.Schema))],
            Apply = () =>
            {
                var now = RepairPlan.Make(database, backup, lnbits, options.AccountIds, asOf, host);
                now.RequireSameAs(plan, database.Path);
                var untouched = now.Untouched(database, host.CancellationToken);
                var applied = now.Apply(database, asOf);
                now.Prove(database, applied, untouched, asOf, host);
                return applied;
            },
        }, host);
        if (done is not { } repaired) return plan.Results(PairingRepairAction.WouldRepair, backupPath: null);
        var (proven, backupPath) = repaired;
        host.WriteVerbose($"'{database.Path}': repaired {plan.Describe()}.");
        return plan.Results(PairingRepairAction.Repaired, backupPath, proven);
    }

    private static BunkerDatabase OpenBackup(string path, string live)
    {
        var backup = BunkerDatabase.OpenReadOnly(path);
        // The same file under another name (a hard link, a symbolic link) is the live database too.
        if (!FileStat.Of(live).IsSameFileAs(FileStat.Of(backup.Path)))
        {
            // One snapshot of the backup for the plan and for the transaction's plan again.
            backup.Execute("BEGIN;");
            return backup;
        }
        backup.Dispose();
        throw new LamassuOpsException(BackupIsTheDatabase, FailureKind.InvalidArgument,
            $"-FromBackup names the live database '{live}' itself; nothing was changed.", live,
            "Give a backup of it (Backup-BunkerDatabase writes one; the files beside it named nsecbunker.db.*.bak are earlier ones).");
    }

    private static T InReadTransaction<T>(BunkerDatabase database, Func<T> read)
    {
        database.Execute("BEGIN;");
        try
        {
            return read();
        }
        finally
        {
            database.Execute("ROLLBACK;");
        }
    }
}
