using LamassuOps.Core.Bunker;

namespace LamassuOps.Core.Lnbits;

/// <summary>
/// What Repair-BunkerPairing will do to one instance, and the steps that do it and prove it: <see cref="Make"/> (the
/// plan, from the live database, the backup and LNbits' accounts), <see cref="Untouched"/> (before the change, inside the
/// transaction: what must stay), <see cref="Apply"/> (the rows written) and <see cref="Prove"/> (after the change, inside
/// the transaction). Each is a method of its own so a shared maintenance pipeline can call them as its plan, change and
/// proof. No row of the live database is ever overwritten: a pairing whose rows would collide with live rows is
/// NotRepairable with the conflict named.
/// </summary>
internal sealed class RepairPlan
{
    public const string PlanChanged = "RepairPlanChanged";
    public const string ProofFailed = "RepairProofFailed";

    /// <summary>The order rows are copied in, so every foreign key finds its row.</summary>
    private static readonly string[] CopyOrder = ["Policy", "PolicyRule", "KeyUser", "Token"];

    private readonly BunkerDatabase _database;
    private readonly BunkerDatabase? _backup;
    private readonly LnbitsSnapshot _lnbits;
    private readonly List<Outcome> _outcomes = [];
    private readonly Dictionary<(string Table, long Id), RowCopy> _copies = [];
    private readonly HashSet<string> _healthy = new(StringComparer.Ordinal);
    private Dictionary<string, BunkerPairingVerdict>? _backupVerdicts;

    private RepairPlan(BunkerDatabase database, BunkerDatabase? backup, LnbitsSnapshot lnbits)
    {
        _database = database;
        _backup = backup;
        _lnbits = lnbits;
    }

    /// <summary>The pairings the plan mends.</summary>
    public IReadOnlyList<Outcome> Repairs => _outcomes.Where(o => o.Method != PairingRepairMethod.None).ToList();

