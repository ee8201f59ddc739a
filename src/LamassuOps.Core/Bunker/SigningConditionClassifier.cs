using System.Globalization;
using System.Text;

namespace LamassuOps.Core.Bunker;

/// <summary>
/// Tells the SigningCondition rows token redemption photocopied from a policy from the grants and denials someone
/// chose, row by row, with the evidence. The table has no origin column, so the rules follow what each writer writes:
/// <list type="number">
/// <item>The row's KeyUser does not exist: <see cref="SigningConditionClass.Orphan"/> (the ACL never reads it).</item>
/// <item>allowed is not 1 (a denial, a '*' reject, undecided): manual. Redemption only writes allowed = 1.</item>
/// <item>The row has its own expiresAt or revokedAt (fork): manual. Those columns came after redemption stopped copying.</item>
/// <item>The KeyUser has no redeemed Token bound to it: manual (web approval, admin reply, create_account).</item>
/// <item>The row is (connect, NULL), or a bound redeemed token's policy has a rule with the same method and kind
///   (NULL = NULL): copy-shaped. Otherwise manual: 'all' kinds are web approvals, the rest admin replies or RPCs.</item>
/// <item>On the fork's lifecycle schema, a copy-shaped row whose createdAt is INTEGER milliseconds was written by the
///   live-grant daemon, which no longer copies: manual. Copies predate the migration and got createdAt from the
///   column DEFAULT, as TEXT.</item>
/// <item>Otherwise a <see cref="SigningConditionClass.PolicyCopy"/>: <see cref="SigningConditionVerdict.Redundant"/> while a
///   live token (not deleted, revoked or expired at the moment; an end equal to it has ended) justifies it,
///   <see cref="SigningConditionVerdict.Stale"/> when none does.</item>
/// </list>
/// Streams: SigningCondition rows come ordered by KeyUser from SQLite and are merged with the bound tokens (also ordered
/// by KeyUser), so only one KeyUser's tokens and rules are in memory at a time, whatever the size of the table.
/// </summary>
public sealed class SigningConditionClassifier(BunkerDatabase database, DateTimeOffset asOf)
{
    public DateTimeOffset AsOf { get; } = asOf;

    /// <summary>Every SigningCondition row of the database, classified, ordered by keyUserId then id.</summary>
    public IEnumerable<BunkerSigningCondition> Classify(CancellationToken cancellationToken = default)
    {
        database.RequireColumnsOf("SigningCondition", "KeyUser", "Token", "Policy", "PolicyRule");
        var lifecycle = database.Schema.HasSigningConditionLifecycle;
        // The KeyUser columns come from a merge with KeyUser (read in id order, no sort), not from a join: SQLite's sort of
        // a million rows then carries the SigningCondition columns only, not each row's KeyUser name and pubkey as well.
        // A keyUserId that is not an INTEGER (a hand-written 5.5 or 'x') is one no KeyUser id can equal.
        var sql = "SELECT sc.id, sc.method, sc.kind, sc.allowed, sc.keyUserId, " +
                  (lifecycle ? "sc.createdAt, sc.expiresAt, sc.revokedAt, " : "NULL, NULL, NULL, ") +
                  "typeof(sc.keyUserId) = 'integer' FROM SigningCondition AS sc ORDER BY sc.keyUserId, sc.id";
        using var tokens = new BoundTokenCursor(database, cancellationToken);
        var group = new KeyUserGroup([]);
        using var keyUser = new KeyUserColumns(database, cancellationToken);
        foreach (var row in database.Query(sql, reader => ReadCondition(reader, keyUser), cancellationToken))
        {
            var bound = row is { KeyUserExists: true, KeyUserId: { } keyUserId } ? tokens.For(keyUserId) : [];
            if (!ReferenceEquals(bound, group.Tokens)) group = new KeyUserGroup(bound);
            yield return Classify(row, group);
        }
    }

