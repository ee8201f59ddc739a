namespace LamassuOps.Core.Bunker;

/// <summary>What a SigningCondition row is (the table has no origin column; see <see cref="SigningConditionClassifier"/>).</summary>
public enum SigningConditionClass
{
    /// <summary>A photocopy of a token's policy that redemption wrote (the runbook's "photocopies").</summary>
    PolicyCopy,

    /// <summary>Anything else: a grant or denial someone chose. Kept unless the operator asks otherwise.</summary>
    ManualOverride,

    /// <summary>The row's KeyUser is gone; the ACL never reads it.</summary>
    Orphan,
}

/// <summary>Why a row got its classification.</summary>
public enum SigningConditionReason
{
    /// <summary>(connect, NULL, 1), which redemption writes for every token, on a KeyUser with a redeemed token.</summary>
    ConnectCopy,

    /// <summary>(method, kind, 1) equal to a rule of the policy of a redeemed token bound to the KeyUser.</summary>
    RuleCopy,

    /// <summary>method '*' with allowed = 0: rejects everything from this client.</summary>
    RejectAll,

    /// <summary>allowed = 0.</summary>
    Denial,

    /// <summary>allowed is NULL (or not 0/1): the ACL treats it as undecided.</summary>
    NoDecision,

    /// <summary>Has its own expiresAt or revokedAt (fork), which redemption never wrote: add_signing_condition.</summary>
    OwnLifecycle,

    /// <summary>The KeyUser has no redeemed token: web approval, an admin reply or create_account.</summary>
    NoToken,

    /// <summary>kind 'all' matching no policy rule: web approval (or create_account).</summary>
    WebApproval,

    /// <summary>(method, kind) is in none of the bound tokens' policies: an admin reply or add_signing_condition.</summary>
    NotInPolicy,

    /// <summary>The bound tokens have no policy any more, so the row cannot be matched to a rule.</summary>
    TokenPolicyMissing,

    /// <summary>Copy-shaped, but written by the live-grant daemon (INTEGER createdAt), which no longer copies policies.</summary>
    WrittenAfterLiveGrants,

    /// <summary>keyUserId is NULL (KeyUser deleted with foreign keys on) or points at a KeyUser that does not exist.</summary>
    KeyUserMissing,
}

/// <summary>For a policy copy: does a live token still justify it?</summary>
public enum SigningConditionVerdict
{
    /// <summary>No live bound token justifies it any more; on the fork it keeps granting past the token's end.</summary>
    Stale,

    /// <summary>A live bound token still justifies it (it becomes stale when that token ends).</summary>
    Redundant,
}

/// <summary>One SigningCondition row of an nsecbunkerd database, classified, with the evidence used.</summary>
public sealed class BunkerSigningCondition
{
    /// <summary>The database the row is in.</summary>
    public required string Path { get; init; }

    public required long Id { get; init; }

    public long? KeyUserId { get; init; }

    public string? KeyName { get; init; }

    /// <summary>The client's public key (KeyUser.userPubkey).</summary>
    public string? ClientPubkey { get; init; }

    public string? Method { get; init; }

    public string? Kind { get; init; }

    /// <summary>1 = true, 0 = false, NULL (or anything else) = null.</summary>
    public bool? Allowed { get; init; }

    /// <summary>Live-grant fork only.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>How createdAt is stored: TEXT came from the column DEFAULT (the row predates the lifecycle migration).</summary>
    public BunkerDateEncoding? CreatedAtEncoding { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public required SigningConditionClass Classification { get; init; }

    public required SigningConditionReason Reason { get; init; }

    /// <summary>Only for policy copies.</summary>
    public SigningConditionVerdict? Verdict { get; init; }

    /// <summary>For a redundant copy, when the last live token that justifies it ends (null: it never expires).</summary>
    public DateTimeOffset? StaleAfter { get; init; }

    /// <summary>
    /// For a copy, the token it came from (a live one when there is one); for WrittenAfterLiveGrants, the token whose policy
    /// it matches; otherwise null.
    /// </summary>
    public long? TokenId { get; init; }

    public BunkerTokenState? TokenState { get; init; }

    public long? PolicyId { get; init; }

    public string? PolicyName { get; init; }

    public bool KeyUserRevoked { get; init; }

    public required BunkerSchemaVariant SchemaVariant { get; init; }

    private string? _evidence;
    private Func<string>? _explain;

    /// <summary>The facts the classification rests on, in plain words.</summary>
    public string Evidence => _evidence ??= _explain!();

    /// <summary>
    /// The evidence, put into words when it is first read: a strip removes most rows without anyone reading theirs, and
    /// each is a sentence of its own (about 2 KiB of strings a row). Any thread may read it: each makes the same sentence.
    /// </summary>
    internal Func<string> ExplainedWhenRead { init => _explain = value; }
}
