namespace LamassuOps.Core.Bunker;

/// <summary>
/// What a restore would change in the terms an operator cares about: the pairings (KeyUser keyName and client
/// pubkey) and redeemed tokens it would add and drop, the bunker keys that would disappear, and whether the backup's
/// schema is older than the live one (the live-grant fork's additions, applied Prisma migrations). Pairings are
/// identified by keyName and userPubkey, tokens by their value (unique), shown masked.
/// </summary>
public sealed class RestoreComparison
{
    private const int Listed = 10;

    private RestoreComparison(IReadOnlyList<string> pairingsAdded, IReadOnlyList<string> pairingsRemoved,
        IReadOnlyList<string> redeemedTokensRemoved, IReadOnlyList<string> keysRemoved, IReadOnlyList<string> schemaDowngrade)
    {
        PairingsAdded = pairingsAdded;
        PairingsRemoved = pairingsRemoved;
        RedeemedTokensRemoved = redeemedTokensRemoved;
        KeysRemoved = keysRemoved;
        SchemaDowngrade = schemaDowngrade;
    }

    /// <summary>"keyName userPubkey" of each KeyUser the backup has and the live database does not.</summary>
    public IReadOnlyList<string> PairingsAdded { get; }

    /// <summary>"keyName userPubkey" of each KeyUser the live database has and the backup does not.</summary>
    public IReadOnlyList<string> PairingsRemoved { get; }

    /// <summary>Redeemed tokens of the live database the backup does not have ("keyName token (client)", the token masked).</summary>
    public IReadOnlyList<string> RedeemedTokensRemoved { get; }

    /// <summary>Bunker keys (Key.keyName) of the live database the backup does not have.</summary>
    public IReadOnlyList<string> KeysRemoved { get; }

    /// <summary>What the live schema has and the backup's lacks: fork additions and applied migrations.</summary>
    public IReadOnlyList<string> SchemaDowngrade { get; }

    public bool LosesPairings => PairingsRemoved.Count > 0 || RedeemedTokensRemoved.Count > 0 || KeysRemoved.Count > 0;

    public bool DowngradesSchema => SchemaDowngrade.Count > 0;

    /// <summary>Compares the backup with the live database (null when there is none yet: everything is added).</summary>
    public static RestoreComparison Compare(BunkerDatabase backup, BunkerDatabase? current, CancellationToken cancellationToken)
    {
        var backupPairings = Pairings(backup, cancellationToken);
        if (current is null) return new RestoreComparison(backupPairings.Order(StringComparer.Ordinal).ToList(), [], [], [], []);

        var currentPairings = Pairings(current, cancellationToken);
        var backupTokens = RedeemedTokens(backup, cancellationToken).Select(t => t.Token).ToHashSet(StringComparer.Ordinal);
        var backupKeys = Keys(backup, cancellationToken);
        return new RestoreComparison(
            Missing(backupPairings, currentPairings),
            Missing(currentPairings, backupPairings),
            RedeemedTokens(current, cancellationToken).Where(t => !backupTokens.Contains(t.Token)).Select(t => t.Shown).Order(StringComparer.Ordinal).ToList(),
            Missing(Keys(current, cancellationToken), backupKeys),
            SchemaLost(backup, current, cancellationToken));
    }

    /// <summary>The first few of <paramref name="items"/>, and how many more, for a message.</summary>
    public static string List(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(Listed)) + (items.Count > Listed ? $" and {items.Count - Listed} more" : "");

    /// <summary>The differences that need their switch, in words, for the refusal's message.</summary>
    public IEnumerable<string> Describe()
    {
        if (PairingsRemoved.Count > 0) yield return $"{PairingsRemoved.Count} pairing(s) would be removed ({List(PairingsRemoved)})";
        if (RedeemedTokensRemoved.Count > 0)
            yield return $"{RedeemedTokensRemoved.Count} redeemed token(s) would be removed ({List(RedeemedTokensRemoved)})";
        if (KeysRemoved.Count > 0)
            yield return $"the bunker key(s) {List(KeysRemoved)} would be removed"
                + (PairingsRemoved.Count > 0 && PairingsAdded.Count > 0 ? " (is this another bunker's database?)" : "");
        if (SchemaDowngrade.Count > 0) yield return $"the schema would go back: the backup lacks {List(SchemaDowngrade)}";
    }

    private static List<string> Missing(HashSet<string> from, HashSet<string> @in) =>
        from.Where(item => !@in.Contains(item)).Order(StringComparer.Ordinal).ToList();

    private static HashSet<string> Pairings(BunkerDatabase database, CancellationToken cancellationToken) =>
        database.Query("SELECT keyName, userPubkey FROM KeyUser", r => $"{Text(r, 0)} {Text(r, 1)}", cancellationToken).ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<(string Token, string Shown)> RedeemedTokens(BunkerDatabase database, CancellationToken cancellationToken) =>
        database.Query("SELECT token, keyName, clientName FROM Token WHERE redeemedAt IS NOT NULL",
            r => (Text(r, 0), $"{Text(r, 1)} {Secret.Mask(Text(r, 0))} ({Text(r, 2)})"), cancellationToken);

    private static HashSet<string> Keys(BunkerDatabase database, CancellationToken cancellationToken) => database.Schema.HasTable("Key")
        ? database.Query("SELECT keyName FROM \"Key\"", r => Text(r, 0), cancellationToken).ToHashSet(StringComparer.Ordinal)
        : [];

    private static List<string> SchemaLost(BunkerDatabase backup, BunkerDatabase current, CancellationToken cancellationToken)
    {
        var lost = BunkerSchema.DescribeFeatures(current.Schema.Features & ~backup.Schema.Features).ToList();
        var backupMigrations = AppliedMigrations(backup, cancellationToken);
        lost.AddRange(Missing(AppliedMigrations(current, cancellationToken), backupMigrations).Select(m => "migration " + m));
        return lost;
    }

    private static HashSet<string> AppliedMigrations(BunkerDatabase database, CancellationToken cancellationToken) => database.Schema.HasMigrationsTable
        ? database.Query($"SELECT migration_name FROM {BunkerSchema.MigrationsTable} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
            r => Text(r, 0), cancellationToken).ToHashSet(StringComparer.Ordinal)
        : [];

    private static string Text(SqliteRow reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? "" : Convert.ToString(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture)!;
}