    private BunkerSigningCondition Classify(ConditionRow row, KeyUserGroup group)
    {
        var tokens = group.Tokens;
        if (!row.KeyUserExists)
            return Result(row, group, SigningConditionClass.Orphan, SigningConditionReason.KeyUserMissing, static (text, row, _, _) => row.KeyUserId is null
                ? text.Append("keyUserId is NULL: its KeyUser was deleted; the ACL never reads this row")
                : text.Append(Invariant, $"keyUserId {row.KeyUserId} points at a KeyUser that does not exist (deleted with foreign keys off); the ACL never reads this row"));
        if (row.Allowed is false)
            return row.Method == "*"
                ? Manual(row, group, SigningConditionReason.RejectAll, static (text, _, _, _) => text.Append("method '*' with allowed 0 rejects every request of this client"))
                : Manual(row, group, SigningConditionReason.Denial,
                    static (text, row, _, _) => row.AppendMethodAndKind(text.Append("allowed 0 denies ")).Append("; token redemption only writes allowed 1"));
        if (row.Allowed is null)
            return Manual(row, group, SigningConditionReason.NoDecision,
                static (text, row, _, _) => text.Append(Invariant, $"allowed is {row.AllowedText}: the ACL treats the row as undecided and asks the admin"));
        if (row.ExpiresAt is not null || row.RevokedAt is not null)
            return Manual(row, group, SigningConditionReason.OwnLifecycle,
                static (text, _, _, _) => text.Append("it has its own expiresAt/revokedAt, which token redemption never wrote: add_signing_condition wrote it"));
        if (tokens.Count == 0)
            return Manual(row, group, SigningConditionReason.NoToken,
                static (text, row, _, _) => text.Append(Invariant, $"KeyUser {row.KeyUserId} has no redeemed token: web approval, an admin reply or create_account wrote it"));

        if (group.Match(row, this) is not { } match) return NotCopyShaped(row, group);
        if (database.Schema.HasSigningConditionLifecycle && row.CreatedAtEncoding == BunkerDateEncoding.Milliseconds)
            return Manual(row, group, SigningConditionReason.WrittenAfterLiveGrants, static (text, row, _, match) =>
                BunkerTokenRow.AppendDate(match!.AppendOrigin(text).Append(", but createdAt is INTEGER milliseconds ("), row.CreatedAt)
                    .Append("): the live-grant daemon wrote it, and it copies no policies (add_signing_condition or an admin reply)"), match);

        return new BunkerSigningCondition
        {
            Path = database.Path, Id = row.Id, KeyUserId = row.KeyUserId, KeyName = row.KeyName, ClientPubkey = row.ClientPubkey,
            Method = row.Method, Kind = row.Kind, Allowed = row.Allowed, CreatedAt = row.CreatedAt, CreatedAtEncoding = row.CreatedAtEncoding,
            ExpiresAt = row.ExpiresAt, RevokedAt = row.RevokedAt, Classification = SigningConditionClass.PolicyCopy,
            Reason = match.Rule is null ? SigningConditionReason.ConnectCopy : SigningConditionReason.RuleCopy, Verdict = match.Judgement.Verdict,
            StaleAfter = match.Judgement.StaleAfter, TokenId = match.Source.Id, TokenState = match.Source.StateAt(AsOf), PolicyId = match.Source.PolicyId,
            PolicyName = match.Source.PolicyName, KeyUserRevoked = row.KeyUserRevoked(AsOf), SchemaVariant = database.Schema.Variant,
            ExplainedWhenRead = () => CopyEvidence(row, match),
        };
    }

    /// <summary>
    /// A copy's evidence: the same sentence for every row of its KeyUser and shape but for whether createdAt is TEXT, so
    /// it is put together once for each.
    /// </summary>
    private string CopyEvidence(ConditionRow row, CopyMatch match)
    {
        var textDate = row.CreatedAtEncoding == BunkerDateEncoding.Text;
        return match.Evidence[textDate ? 1 : 0] ??= CopySentence(row, match, textDate);
    }

    private string CopySentence(ConditionRow row, CopyMatch match, bool textDate)
    {
        var text = match.AppendOrigin(SentenceBuilder()).Append("; ");
        if (textDate) text.Append("createdAt is TEXT from the column DEFAULT: the row predates the live-grant lifecycle migration; ");
        return EndSentence(row, AppendJudgement(text, match.Judgement));
    }