    /// <summary>Every table but the pairing tables (and SQLite's own): byte-for-byte unchanged, checked by the transaction.</summary>
    public static IReadOnlyList<string> PreservedTables(BunkerSchema schema) =>
        schema.TableNames.Where(t => !MaintenanceTransaction.PairingTables.Contains(t, StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();

    public static RepairPlan Make(BunkerDatabase database, BunkerDatabase? backup, LnbitsSnapshot lnbits, IReadOnlySet<string>? accountIds,
        DateTimeOffset asOf, IOperationHost host)
    {
        var plan = new RepairPlan(database, backup, lnbits);
        var configs = lnbits.Accounts.ToDictionary(a => a.Row.Id, a => a.Config, StringComparer.Ordinal);
        var verdicts = BunkerPairingTest.Test(database, lnbits, asOf, host).Where(v => v.AccountId is not null).ToList();
        foreach (var id in accountIds?.Where(id => !configs.ContainsKey(id)) ?? [])
            host.WriteWarning($"LNbits account '{id}' of '{lnbits.Name}' has no signer_config: it has no bunker pairing to repair.");
        foreach (var verdict in verdicts)
        {
            if (verdict.Verdict == PairingVerdict.Healthy) plan._healthy.Add(verdict.AccountId!);
            else if (accountIds is null || accountIds.Contains(verdict.AccountId!))
                plan._outcomes.Add(plan.Decide(verdict, configs[verdict.AccountId!], asOf, host));
        }
        return plan;
    }

    /// <summary>"2 pairings (alice: copied from the backup; bob: KeyUser re-created), 1 not repairable".</summary>
    public string Describe()
    {
        var repairs = Repairs;
        var notRepairable = _outcomes.Count - repairs.Count;
        var what = repairs.Count == 0 ? "no pairing"
            : $"{repairs.Count} pairing(s) ({string.Join("; ", repairs.Select(r => $"{r.Verdict.Username ?? r.Verdict.AccountId}: {string.Join(", ", r.Rows)}"))})";
        return what + (notRepairable > 0 ? $", {notRepairable} not repairable" : "");
    }

    /// <summary>Inside the transaction: the plan made again must be the one confirmed (the same rows for the same pairings).</summary>
    public void RequireSameAs(RepairPlan confirmed, string path)
    {
        if (Describe() == confirmed.Describe()) return;
        throw new LamassuOpsException(PlanChanged, FailureKind.InvalidOperation,
            $"'{path}' changed between the confirmation and the repair (now: {Describe()}); nothing was changed.", path,
            "Run Repair-BunkerPairing again and confirm what it lists now.");
    }

    public IEnumerable<BunkerPairingRepair> Results(PairingRepairAction action, string? backupPath, RepairApplied? applied = null) =>
        _outcomes.Select(o => o.Result(_database.Path, _lnbits.Name, o.Method == PairingRepairMethod.None ? PairingRepairAction.NotRepairable : action,
            backupPath, applied)).ToList();

    // ---- the plan ----

    private Outcome Decide(BunkerPairingVerdict verdict, SignerConfig config, DateTimeOffset asOf, IOperationHost host)
    {
        if (verdict.Verdict != PairingVerdict.Dangling)
            return Outcome.NotRepairable(verdict, $"{verdict.Verdict}: {verdict.Evidence}. No row is missing, so there is nothing to restore: {verdict.Repair}");
        var token = LiveToken(config.Token!);
        if (token is null) return FromBackup(verdict, config, asOf, host);
        if (token.RedeemedAt is null)
            return Outcome.NotRepairable(verdict, $"token {token.Id} was never redeemed, so no pairing was lost. Redeeming it here would grant what " +
                "no client asked for; LNbits' NIP-46 connect with the token redeems it and keeps its client key.");
        var keyUser = KeyUserOf(_database, token.KeyName, config.ClientPubkey!);
        if (keyUser is { RevokedAt: not null })
            return Outcome.NotRepairable(verdict, $"KeyUser {keyUser.Id} of key '{token.KeyName}' holds LNbits' client key but is revoked; " +
                "Repair-BunkerPairing does not lift revocations: clear its revokedAt if the revocation was a mistake.");
        if (keyUser is not null)
            return new Outcome(verdict, PairingRepairMethod.ReboundToken, $"token {token.Id} survived and KeyUser {keyUser.Id} holds LNbits' client key",
                [$"bound Token {token.Id} to KeyUser {keyUser.Id}"], token.Id, token.KeyName) { Binding = new TokenBinding(token.Id, keyUser.Id, null) };
        if (_backup is not null && KeyUserOf(_backup, token.KeyName, config.ClientPubkey!) is { RevokedAt: null } saved
            && Copy("KeyUser", saved.Id, _backup.Path) is var copy && IdFree(copy))
        {
            _copies[(copy.Table, copy.Id)] = copy;
            return new Outcome(verdict, PairingRepairMethod.CopiedFromBackup, $"token {token.Id} survived; its KeyUser {saved.Id} is copied back from the backup",
                [$"copied KeyUser {saved.Id}", $"bound Token {token.Id} to KeyUser {saved.Id}"], token.Id, token.KeyName)
                { Binding = new TokenBinding(token.Id, saved.Id, null) };
        }
        var creation = new KeyUserCreation(token.KeyName, config.ClientPubkey!, token.ClientName);
        return new Outcome(verdict, PairingRepairMethod.RecreatedKeyUser,
            $"token {token.Id} survived and only its KeyUser is gone: a KeyUser of key '{token.KeyName}' with LNbits' client pubkey is made again",
            [$"created a KeyUser of key '{token.KeyName}'", $"bound Token {token.Id} to it"], token.Id, token.KeyName)
            { Binding = new TokenBinding(token.Id, null, creation) };
    }

    /// <summary>The token is gone from the live database: its pairing's rows come from the backup, where it must be Healthy.</summary>
    private Outcome FromBackup(BunkerPairingVerdict verdict, SignerConfig config, DateTimeOffset asOf, IOperationHost host)
    {
        if (_backup is null)
            return Outcome.NotRepairable(verdict, "LNbits' token is unknown to the bunker and no -FromBackup was given. Give a bunker backup " +
                "that holds this pairing; without one only LNbits' provision() helps, and it mints a new identity.");
        _backupVerdicts ??= BunkerPairingTest.Test(_backup, _lnbits, asOf, host).Where(v => v.AccountId is not null)
            .ToDictionary(v => v.AccountId!, StringComparer.Ordinal);
        var saved = _backupVerdicts[verdict.AccountId!];
        if (saved.Verdict != PairingVerdict.Healthy)
            return Outcome.NotRepairable(verdict, $"the backup '{_backup.Path}' does not hold this pairing Healthy either ({saved.Verdict}: {saved.Evidence}); " +
                "give an older backup that has it, or only LNbits' provision() helps, and it mints a new identity.");

        var conflicts = new List<string>();
        var copies = new List<RowCopy>();
        var rows = new List<string>();
        var token = Copy("Token", saved.TokenId!.Value, _backup.Path);
        var policyId = (long)token.Values["policyId"]!;
        if (Row(_database, "Policy", policyId) is { } livePolicy)
        {
            var name = (string?)Copy("Policy", policyId, _backup.Path).Values["name"];
            if (!Equals(livePolicy["name"], name))
                conflicts.Add($"Policy id {policyId} is taken by policy '{livePolicy["name"]}', not the backup's '{name}'");
        }
        else
        {
            copies.Add(Copy("Policy", policyId, _backup.Path));
            copies.AddRange(Ids(_backup, "SELECT id FROM PolicyRule WHERE policyId = $id ORDER BY id", policyId).Select(id => Copy("PolicyRule", id, _backup.Path)));
        }
        long keyUserId;
        if (KeyUserOf(_database, saved.KeyName!, config.ClientPubkey!) is { } live)
        {
            keyUserId = live.Id;
            if (live.RevokedAt is not null) conflicts.Add($"KeyUser {live.Id} holds LNbits' client key for key '{saved.KeyName}' but is revoked (revocations are not lifted)");
        }
        else
        {
            keyUserId = saved.KeyUserId!.Value;
            copies.Add(Copy("KeyUser", keyUserId, _backup.Path));
        }
        copies.Add(token with { Values = new Dictionary<string, object?>(token.Values) { ["keyUserId"] = keyUserId } });
        foreach (var copy in copies)
        {
            if (IdFree(copy)) rows.Add($"copied {copy.Table} {copy.Id}");
            else conflicts.Add($"{copy.Table} id {copy.Id} is taken by another row in the live database");
        }
        if (copies.All(c => c.Table != "KeyUser")) rows.Add($"bound it to KeyUser {keyUserId}");
        if (conflicts.Count > 0)
            return Outcome.NotRepairable(verdict, $"the backup holds it, but copying it back would overwrite live rows: {string.Join("; ", conflicts)}. " +
                "Nothing of this pairing is copied; a live row is never overwritten.");
        foreach (var copy in copies) _copies[(copy.Table, copy.Id)] = copy;
        return new Outcome(verdict, PairingRepairMethod.CopiedFromBackup, $"copied back from the backup '{_backup.Path}', where it is Healthy",
            rows, saved.TokenId, saved.KeyName) { BoundKeyUserId = keyUserId };
    }

    /// <summary>Whether the copy's id is free in the live database; the same copy already planned (a policy two pairings share) counts as free.</summary>
    private bool IdFree(RowCopy copy) => _copies.TryGetValue((copy.Table, copy.Id), out var planned)
        ? planned.SameValues(copy)
        : Row(_database, copy.Table, copy.Id) is null;

    private RowCopy Copy(string table, long id, string source)
    {
        var columns = _database.Schema.Columns(table).Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var values = Row(_backup!, table, id) ?? throw new LamassuOpsException(ProofFailed, FailureKind.InvalidData,
            $"The backup '{source}' has no {table} {id}, which its own pairing refers to.", source, "Check the backup with Test-BunkerDatabase.");
        return new RowCopy(table, id, values.Where(v => columns.Contains(v.Key)).ToDictionary(v => v.Key, v => v.Value, StringComparer.OrdinalIgnoreCase));
    }

    private LiveTokenRow? LiveToken(string token) => _database.Query("SELECT id, keyName, clientName, redeemedAt FROM Token WHERE token = $token",
        r => new LiveTokenRow(r.GetInt64(0), r.GetString(1), BunkerTokenRow.NullableString(r, 2), r.IsDBNull(3) ? null : r.GetValue(3)),
        default, ("$token", token)).FirstOrDefault();

    private static KeyUserRow? KeyUserOf(BunkerDatabase database, string keyName, string pubkey) => database.Query(
        "SELECT id, revokedAt FROM KeyUser WHERE keyName = $keyName AND lower(userPubkey) = lower($pubkey) ORDER BY id",
        r => new KeyUserRow(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetValue(1)), default, ("$keyName", keyName), ("$pubkey", pubkey)).FirstOrDefault();

    private static IEnumerable<long> Ids(BunkerDatabase database, string sql, long id) =>
        database.Query(sql, r => r.GetInt64(0), default, ("$id", id)).ToList();

    /// <summary>One row by id, every column with its value as stored; null when there is none.</summary>
    private static Dictionary<string, object?>? Row(BunkerDatabase database, string table, long id) =>
        database.Query($"SELECT * FROM {TableFingerprint.Quote(table)} WHERE id = $id", ReadRow, default, ("$id", id)).FirstOrDefault();

    private static Dictionary<string, object?> ReadRow(SqliteRow reader) =>
        Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i), StringComparer.OrdinalIgnoreCase);

