using LamassuOps.Core.Bunker;

namespace LamassuOps.Core.Lnbits;

/// <summary>
/// Test-BunkerPairing: joins LNbits' signer accounts with the bunker's pairings (signer_config.token = Token.token,
/// the client pubkey derived from client_nsec = KeyUser.userPubkey, policy_id = Token.policyId) and gives each
/// pairing one verdict: each account's, then each bunker pairing no account uses. Both databases are only read.
/// The bunker side is read once, streamed; only the pairings LNbits refers to are kept.
/// </summary>
public static class BunkerPairingTest
{
    /// <summary>
    /// One pipeline's checks (Test-BunkerPairing): each instance, a bunker and an LNbits database, is checked once,
    /// however many of its objects the pipeline brings; the verdicts, or with <paramref name="summary"/> the counts.
    /// </summary>
    public sealed class Pipeline
    {
        private readonly HashSet<(string, string)> _checked = [];

        public IEnumerable<object> Run(BunkerPairingTestOptions options, bool summary, IOperationHost host)
        {
            if (!_checked.Add((options.BunkerDatabase, options.LnbitsDatabase))) return [];
            return summary ? [Summarize(options, host)] : Test(options, host);
        }
    }

    private const string IdentityKept = "LNbits keeps signing with its stored client key and the user's identity (the bunker key) stays.";

    public static IEnumerable<BunkerPairingVerdict> Test(BunkerPairingTestOptions options, IOperationHost host)
    {
        var lnbits = LnbitsSnapshot.Read(options.LnbitsDatabase, host);
        var pairings = BunkerPairings.Get(PairingOptions(options.BunkerDatabase, options.AsOf), host);
        foreach (var verdict in Judge(lnbits, pairings, options.BunkerDatabase)) yield return verdict;
    }

    /// <summary>
    /// The same verdicts for a bunker database already open, in the transaction it is in: a maintenance operation's
    /// proof that its change left the pairings it must keep (or mend) Healthy, seen through its own connection.
    /// </summary>
    internal static IEnumerable<BunkerPairingVerdict> Test(BunkerDatabase database, LnbitsSnapshot lnbits, DateTimeOffset? asOf,
        IOperationHost host) =>
        Judge(lnbits, BunkerPairings.Read(database, PairingOptions(database.Path, asOf), host), database.Path);

    /// <summary>What Test-BunkerPairing reads of the bunker: every pairing, tokens in full (matched, never shown), no SigningCondition scan.</summary>
    private static BunkerPairingOptions PairingOptions(string bunkerDatabase, DateTimeOffset? asOf) => new()
    {
        Path = bunkerDatabase, AsOf = asOf, IncludeSecret = true, IncludeDangling = true, IncludeUnredeemed = true, CountSigningConditions = false,
    };

    /// <summary>The verdicts of LNbits' accounts against the bunker's pairings (streamed once): each account's, then each orphan's.</summary>
    private static IEnumerable<BunkerPairingVerdict> Judge(LnbitsSnapshot lnbits, IEnumerable<BunkerPairing> pairings, string bunkerDatabase)
    {
        var accounts = lnbits.Accounts;
        var tokens = accounts.Select(a => a.Config.Token).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var pubkeys = accounts.Select(a => a.Config.ClientPubkey).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);

        var bound = new Dictionary<string, (BunkerPairing Pairing, BunkerPairingToken Token)>(StringComparer.OrdinalIgnoreCase);
        var orphans = new List<BunkerPairing>();
        string? bunkerPath = null;
        foreach (var pairing in pairings)
        {
            bunkerPath = pairing.Path;
            var used = false;
            foreach (var token in pairing.Tokens.Where(t => tokens.Contains(t.Token)))
            {
                bound.TryAdd(token.Token, (pairing, token));
                used = true;
            }
            if (!used && pairing is { KeyUserId: not null, TokenCount: > 0 } && !pubkeys.Contains(pairing.ClientPubkey!)) orphans.Add(pairing);
        }
        var context = new Context(bunkerPath ?? System.IO.Path.GetFullPath(bunkerDatabase), lnbits.Name);