    /// <summary>
    /// Which bound tokens justify (method, kind), and so the token shown as its source and the verdict: worked out once
    /// per KeyUser and shape, the verdict once per set of matching tokens (<see cref="KeyUserGroup.Judge"/>).
    /// </summary>
    private CopyMatch? MatchCopy(string? method, string? kind, KeyUserGroup group)
    {
        var isConnect = method == "connect" && kind is null;
        var tokens = group.Tokens;
        var matches = new List<(BunkerTokenRow Token, RuleRow? Rule)>(tokens.Count);
        // Loops, not Find with a lambda: this runs for nearly every row, and each lambda would be an object.
        for (var t = 0; t < tokens.Count; t++)
        {
            var token = tokens[t];
            if (isConnect)
            {
                matches.Add((token.Token, null));
                continue;
            }
            foreach (var rule in token.Rules)
                if (rule.Method == method && rule.Kind == kind)
                {
                    matches.Add((token.Token, rule));
                    break;
                }
        }
        if (matches.Count == 0) return null;

        var judgement = group.Judge(matches, this);
        RuleRow? sourceRule = null;
        foreach (var (token, rule) in matches)
            if (ReferenceEquals(token, judgement.Source))
            {
                sourceRule = rule;
                break;
            }
        return new CopyMatch(judgement, sourceRule, method, kind);
    }

    /// <summary>
    /// The verdict on a copy that <paramref name="matches"/> justify, and the token shown as its source: a live one
    /// (the one that lasts longest) when there is one, else the last redeemed.
    /// </summary>
    private Judgement Judge(IReadOnlyList<(BunkerTokenRow Token, RuleRow? Rule)> matches)
    {
        BunkerTokenRow? source = null, lastRedeemed = null;
        var liveCount = 0;
        var liveNeverExpires = false;
        DateTimeOffset? staleAfter = null;
        foreach (var (token, _) in matches)
        {
            if (lastRedeemed is null || Later(Nullable.Compare(token.RedeemedAt, lastRedeemed.RedeemedAt), token, lastRedeemed)) lastRedeemed = token;
            if (!token.IsLiveAt(AsOf)) continue;
            liveCount++;
            if (source is null || Later((token.ExpiresAt ?? DateTimeOffset.MaxValue).CompareTo(source.ExpiresAt ?? DateTimeOffset.MaxValue), token, source))
                source = token;
            if (token.ExpiresAt is null) liveNeverExpires = true;
            else if (staleAfter is null || token.ExpiresAt > staleAfter) staleAfter = token.ExpiresAt;
        }
        var verdict = liveCount > 0 ? SigningConditionVerdict.Redundant : SigningConditionVerdict.Stale;
        if (liveNeverExpires) staleAfter = null;
        return new Judgement(source ?? lastRedeemed!, verdict, staleAfter, matches);

        // Ordered by a date (its comparison given), then by id.
        static bool Later(int byDate, BunkerTokenRow token, BunkerTokenRow than) => byDate > 0 || byDate == 0 && token.Id > than.Id;
    }

    /// <summary>The verdict in words: which token keeps the copy redundant, or the ends of those that no longer do.</summary>
    private StringBuilder AppendJudgement(StringBuilder text, Judgement judgement)
    {
        var redundant = judgement.Verdict == SigningConditionVerdict.Redundant;
        if (redundant)
        {
            judgement.Source.AppendStateAt(text.Append("Redundant: "), AsOf);
            if (judgement.StaleAfter is not null) text.Append(", so it becomes stale then");
        }
        else
        {
            text.Append("Stale: no live token justifies it (");
            // One match a token, and each token's words start with its id: no two are alike.
            for (var i = 0; i < judgement.Matches.Count; i++) judgement.Matches[i].Token.AppendStateAt(i == 0 ? text : text.Append("; "), AsOf);
            text.Append(')');
        }
        return text.Append("; ").Append(database.Schema.Variant == BunkerSchemaVariant.Upstream
            ? redundant
                ? "upstream schema: no live token join, so this row is what grants the permission and removing it takes a live grant away"
                : "upstream schema: no live token join, so this row still grants after the token's end"
            : redundant
                ? "the live token join grants the same, so removing it changes nothing until then"
                : "the override layer matches it first, so it keeps granting past the token's end");
    }

    private BunkerSigningCondition NotCopyShaped(ConditionRow row, KeyUserGroup group)
    {
        if (row.Kind == "all")
            return Manual(row, group, SigningConditionReason.WebApproval, static (text, _, group, _) =>
                group.AppendLabels(text.Append("kind 'all' is in no policy of the KeyUser's tokens (")).Append("): web approval (or create_account) wrote it"));
        if (group.Tokens.All(t => !t.Token.PolicyExists))
            return Manual(row, group, SigningConditionReason.TokenPolicyMissing, static (text, _, group, _) =>
                group.AppendLabels(text.Append("the KeyUser's tokens have no policy to match it against (")).Append("); it may be a copy of a policy that was deleted"));
        return Manual(row, group, SigningConditionReason.NotInPolicy, static (text, row, group, _) =>
            group.AppendLabels(row.AppendMethodAndKind(text).Append(" is in none of the policies of the KeyUser's tokens ("))
                .Append("): an admin reply or add_signing_condition wrote it"));
    }