    // ---- the change and its proof (inside the transaction) ----

    /// <summary>Before the change: the pairing tables' fingerprints without the rows the repair rewrites, and those rows.</summary>
    public RepairUntouched Untouched(BunkerDatabase database, CancellationToken cancellationToken)
    {
        var rebound = Bindings.Select(b => b.TokenId).ToHashSet();
        return new RepairUntouched(Fingerprints(database, new() { ["Token"] = rebound }, cancellationToken),
            rebound.ToDictionary(id => id, id => Row(database, "Token", id)!));
    }

    /// <summary>Writes the plan: the copies in foreign-key order, then the re-created KeyUsers, then the token bindings.</summary>
    public RepairApplied Apply(BunkerDatabase database, DateTimeOffset now)
    {
        foreach (var copy in _copies.Values.OrderBy(c => Array.IndexOf(CopyOrder, c.Table)).ThenBy(c => c.Id))
        {
            var columns = copy.Values.Keys.ToList();
            database.Execute($"INSERT INTO {TableFingerprint.Quote(copy.Table)} ({string.Join(", ", columns.Select(TableFingerprint.Quote))}) " +
                             $"VALUES ({string.Join(", ", columns.Select((_, i) => "$v" + i))})",
                columns.Select((c, i) => ("$v" + i, copy.Values[c])).ToArray());
        }
        var created = new Dictionary<KeyUserCreation, long>();
        var stamp = now.ToUnixTimeMilliseconds();
        foreach (var creation in Bindings.Select(b => b.Created).OfType<KeyUserCreation>())
            created[creation] = (long)database.Scalar(
                "INSERT INTO KeyUser (keyName, userPubkey, description, createdAt, updatedAt) VALUES ($keyName, $pubkey, $description, $now, $now) RETURNING id",
                ("$keyName", creation.KeyName), ("$pubkey", creation.Pubkey), ("$description", creation.Description), ("$now", stamp))!;
        var bound = new Dictionary<long, long>();
        foreach (var binding in Bindings)
        {
            var keyUserId = binding.KeyUserId ?? created[binding.Created!];
            database.Execute("UPDATE Token SET keyUserId = $keyUserId WHERE id = $id", ("$keyUserId", keyUserId), ("$id", binding.TokenId));
            bound[binding.TokenId] = keyUserId;
        }
        return new RepairApplied(bound, created.Values.ToHashSet());
    }

