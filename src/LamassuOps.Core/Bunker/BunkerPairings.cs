namespace LamassuOps.Core.Bunker;

/// <summary>What Get-BunkerPairing reads.</summary>
public sealed class BunkerPairingOptions
{
    /// <summary>The nsecbunker.db to read (opened read-only).</summary>
    public required string Path { get; init; }

    /// <summary>The moment states are computed at; now when null.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>Wildcards on the key name; none = all.</summary>
    public IReadOnlyList<string>? KeyName { get; init; }

    /// <summary>Wildcards on the client pubkey; none = all (token rows without a KeyUser then never match).</summary>
    public IReadOnlyList<string>? ClientPubkey { get; init; }

    /// <summary>Show tokens in full instead of masked.</summary>
    public bool IncludeSecret { get; init; }

    /// <summary>Also list redeemed tokens whose KeyUser is gone.</summary>
    public bool IncludeDangling { get; init; }

    /// <summary>Also list tokens not redeemed yet.</summary>
    public bool IncludeUnredeemed { get; init; }

    /// <summary>
    /// Count each KeyUser's SigningCondition rows (a scan of the largest table). Test-BunkerPairing and the LNbits
    /// pairing proof, which judge only KeyUsers and tokens, leave it out: their SigningConditionCount is 0.
    /// </summary>
    internal bool CountSigningConditions { get; init; } = true;
}

/// <summary>
/// Get-BunkerPairing: one <see cref="BunkerPairing"/> per KeyUser, with every redeemed token bound to it; then, on
/// request, dangling and unredeemed tokens. A KeyUser with several tokens is one object: its Token* properties describe
/// the token that governs it (a live one, the one that lives longest; else the one redeemed last) and Tokens lists them all.
/// </summary>
public static class BunkerPairings
{
    public static IEnumerable<BunkerPairing> Get(BunkerPairingOptions options, IOperationHost host)
    {
        using var database = BunkerDatabase.OpenReadOnly(options.Path);
        database.RequireColumnsOf("KeyUser", "Token", "Policy");
        // One read transaction: the merged statements, the dangling count and the token lists see one snapshot.
        database.Execute("BEGIN;");
        foreach (var pairing in Read(database, options, host)) yield return pairing;
    }

    /// <summary>
    /// The pairings of a database that is already open, read through its own connection in the transaction it is in
    /// (a maintenance change's write transaction, for its proofs); <paramref name="options"/>.Path is not used.
    /// </summary>
    public static IEnumerable<BunkerPairing> Read(BunkerDatabase database, BunkerPairingOptions options, IOperationHost host)
    {
        var keyNames = Wildcard.From(options.KeyName);
        var clientPubkeys = Wildcard.From(options.ClientPubkey);
        var asOf = options.AsOf ?? DateTimeOffset.UtcNow;
        host.WriteVerbose($"Reading the pairings of '{database.Path}' ({database.Schema.Describe()}) as of {BunkerTokenRow.Describe(asOf)}.");
        var reader = new PairingReader(database, asOf, options.IncludeSecret, options.CountSigningConditions, host.CancellationToken);

        var pairings = reader.KeyUsers();
        if (options.IncludeDangling) pairings = pairings.Concat(reader.Tokens(redeemed: true));
        else WarnAboutDangling(database, host);
        if (options.IncludeUnredeemed) pairings = pairings.Concat(reader.Tokens(redeemed: false));

        foreach (var pairing in pairings)
            if (Wildcard.MatchesAny(keyNames, pairing.KeyName) && Wildcard.MatchesAny(clientPubkeys, pairing.ClientPubkey))
                yield return pairing;
    }

    private static void WarnAboutDangling(BunkerDatabase database, IOperationHost host)
    {
        var dangling = (long)database.Scalar(
            "SELECT count(*) FROM Token AS t LEFT JOIN KeyUser AS ku ON ku.id = t.keyUserId WHERE t.redeemedAt IS NOT NULL AND ku.id IS NULL")!;
        if (dangling > 0)
            host.WriteWarning($"{dangling} redeemed token(s) in '{database.Path}' have no KeyUser any more (dangling): their clients cannot sign. " +
                              "Add -IncludeDangling to list them.");
    }