    /// <summary>Writes why a row is what it is into its evidence sentence; static, so a row costs no closure for it.</summary>
    private delegate StringBuilder Explanation(StringBuilder text, ConditionRow row, KeyUserGroup group, CopyMatch? match);

    private BunkerSigningCondition Manual(ConditionRow row, KeyUserGroup group, SigningConditionReason reason, Explanation explain,
        CopyMatch? match = null) => Result(row, group, SigningConditionClass.ManualOverride, reason, explain, match);

    /// <summary>A manual override or orphan; like a copy's, its evidence is put into words when it is first read.</summary>
    private BunkerSigningCondition Result(ConditionRow row, KeyUserGroup group, SigningConditionClass classification,
        SigningConditionReason reason, Explanation explain, CopyMatch? match = null) => new()
    {
        Path = database.Path, Id = row.Id, KeyUserId = row.KeyUserId, KeyName = row.KeyName, ClientPubkey = row.ClientPubkey,
        Method = row.Method, Kind = row.Kind, Allowed = row.Allowed, CreatedAt = row.CreatedAt, CreatedAtEncoding = row.CreatedAtEncoding,
        ExpiresAt = row.ExpiresAt, RevokedAt = row.RevokedAt, Classification = classification, Reason = reason,
        TokenId = match?.Source.Id, TokenState = match?.Source.StateAt(AsOf), PolicyId = match?.Source.PolicyId, PolicyName = match?.Source.PolicyName,
        KeyUserRevoked = row.KeyUserRevoked(AsOf), SchemaVariant = database.Schema.Variant,
        ExplainedWhenRead = () => EndSentence(row, explain(SentenceBuilder(), row, group, match)),
    };

    [ThreadStatic] private static StringBuilder? _sentence;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// The builder an evidence sentence is written into, one a thread and cleared for each: a sentence then costs one string,
    /// where joining interpolated parts cost about as much again (a million rows have a sentence each).
    /// </summary>
    private static StringBuilder SentenceBuilder() => (_sentence ??= new StringBuilder(512)).Clear();

    /// <summary>Ends a sentence: with the KeyUser's revocation when it has one, which denies the client whatever the row says.</summary>
    private string EndSentence(ConditionRow row, StringBuilder text)
    {
        if (row.KeyUserRevoked(AsOf))
            BunkerTokenRow.AppendDate(text.Append(Invariant, $"; KeyUser {row.KeyUserId} was revoked "), row.KeyUserRevokedAt)
                .Append(", so the ACL denies this client anyway");
        return text.Append('.').ToString();
    }

    private ConditionRow ReadCondition(SqliteRow reader, KeyUserColumns keyUser)
    {
        var id = reader.GetInt64(0);
        var keyUserId = BunkerTokenRow.NullableInt64(reader, 4);
        DateTimeOffset? Date(int ordinal, string column) => database.ParseDate(reader.GetValue(ordinal), "SigningCondition", id, column);
        var allowed = reader.GetValue(3);
        var createdAt = reader.GetValue(5);
        keyUser.MoveTo(keyUserId, joinable: reader.GetBoolean(8));
        return new ConditionRow(id, BunkerTokenRow.NullableString(reader, 1), BunkerTokenRow.NullableString(reader, 2),
            allowed switch { 1L => true, 0L => false, _ => null }, allowed is DBNull ? "NULL" : Convert.ToString(allowed) ?? "",
            keyUserId, database.ParseDate(createdAt, "SigningCondition", id, "createdAt"), BunkerDate.EncodingOf(createdAt),
            Date(6, "expiresAt"), Date(7, "revokedAt"), keyUser.Exists, keyUser.KeyName, keyUser.ClientPubkey, keyUser.RevokedAt);
    }