    /// <summary>
    /// After the change, still inside the transaction: every copied row is the backup's row, every rebound token differs
    /// only in keyUserId, every other row of the pairing tables is byte-for-byte as before, every mended pairing is
    /// Healthy with LNbits' client key and its key, and every pairing that was Healthy still is. Throws otherwise, which
    /// rolls the transaction back.
    /// </summary>
    public void Prove(BunkerDatabase database, RepairApplied applied, RepairUntouched untouched, DateTimeOffset asOf, IOperationHost host)
    {
        var problems = new List<string>();
        foreach (var copy in _copies.Values)
            if (Row(database, copy.Table, copy.Id) is not { } row || !copy.SameValues(copy with { Values = row.Where(v => copy.Values.ContainsKey(v.Key)).ToDictionary() }))
                problems.Add($"{copy.Table} {copy.Id} is not the backup's row");
        foreach (var (tokenId, before) in untouched.Tokens)
        {
            var after = Row(database, "Token", tokenId)!;
            if (!Equals(after["keyUserId"], applied.Bound[tokenId]) || before.Keys.Any(c => c != "keyUserId" && !RowCopy.SameValue(before[c], after[c])))
                problems.Add($"Token {tokenId} changed in more than its keyUserId");
        }
        var inserted = _copies.Keys.ToLookup(k => k.Table, k => k.Id);
        var skipped = new Dictionary<string, HashSet<long>>
        {
            ["KeyUser"] = inserted["KeyUser"].Concat(applied.Created).ToHashSet(),
            ["Token"] = inserted["Token"].Concat(untouched.Tokens.Keys).ToHashSet(),
            ["Policy"] = inserted["Policy"].ToHashSet(),
            ["PolicyRule"] = inserted["PolicyRule"].ToHashSet(),
        };
        problems.AddRange(Fingerprints(database, skipped, host.CancellationToken).Zip(untouched.Fingerprints).Where(p => p.First != p.Second).Select(p => $"rows of {p.First.Table} outside the repair changed"));

        var verdicts = BunkerPairingTest.Test(database, _lnbits, asOf, host).Where(v => v.AccountId is not null).ToDictionary(v => v.AccountId!, StringComparer.Ordinal);
        foreach (var repair in Repairs)
        {
            var now = verdicts[repair.Verdict.AccountId!];
            if (now.Verdict != PairingVerdict.Healthy || now.KeyName != repair.KeyName || now.BunkerClientPubkey != now.LnbitsClientPubkey)
                problems.Add($"the pairing of LNbits account '{repair.Verdict.AccountId}' is {now.Verdict} after the repair ({now.Evidence})");
        }
        foreach (var id in _healthy.Where(id => verdicts[id].Verdict != PairingVerdict.Healthy))
            problems.Add($"the pairing of LNbits account '{id}' was Healthy and is now {verdicts[id].Verdict} ({verdicts[id].Evidence})");
        if (problems.Count == 0)
        {
            host.WriteVerbose($"Proven inside the transaction: {Repairs.Count} mended pairing(s) Healthy, {_healthy.Count} Healthy pairing(s) kept, every other row unchanged.");
            return;
        }
        throw new LamassuOpsException(ProofFailed, FailureKind.InvalidResult,
            $"The repair of '{database.Path}' did not hold up: {string.Join("; ", problems)}. It was rolled back and nothing changed.", database.Path,
            "A trigger or another writer changed the database during the repair: check `sqlite3 nsecbunker.db .schema` for triggers, then run it again.");
    }

