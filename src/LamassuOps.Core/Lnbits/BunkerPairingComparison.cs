using System.Globalization;
using LamassuOps.Core.Bunker;

namespace LamassuOps.Core.Lnbits;

/// <summary>What Compare-BunkerPairing compares.</summary>
public sealed class BunkerPairingComparisonOptions
{
    /// <summary>The earlier state: usually a backup (opened read-only).</summary>
    public required string Before { get; init; }

    /// <summary>The later state: usually the live nsecbunker.db (opened read-only).</summary>
    public required string After { get; init; }

    /// <summary>LNbits' SQLite file or PostgreSQL URL; when given, each account's verdict is compared too.</summary>
    public string? LnbitsDatabase { get; init; }

    /// <summary>The moment states are computed at, in both; now when null.</summary>
    public DateTimeOffset? AsOf { get; init; }
}

public enum PairingChangeKind
{
    Added,
    Removed,
    Changed,
}

/// <summary>
/// One pairing (a token with its KeyUser and policy; a KeyUser without a token) that differs between two states. A
/// pairing is known by its token, so a row that kept its token but changed id is Changed, not Removed and Added.
/// </summary>
public sealed class BunkerPairingChange
{
    /// <summary>The later database (so the output binds to the Bunker cmdlets).</summary>
    public required string Path { get; init; }

    public required string BeforePath { get; init; }

    public required PairingChangeKind Change { get; init; }

    public required string KeyName { get; init; }

    public string? ClientPubkey { get; init; }

    public long? KeyUserId { get; init; }

    public long? TokenId { get; init; }

    /// <summary>The token, masked.</summary>
    public string? Token { get; init; }

    public long? PolicyId { get; init; }

    /// <summary>The pairing's state before and after (Live, Expired, Revoked, Deleted, Dangling, Unredeemed, ...; null where it is absent).</summary>
    public string? StateBefore { get; init; }

    public string? StateAfter { get; init; }

    /// <summary>The fields that differ (KeyUserId, ClientPubkey, State, PolicyId, ...); empty for Added and Removed.</summary>
    public required IReadOnlyList<string> ChangedFields { get; init; }

    /// <summary>"KeyUserId 3 -> none; State Live -> Dangling".</summary>
    public required string Details { get; init; }
}

/// <summary>One LNbits account's verdict (Test-BunkerPairing) in both states.</summary>
public sealed class BunkerPairingVerdictChange : INeedsAttention
{
    public required string Path { get; init; }

    public required string BeforePath { get; init; }

    public required string LnbitsDatabase { get; init; }

    public required string AccountId { get; init; }

    public string? Username { get; init; }

    public required PairingVerdict Before { get; init; }

    public required PairingVerdict After { get; init; }

    public bool Changed => Before != After;

    /// <summary>The later state's evidence.</summary>
    public required string Evidence { get; init; }

    /// <summary>A pairing that was Healthy before and is not any more.</summary>
    public bool NeedsAttention => Before == PairingVerdict.Healthy && After != PairingVerdict.Healthy;
}

/// <summary>
/// Compare-BunkerPairing: what changed in the pairings between two states of a bunker (a backup and the live
/// database), read-only. The earlier state's pairings are kept by token (one entry per pairing, never per
/// SigningCondition row); the later state is streamed against them, so the time is linear in the rows. With an
/// LNbits database, each account's verdict is judged in both states against the same accounts, read once.
/// </summary>
public static class BunkerPairingComparison
{
    public static IEnumerable<object> Compare(BunkerPairingComparisonOptions options, IOperationHost host)
    {
        var asOf = options.AsOf ?? DateTimeOffset.UtcNow;
        var before = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
        string? beforePath = null;
        foreach (var entry in Entries(options.Before, asOf, host))
        {
            beforePath = entry.Path;
            before.TryAdd(entry.Key, entry);
        }
        beforePath ??= System.IO.Path.GetFullPath(options.Before);
        var afterPath = System.IO.Path.GetFullPath(options.After);
        var unchanged = 0;
        foreach (var after in Entries(options.After, asOf, host))
        {
            afterPath = after.Path;
            if (!before.Remove(after.Key, out var earlier))
                yield return Change(PairingChangeKind.Added, after, null, beforePath);
            else if (after.Differences(earlier) is { Count: > 0 } fields)
                yield return Change(PairingChangeKind.Changed, after, earlier, beforePath, fields);
            else unchanged++;
        }
        foreach (var removed in before.Values.OrderBy(e => e.TokenId ?? e.KeyUserId))
            yield return Change(PairingChangeKind.Removed, removed, removed, beforePath, afterPath: afterPath);
        host.WriteVerbose($"{unchanged} pairing(s) are the same in '{beforePath}' and '{afterPath}'.");

        if (options.LnbitsDatabase is null) yield break;
        var lnbits = LnbitsSnapshot.Read(options.LnbitsDatabase, host);
        var verdictsBefore = Verdicts(options.Before, lnbits, asOf, host).ToDictionary(v => v.AccountId!, StringComparer.Ordinal);
        foreach (var verdict in Verdicts(options.After, lnbits, asOf, host))
            yield return new BunkerPairingVerdictChange
            {
                Path = afterPath, BeforePath = beforePath, LnbitsDatabase = lnbits.Name, AccountId = verdict.AccountId!, Username = verdict.Username,
                Before = verdictsBefore[verdict.AccountId!].Verdict, After = verdict.Verdict, Evidence = verdict.Evidence,
            };
    }