        foreach (var (row, config) in accounts)
            yield return context.Judge(row, config, config.Token is { } token && bound.TryGetValue(token, out var match) ? match : null);
        foreach (var orphan in orphans) yield return context.Orphan(orphan);
    }

    /// <summary>The verdicts of one instance, counted.</summary>
    public static BunkerPairingSummary Summarize(BunkerPairingTestOptions options, IOperationHost host)
    {
        var verdicts = Test(options, host).ToList();
        int Count(PairingVerdict verdict) => verdicts.Count(v => v.Verdict == verdict);
        return new BunkerPairingSummary
        {
            Path = verdicts.FirstOrDefault()?.Path ?? System.IO.Path.GetFullPath(options.BunkerDatabase),
            LnbitsDatabase = verdicts.FirstOrDefault()?.LnbitsDatabase ?? options.LnbitsDatabase,
            Accounts = verdicts.Count(v => v.AccountId is not null), Healthy = Count(PairingVerdict.Healthy),
            Dangling = Count(PairingVerdict.Dangling), IdentityMismatch = Count(PairingVerdict.IdentityMismatch),
            PolicyMismatch = Count(PairingVerdict.PolicyMismatch), Expired = Count(PairingVerdict.Expired),
            Revoked = Count(PairingVerdict.Revoked), Malformed = Count(PairingVerdict.Malformed),
            OrphanedKeyUser = Count(PairingVerdict.OrphanedKeyUser),
        };
    }

    private sealed record Finding(PairingVerdict Verdict, string Evidence, string? Repair = null, bool ChangesIdentity = false);

    private sealed class Context(string bunkerPath, string lnbitsName)
    {
        public BunkerPairingVerdict Judge(LnbitsAccountRow row, SignerConfig config, (BunkerPairing Pairing, BunkerPairingToken Token)? match)
        {
            var findings = Findings(config, match).ToList();
            if (findings.Count == 0) findings.Add(Healthy(match!.Value.Pairing, match.Value.Token));
            var first = findings[0];
            var evidence = findings.Count == 1 ? first.Evidence : first.Evidence + "; also: " + string.Join("; ", findings.Skip(1).Select(f => f.Evidence));
            return new BunkerPairingVerdict
            {
                Path = bunkerPath, LnbitsDatabase = lnbitsName, Verdict = first.Verdict, AccountId = row.Id, Username = row.Username,
                KeyName = match?.Pairing.KeyName, KeyUserId = match?.Pairing.KeyUserId, TokenId = match?.Token.TokenId,
                Token = Secret.Mask(config.Token), LnbitsClientPubkey = config.ClientPubkey, BunkerClientPubkey = match?.Pairing.ClientPubkey,
                LnbitsPolicyId = config.PolicyId, BunkerPolicyId = match?.Token.PolicyId, Evidence = evidence, Repair = first.Repair,
                RepairChangesIdentity = first.ChangesIdentity,
            };
        }

        public BunkerPairingVerdict Orphan(BunkerPairing pairing) => new()
        {
            Path = bunkerPath, LnbitsDatabase = lnbitsName, Verdict = PairingVerdict.OrphanedKeyUser, KeyName = pairing.KeyName,
            KeyUserId = pairing.KeyUserId, TokenId = pairing.TokenId, Token = Secret.Mask(pairing.Token), BunkerClientPubkey = pairing.ClientPubkey,
            BunkerPolicyId = pairing.PolicyId,
            Evidence = $"KeyUser {pairing.KeyUserId} of key '{pairing.KeyName}' has {pairing.TokenCount} redeemed token(s), " +
                       "but no LNbits account holds its token or its client key",
            Repair = "If its LNbits account was deleted, revoke the KeyUser (admin RPC revoke_user); if an account lost its signer_config, " +
                     "restore that from an LNbits backup.",
        };

        /// <summary>Every problem of the pairing, the one that decides the verdict first; none for a healthy pairing.</summary>
        private static IEnumerable<Finding> Findings(SignerConfig config, (BunkerPairing Pairing, BunkerPairingToken Token)? match)
        {
            if (config.Problem is { } problem)
            {
                yield return new(PairingVerdict.Malformed, problem,
                    "Restore the account's signer_config from an LNbits backup. Without one, only provision() helps, and it mints a new identity.");
                yield break;
            }
            if (match is not var (pairing, token))
            {
                yield return new(PairingVerdict.Dangling, "LNbits' token is unknown to the bunker (no Token row holds it): the pairing was wiped or never made here",
                    "Copy the pairing's KeyUser, Token, Policy and PolicyRule rows back from a bunker backup that has them (a full restore " +
                    "would lose the pairings made since). Without such a backup, only provision() helps, and it mints a new identity.");
                yield break;
            }
            var rebind = $"Create a KeyUser for key '{pairing.KeyName}' with LNbits' client pubkey and bind token {token.TokenId} to it. {IdentityKept}";
            if (pairing.KeyUserId is null)
            {
                yield return new(PairingVerdict.Dangling, pairing.State == BunkerPairingState.Dangling
                    ? $"token {token.TokenId} was redeemed {BunkerTokenRow.Describe(token.RedeemedAt)}, but its KeyUser is gone"
                    : $"token {token.TokenId} was never redeemed ({pairing.StateReason}): no KeyUser holds LNbits' client key", rebind);
                yield break;
            }
            if (!string.Equals(pairing.ClientPubkey, config.ClientPubkey, StringComparison.OrdinalIgnoreCase))
                yield return new(PairingVerdict.IdentityMismatch,
                    $"token {token.TokenId} is bound to KeyUser {pairing.KeyUserId}, whose pubkey is not the client key LNbits signs with", rebind);
            if (pairing.KeyUserRevoked)
                yield return new(PairingVerdict.Revoked, $"KeyUser {pairing.KeyUserId} was revoked {BunkerTokenRow.Describe(pairing.KeyUserRevokedAt)}",
                    $"If the revocation was a mistake, clear KeyUser {pairing.KeyUserId}'s revokedAt; if it was meant, stop the account signing in LNbits.");
            if (token.State is BunkerTokenState.Revoked or BunkerTokenState.Deleted)
                yield return new(PairingVerdict.Revoked,
                    $"token {token.TokenId} was {(token.State == BunkerTokenState.Revoked ? "revoked " + BunkerTokenRow.Describe(token.RevokedAt) : "deleted " + BunkerTokenRow.Describe(token.DeletedAt))}",
                    $"If that was a mistake, clear the token's revokedAt/deletedAt; otherwise bind a new token of the same policy to KeyUser {pairing.KeyUserId} and store it in signer_config. {IdentityKept}");
            if (token.State == BunkerTokenState.Expired)
                yield return new(PairingVerdict.Expired, $"token {token.TokenId} expired {BunkerTokenRow.Describe(token.ExpiresAt)}",
                    $"Extend the token's expiresAt, or bind a new token of the same policy to KeyUser {pairing.KeyUserId} and store it in signer_config. {IdentityKept}");
            if (token.PolicyId != config.PolicyId)
                yield return new(PairingVerdict.PolicyMismatch,
                    $"LNbits expects policy {config.PolicyId}, token {token.TokenId} carries {(token.PolicyId is { } id ? $"policy {id} ('{token.PolicyName}')" : "no policy")}",
                    $"Set signer_config.policy_id to the token's policy in LNbits, or give the token policy {config.PolicyId} if that is the one meant.");
        }

        private static Finding Healthy(BunkerPairing pairing, BunkerPairingToken token) => new(PairingVerdict.Healthy,
            $"token {token.TokenId} is bound to KeyUser {pairing.KeyUserId} with LNbits' client key and policy {token.PolicyId}; it is {token.State.ToString().ToLowerInvariant()}");
    }
}