    private IEnumerable<TokenBinding> Bindings => _outcomes.Select(o => o.Binding).OfType<TokenBinding>();

    /// <summary>The pairing tables' fingerprints, each without the rows <paramref name="skipped"/> names for it.</summary>
    private static List<TableFingerprint> Fingerprints(BunkerDatabase database, Dictionary<string, HashSet<long>> skipped,
        CancellationToken cancellationToken) =>
        MaintenanceTransaction.PairingTables.Where(database.Schema.HasTable).Select(table => database.Guard(() => TableFingerprint.Compute(
            database.Connection, table, null, cancellationToken, skipped.TryGetValue(table, out var ids) ? ids : []))).ToList();

    private sealed record LiveTokenRow(long Id, string KeyName, string? ClientName, object? RedeemedAt);

    private sealed record KeyUserRow(long Id, object? RevokedAt);

    /// <summary>One pairing's decision.</summary>
    internal sealed record Outcome(BunkerPairingVerdict Verdict, PairingRepairMethod Method, string Reason, IReadOnlyList<string> Rows,
        long? TokenId, string? KeyName)
    {
        public TokenBinding? Binding { get; init; }

        public long? BoundKeyUserId { get; init; }

        public static Outcome NotRepairable(BunkerPairingVerdict verdict, string reason) =>
            new(verdict, PairingRepairMethod.None, reason, [], verdict.TokenId, verdict.KeyName);

        public BunkerPairingRepair Result(string path, string lnbits, PairingRepairAction action, string? backupPath, RepairApplied? applied) => new()
        {
            Path = path, LnbitsDatabase = lnbits, AccountId = Verdict.AccountId!, Username = Verdict.Username, VerdictBefore = Verdict.Verdict,
            Action = action, Method = Method, KeyName = KeyName, TokenId = TokenId, Token = Verdict.Token, ClientPubkey = Verdict.LnbitsClientPubkey,
            KeyUserId = TokenId is { } token && applied?.Bound.TryGetValue(token, out var bound) == true ? bound
                : BoundKeyUserId ?? Binding?.KeyUserId ?? (Method == PairingRepairMethod.None ? Verdict.KeyUserId : null),
            Rows = Rows, Reason = Reason, IdentityUnchanged = true, BackupPath = backupPath,
        };
    }

    internal sealed record RowCopy(string Table, long Id, IReadOnlyDictionary<string, object?> Values)
    {
        public bool SameValues(RowCopy other) =>
            Values.Count == other.Values.Count && Values.All(v => other.Values.TryGetValue(v.Key, out var value) && SameValue(v.Value, value));

        public static bool SameValue(object? a, object? b) => a is byte[] x && b is byte[] y ? x.AsSpan().SequenceEqual(y) : Equals(a, b);
    }

    internal sealed record KeyUserCreation(string KeyName, string Pubkey, string? Description);

    internal sealed record TokenBinding(long TokenId, long? KeyUserId, KeyUserCreation? Created);
}

/// <summary>What stays: the pairing tables without the rows the repair rewrites, and the rows it rewrites as they were.</summary>
internal sealed record RepairUntouched(List<TableFingerprint> Fingerprints, Dictionary<long, Dictionary<string, object?>> Tokens);

/// <summary>What the change wrote: each token's KeyUser after it, and the ids of the KeyUsers it made.</summary>
internal sealed record RepairApplied(IReadOnlyDictionary<long, long> Bound, IReadOnlySet<long> Created);