    private sealed class PairingReader(BunkerDatabase database, DateTimeOffset asOf, bool includeSecret, bool countSigningConditions,
        CancellationToken cancellationToken)
    {
        private const string RuleCounts = "LEFT JOIN (SELECT policyId, count(*) AS n FROM PolicyRule GROUP BY policyId) AS r ON r.policyId = p.id";

        /// <summary>
        /// KeyUsers in id order, each with its bound redeemed tokens and its SigningCondition count: three statements
        /// ordered by KeyUser id, merged (<see cref="KeyedCursor{T}"/>), so the time is linear in the rows whatever
        /// indexes the daemon's schema lacks (Token.keyUserId and SigningCondition.keyUserId have none).
        /// </summary>
        public IEnumerable<BunkerPairing> KeyUsers()
        {
            using var counts = new KeyedCursor<(long KeyUserId, int Count)>(countSigningConditions ? database.Query(
                "SELECT keyUserId, count(*) FROM SigningCondition WHERE keyUserId IS NOT NULL GROUP BY keyUserId ORDER BY keyUserId",
                reader => (reader.GetInt64(0), reader.GetInt32(1)), cancellationToken) : [], row => row.KeyUserId);
            using var tokens = new KeyedCursor<(BunkerTokenRow Token, int Rules)>(database.Query(
                $"SELECT {BunkerTokenRow.Columns(database.Schema)}, coalesce(r.n, 0) FROM Token AS t LEFT JOIN Policy AS p ON p.id = t.policyId " +
                $"{RuleCounts} WHERE t.redeemedAt IS NOT NULL AND t.keyUserId IS NOT NULL ORDER BY t.keyUserId, t.id",
                reader => ReadToken(reader, 0), cancellationToken), row => row.Token.KeyUserId);
            var sql = "SELECT ku.id, ku.keyName, ku.userPubkey, ku.description, ku.createdAt, ku.lastUsedAt, ku.revokedAt FROM KeyUser AS ku ORDER BY ku.id";
            foreach (var keyUser in database.Query(sql, ReadKeyUserRow, cancellationToken))
            {
                var count = counts.Take(keyUser.Id) is [var row] ? row.Count : 0;
                yield return KeyUserPairing(keyUser with { SigningConditions = count }, tokens.Take(keyUser.Id));
            }
        }

        /// <summary>Redeemed tokens without a KeyUser (dangling), or tokens not redeemed yet, in id order.</summary>
        public IEnumerable<BunkerPairing> Tokens(bool redeemed)
        {
            var sql = $"SELECT {BunkerTokenRow.Columns(database.Schema)}, coalesce(r.n, 0) FROM Token AS t " +
                      $"LEFT JOIN KeyUser AS ku ON ku.id = t.keyUserId LEFT JOIN Policy AS p ON p.id = t.policyId {RuleCounts} " +
                      (redeemed ? "WHERE t.redeemedAt IS NOT NULL AND ku.id IS NULL" : "WHERE t.redeemedAt IS NULL") + " ORDER BY t.id";
            foreach (var (token, rules) in database.Query(sql, reader => ReadToken(reader, 0), cancellationToken))
            {
                var (state, reason) = redeemed ? DanglingState(token) : UnredeemedState(token);
                yield return TokenPairing(token, rules, state, reason);
            }
        }

        private BunkerPairing KeyUserPairing(KeyUserRow keyUser, List<(BunkerTokenRow Token, int Rules)> tokens)
        {
            var live = tokens.Where(t => t.Token.IsLiveAt(asOf)).ToList();
            (BunkerTokenRow Token, int Rules)? primary = live.Count > 0
                ? live.OrderByDescending(t => t.Token.ExpiresAt ?? DateTimeOffset.MaxValue).ThenByDescending(t => t.Token.Id).First()
                : tokens.Count > 0 ? tokens.OrderByDescending(t => t.Token.RedeemedAt).ThenByDescending(t => t.Token.Id).First() : null;
            var others = tokens.Count > 1 ? $" ({tokens.Count} tokens are bound; {live.Count} live)" : "";
            var (state, reason) = BunkerDate.HasEnded(keyUser.RevokedAt, asOf)
                ? (BunkerPairingState.Revoked, $"KeyUser {keyUser.Id} was revoked {BunkerTokenRow.Describe(keyUser.RevokedAt)}: the ACL denies every request of this client")
                : primary is not { } governing
                    ? (BunkerPairingState.Unbound, $"no redeemed token is bound to KeyUser {keyUser.Id}: only its {keyUser.SigningConditions} signing condition(s) grant")
                    : (ToPairingState(governing.Token.StateAt(asOf)), governing.Token.DescribeStateAt(asOf) + others);
            return new BunkerPairing
            {
                Path = database.Path, State = state, StateReason = reason, KeyUserId = keyUser.Id, KeyName = keyUser.KeyName,
                ClientPubkey = keyUser.ClientPubkey, Description = keyUser.Description, KeyUserCreatedAt = keyUser.CreatedAt,
                LastUsedAt = keyUser.LastUsedAt, KeyUserRevoked = BunkerDate.HasEnded(keyUser.RevokedAt, asOf), KeyUserRevokedAt = keyUser.RevokedAt,
                TokenId = primary?.Token.Id, Token = Show(primary?.Token.Value), ClientName = primary?.Token.ClientName,
                RedeemedAt = primary?.Token.RedeemedAt, TokenExpiresAt = primary?.Token.ExpiresAt, TokenRevokedAt = primary?.Token.RevokedAt,
                TokenDeletedAt = primary?.Token.DeletedAt, PolicyId = primary?.Token.PolicyId, PolicyName = primary?.Token.PolicyName,
                RuleCount = primary?.Rules ?? 0, SigningConditionCount = keyUser.SigningConditions, TokenCount = tokens.Count,
                Tokens = tokens.Select(t => ToToken(t.Token, t.Rules)).ToList(),
            };
        }

        private BunkerPairing TokenPairing(BunkerTokenRow token, int rules, BunkerPairingState state, string reason) => new()
        {
            Path = database.Path, State = state, StateReason = reason, KeyName = token.KeyName, TokenId = token.Id, Token = Show(token.Value),
            ClientName = token.ClientName, RedeemedAt = token.RedeemedAt, TokenExpiresAt = token.ExpiresAt, TokenRevokedAt = token.RevokedAt,
            TokenDeletedAt = token.DeletedAt, PolicyId = token.PolicyId, PolicyName = token.PolicyName, RuleCount = rules, TokenCount = 1,
            Tokens = [ToToken(token, rules)],
        };

        private static (BunkerPairingState, string) DanglingState(BunkerTokenRow token) => (BunkerPairingState.Dangling,
            $"token {token.Id} was redeemed {BunkerTokenRow.Describe(token.RedeemedAt)}, but " +
            (token.KeyUserId is null
                ? "its KeyUser was deleted (keyUserId NULL)"
                : $"keyUserId {token.KeyUserId} points at a KeyUser that does not exist") +
            ": its client cannot sign, and only re-pairing (a new identity for an LNbits account) or restoring a backup helps");

        private (BunkerPairingState, string) UnredeemedState(BunkerTokenRow token)
        {
            if (!token.IsLiveAt(asOf)) return (BunkerPairingState.Unredeemable, $"never redeemed; {token.DescribeStateAt(asOf)}");
            if (!token.PolicyExists) return (BunkerPairingState.Unredeemable, $"never redeemed; token {token.Id} has {token.PolicyLabel}, so the daemon refuses it");
            return (BunkerPairingState.Unredeemed, $"not redeemed yet; {token.DescribeStateAt(asOf)}");
        }

        private static BunkerPairingState ToPairingState(BunkerTokenState state) => state switch
        {
            BunkerTokenState.Live => BunkerPairingState.Live,
            BunkerTokenState.Expired => BunkerPairingState.Expired,
            BunkerTokenState.Revoked => BunkerPairingState.Revoked,
            _ => BunkerPairingState.Deleted,
        };

        private BunkerPairingToken ToToken(BunkerTokenRow token, int rules) => new()
        {
            TokenId = token.Id, Token = Show(token.Value)!, ClientName = token.ClientName, State = token.StateAt(asOf),
            RedeemedAt = token.RedeemedAt, ExpiresAt = token.ExpiresAt, RevokedAt = token.RevokedAt, DeletedAt = token.DeletedAt,
            PolicyId = token.PolicyId, PolicyName = token.PolicyName, RuleCount = rules,
        };

        private string? Show(string? token) => includeSecret ? token : Secret.Mask(token);

        private KeyUserRow ReadKeyUserRow(SqliteRow reader)
        {
            var id = reader.GetInt64(0);
            DateTimeOffset? Date(int ordinal, string column) => database.ParseDate(reader.GetValue(ordinal), "KeyUser", id, column);
            return new KeyUserRow(id, reader.GetString(1), reader.GetString(2), BunkerTokenRow.NullableString(reader, 3),
                Date(4, "createdAt"), Date(5, "lastUsedAt"), Date(6, "revokedAt"), SigningConditions: 0);
        }

        private (BunkerTokenRow, int) ReadToken(SqliteRow reader, int first) =>
            (BunkerTokenRow.Read(database, reader, first), reader.GetInt32(first + BunkerTokenRow.ColumnCount));
    }

    private sealed record KeyUserRow(long Id, string KeyName, string ClientPubkey, string? Description, DateTimeOffset? CreatedAt,
        DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, int SigningConditions);
}