    /// <summary>
    /// The KeyUser of the row read last, merged from KeyUser in id order. Rows come ordered by keyUserId, so each KeyUser's
    /// rows follow one another (about five a KeyUser) and its columns are read, and its strings made, once for all of them.
    /// </summary>
    private sealed class KeyUserColumns(BunkerDatabase database, CancellationToken cancellationToken) : IDisposable
    {
        private readonly KeyedCursor<(long Id, string? KeyName, string? ClientPubkey, DateTimeOffset? RevokedAt)> _keyUsers = new(
            database.Query("SELECT id, keyName, userPubkey, revokedAt FROM KeyUser ORDER BY id", reader =>
            {
                var id = reader.GetInt64(0);
                return (id, BunkerTokenRow.NullableString(reader, 1), BunkerTokenRow.NullableString(reader, 2),
                    database.ParseDate(reader.GetValue(3), "KeyUser", id, "revokedAt"));
            }, cancellationToken), keyUser => keyUser.Id);

        private (long? Id, bool Joinable)? _key;

        public bool Exists { get; private set; }
        public string? KeyName { get; private set; }
        public string? ClientPubkey { get; private set; }
        public DateTimeOffset? RevokedAt { get; private set; }

        /// <summary>Moves to the KeyUser of <paramref name="keyUserId"/>; the integer ids must come in ascending order.</summary>
        public void MoveTo(long? keyUserId, bool joinable)
        {
            if (_key == (keyUserId, joinable)) return;
            var found = joinable && keyUserId is { } id ? _keyUsers.Take(id) : [];
            (_key, Exists) = ((keyUserId, joinable), found.Count > 0);
            (KeyName, ClientPubkey, RevokedAt) = Exists ? (found[0].KeyName, found[0].ClientPubkey, found[0].RevokedAt) : (null, null, null);
        }

        public void Dispose() => _keyUsers.Dispose();
    }

    private sealed record ConditionRow(long Id, string? Method, string? Kind, bool? Allowed, string AllowedText, long? KeyUserId,
        DateTimeOffset? CreatedAt, BunkerDateEncoding? CreatedAtEncoding, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt,
        bool KeyUserExists, string? KeyName, string? ClientPubkey, DateTimeOffset? KeyUserRevokedAt)
    {
        /// <summary>"('sign_event', '1')".</summary>
        public StringBuilder AppendMethodAndKind(StringBuilder text) => AppendQuoted(text, Method, Kind);

        public bool KeyUserRevoked(DateTimeOffset asOf) => BunkerDate.HasEnded(KeyUserRevokedAt, asOf);

        public static StringBuilder AppendQuoted(StringBuilder text, string? method, string? kind) =>
            Quoted(Quoted(text.Append('('), method).Append(", "), kind).Append(')');

        private static StringBuilder Quoted(StringBuilder text, string? value) => value is null ? text.Append("NULL") : text.Append('\'').Append(value).Append('\'');
    }

    /// <summary>The verdict on the copies a set of tokens justifies, the token shown as their source, and its wording.</summary>
    private sealed record Judgement(BunkerTokenRow Source, SigningConditionVerdict Verdict, DateTimeOffset? StaleAfter,
        IReadOnlyList<(BunkerTokenRow Token, RuleRow? Rule)> Matches);

    private sealed record CopyMatch(Judgement Judgement, RuleRow? Rule, string? Method, string? Kind)
    {
        public BunkerTokenRow Source => Judgement.Source;

        /// <summary>Where the copy came from, in words (see <see cref="CopyEvidence"/>).</summary>
        public StringBuilder AppendOrigin(StringBuilder text)
        {
            if (Rule is null)
                return BunkerTokenRow.AppendDate(Source.AppendLabel(text.Append("(connect, NULL, allowed 1) is what redemption writes for every token; "))
                    .Append(" was redeemed "), Source.RedeemedAt);
            ConditionRow.AppendQuoted(text.Append(Invariant, $"it matches rule {Rule.Id} "), Method, Kind).Append(" of ");
            Source.AppendPolicyLabel(text).Append(Invariant, $" of token {Source.Id} ('{Source.ClientName}'), redeemed ");
            return BunkerTokenRow.AppendDate(text, Source.RedeemedAt);
        }

        /// <summary>The evidence sentences (<see cref="CopyEvidence"/>): [0] createdAt not TEXT, [1] TEXT.</summary>
        public string?[] Evidence { get; } = new string?[2];
    }

    /// <summary>One KeyUser's bound tokens and what has been worked out from them for the shapes of its rows so far.</summary>
    private sealed class KeyUserGroup(IReadOnlyList<BoundToken> tokens)
    {
        private readonly Dictionary<(string? Method, string? Kind), CopyMatch?> _matches = new();
        private readonly Dictionary<long, Judgement> _judgements = new();
        public IReadOnlyList<BoundToken> Tokens { get; } = tokens;