    private static IEnumerable<BunkerPairingVerdict> Verdicts(string bunker, LnbitsSnapshot lnbits, DateTimeOffset asOf, IOperationHost host)
    {
        using var database = BunkerDatabase.OpenReadOnly(bunker);
        database.Execute("BEGIN;");
        foreach (var verdict in BunkerPairingTest.Test(database, lnbits, asOf, host))
            if (verdict.AccountId is not null) yield return verdict;
    }

    private static BunkerPairingChange Change(PairingChangeKind kind, Entry entry, Entry? earlier, string beforePath,
        IReadOnlyList<string>? fields = null, string? afterPath = null) => new()
    {
        Path = afterPath ?? entry.Path, BeforePath = beforePath, Change = kind, KeyName = entry.KeyName, ClientPubkey = entry.ClientPubkey,
        KeyUserId = entry.KeyUserId, TokenId = entry.TokenId, Token = Secret.Mask(entry.Token), PolicyId = entry.PolicyId,
        StateBefore = kind == PairingChangeKind.Added ? null : earlier!.State,
        StateAfter = kind == PairingChangeKind.Removed ? null : entry.State,
        ChangedFields = fields ?? [],
        Details = kind switch
        {
            PairingChangeKind.Added => $"new: {entry.Describe()}",
            PairingChangeKind.Removed => $"gone: {entry.Describe()}",
            _ => string.Join("; ", fields!.Select(f => $"{f} {earlier!.Fields[f] ?? "none"} -> {entry.Fields[f] ?? "none"}")),
        },
    };

    /// <summary>Each token of a state with its KeyUser and policy, and each KeyUser that has no token.</summary>
    private static IEnumerable<Entry> Entries(string path, DateTimeOffset asOf, IOperationHost host)
    {
        var pairings = BunkerPairings.Get(new BunkerPairingOptions
        {
            Path = path, AsOf = asOf, IncludeSecret = true, IncludeDangling = true, IncludeUnredeemed = true,
        }, host);
        foreach (var pairing in pairings)
        {
            if (pairing.Tokens.Count == 0) yield return Entry.Of(pairing, null);
            foreach (var token in pairing.Tokens) yield return Entry.Of(pairing, token);
        }
    }

    /// <summary>One pairing's comparable fields, as text.</summary>
    private sealed record Entry(string Key, string Path, string KeyName, string? ClientPubkey, long? KeyUserId, long? TokenId, string? Token,
        long? PolicyId, string State, IReadOnlyDictionary<string, string?> Fields)
    {
        public static Entry Of(BunkerPairing pairing, BunkerPairingToken? token)
        {
            var state = pairing.KeyUserId is null || token is null || pairing.KeyUserRevoked ? pairing.State.ToString() : token.State.ToString();
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["KeyUserId"] = Text(pairing.KeyUserId), ["KeyName"] = pairing.KeyName, ["ClientPubkey"] = pairing.ClientPubkey,
                ["KeyUserRevokedAt"] = Date(pairing.KeyUserRevokedAt), ["State"] = state, ["TokenId"] = Text(token?.TokenId),
                ["ClientName"] = token?.ClientName, ["RedeemedAt"] = Date(token?.RedeemedAt), ["ExpiresAt"] = Date(token?.ExpiresAt),
                ["RevokedAt"] = Date(token?.RevokedAt), ["DeletedAt"] = Date(token?.DeletedAt), ["PolicyId"] = Text(token?.PolicyId),
                ["PolicyName"] = token?.PolicyName, ["RuleCount"] = token is null ? null : Text(token.RuleCount),
            };
            var key = token?.Token ?? $"KeyUser {pairing.KeyName} {pairing.ClientPubkey}";
            return new Entry(key, pairing.Path, pairing.KeyName, pairing.ClientPubkey, pairing.KeyUserId, token?.TokenId, token?.Token,
                token?.PolicyId, state, fields);
        }

        public List<string> Differences(Entry other) =>
            Fields.Keys.Where(field => !string.Equals(Fields[field], other.Fields[field], StringComparison.Ordinal)).ToList();

        public string Describe() =>
            $"{(TokenId is { } id ? $"token {id}" : "no token")}, {(KeyUserId is { } user ? $"KeyUser {user}" : "no KeyUser")} of key '{KeyName}'" +
            $"{(PolicyId is { } policy ? $", policy {policy}" : "")}, {State}";

        private static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);

        private static string? Date(DateTimeOffset? value) => value is null ? null : BunkerTokenRow.Describe(value);
    }
}