        /// <summary>"token 3 ('LNbits alice', policy 2 'default'), ...".</summary>
        public StringBuilder AppendLabels(StringBuilder text)
        {
            for (var i = 0; i < Tokens.Count; i++) Tokens[i].Token.AppendLabel(i == 0 ? text : text.Append(", "));
            return text;
        }

        public CopyMatch? Match(ConditionRow row, SigningConditionClassifier classifier)
        {
            var key = (row.Method, row.Kind);
            if (!_matches.TryGetValue(key, out var match)) _matches[key] = match = classifier.MatchCopy(row.Method, row.Kind, this);
            return match;
        }

        /// <summary>
        /// The judgement on <paramref name="matches"/>, a subset of <see cref="Tokens"/> in their order: the same for every shape
        /// those tokens justify (with one token, for all of the KeyUser's copies), so worked out once per subset.
        /// </summary>
        public Judgement Judge(IReadOnlyList<(BunkerTokenRow Token, RuleRow? Rule)> matches, SigningConditionClassifier classifier)
        {
            if (Tokens.Count > 64) return classifier.Judge(matches);
            long subset = 0;
            for (int i = 0, m = 0; i < Tokens.Count && m < matches.Count; i++)
                if (ReferenceEquals(Tokens[i].Token, matches[m].Token)) (subset, m) = (subset | 1L << i, m + 1);
            if (!_judgements.TryGetValue(subset, out var judgement)) _judgements[subset] = judgement = classifier.Judge(matches);
            return judgement;
        }
    }

    private sealed record RuleRow(long Id, string Method, string? Kind);

    private sealed record BoundToken(BunkerTokenRow Token, List<RuleRow> Rules);

    /// <summary>
    /// The redeemed tokens bound to each KeyUser, with their policies' rules, read in keyUserId order alongside the
    /// SigningCondition rows (a merge join: each KeyUser's tokens are read once, when its rows come).
    /// </summary>
    private sealed class BoundTokenCursor : IDisposable
    {
        private readonly KeyedCursor<(BunkerTokenRow Token, RuleRow? Rule)> _rows;
        private long? _key;
        private IReadOnlyList<BoundToken> _tokens = [];

        public BoundTokenCursor(BunkerDatabase database, CancellationToken cancellationToken)
        {
            var sql = $"SELECT {BunkerTokenRow.Columns(database.Schema)}, r.id, r.method, r.kind " +
                      "FROM Token AS t LEFT JOIN Policy AS p ON p.id = t.policyId LEFT JOIN PolicyRule AS r ON r.policyId = p.id " +
                      "WHERE t.keyUserId IS NOT NULL AND t.redeemedAt IS NOT NULL ORDER BY t.keyUserId, t.id, r.id";
            const int rule = BunkerTokenRow.ColumnCount;
            // A token comes once per rule of its policy: it is read from its first row and reused for the others.
            BunkerTokenRow? last = null;
            _rows = new KeyedCursor<(BunkerTokenRow Token, RuleRow? Rule)>(database.Query(sql, reader => (
                last = last?.Id == reader.GetInt64(0) ? last : BunkerTokenRow.Read(database, reader, 0),
                reader.IsDBNull(rule) ? null : new RuleRow(reader.GetInt64(rule), reader.GetString(rule + 1), BunkerTokenRow.NullableString(reader, rule + 2))),
                cancellationToken), row => row.Token.KeyUserId);
        }

        /// <summary>The tokens of <paramref name="keyUserId"/>; keys must come in ascending order.</summary>
        public IReadOnlyList<BoundToken> For(long keyUserId)
        {
            if (_key == keyUserId) return _tokens;
            // The rows come ordered by token: one BoundToken per run of the same token, with the rules of its rows.
            var tokens = new List<BoundToken>();
            foreach (var (token, rule) in _rows.Take(keyUserId))
            {
                if (tokens.Count == 0 || tokens[^1].Token.Id != token.Id) tokens.Add(new BoundToken(token, []));
                if (rule is not null) tokens[^1].Rules.Add(rule);
            }
            (_key, _tokens) = (keyUserId, tokens);
            return tokens;
        }

        public void Dispose() => _rows.Dispose();
    }
}
