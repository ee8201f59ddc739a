namespace LamassuOps.Core.Bunker;

/// <summary>Where a pairing (a KeyUser and its token) stands at a moment.</summary>
public enum BunkerPairingState
{
    /// <summary>The KeyUser is not revoked and a bound redeemed token is live.</summary>
    Live,

    /// <summary>Its token(s) expired; none is live.</summary>
    Expired,

    /// <summary>The KeyUser was revoked, or its token was (fork).</summary>
    Revoked,

    /// <summary>Its token was deleted.</summary>
    Deleted,

    /// <summary>A KeyUser with no redeemed token (web approval, admin reply, create_account): only its signing conditions grant.</summary>
    Unbound,

    /// <summary>A redeemed token whose KeyUser is gone: the client (an LNbits account) can no longer sign.</summary>
    Dangling,

    /// <summary>A token not redeemed yet that still can be.</summary>
    Unredeemed,

    /// <summary>A token never redeemed that no longer can be (expired, revoked, deleted or without a policy).</summary>
    Unredeemable,
}

/// <summary>One pairing: a KeyUser with its token(s), or a dangling or unredeemed token on its own.</summary>
public sealed class BunkerPairing
{
    /// <summary>The database (the bunker instance) the pairing is in.</summary>
    public required string Path { get; init; }

    public required BunkerPairingState State { get; init; }

    /// <summary>Why the state is what it is, in plain words.</summary>
    public required string StateReason { get; init; }

    public long? KeyUserId { get; init; }

    /// <summary>The bunker key (KeyUser.keyName, or Token.keyName for a token without a KeyUser).</summary>
    public required string KeyName { get; init; }

    /// <summary>The client's public key (KeyUser.userPubkey; for LNbits the account's stable client pubkey).</summary>
    public string? ClientPubkey { get; init; }

    public string? Description { get; init; }

    public DateTimeOffset? KeyUserCreatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public bool KeyUserRevoked { get; init; }

    public DateTimeOffset? KeyUserRevokedAt { get; init; }

    /// <summary>The pairing's token: a live one when there is one (the one that lives longest), else the last redeemed.</summary>
    public long? TokenId { get; init; }

    /// <summary>The token, masked unless -IncludeSecret.</summary>
    public string? Token { get; init; }

    public string? ClientName { get; init; }

    public DateTimeOffset? RedeemedAt { get; init; }

    public DateTimeOffset? TokenExpiresAt { get; init; }

    public DateTimeOffset? TokenRevokedAt { get; init; }

    public DateTimeOffset? TokenDeletedAt { get; init; }

    public long? PolicyId { get; init; }

    public string? PolicyName { get; init; }

    /// <summary>The rules of the token's policy.</summary>
    public int RuleCount { get; init; }

    /// <summary>The KeyUser's SigningCondition rows (copies and overrides alike).</summary>
    public int SigningConditionCount { get; init; }

    /// <summary>How many redeemed tokens are bound to the KeyUser.</summary>
    public int TokenCount { get; init; }

    /// <summary>Every redeemed token bound to the KeyUser (for a token row: that token).</summary>
    public required IReadOnlyList<BunkerPairingToken> Tokens { get; init; }
}

/// <summary>One token of a pairing.</summary>
public sealed class BunkerPairingToken
{
    public required long TokenId { get; init; }

    /// <summary>Masked unless -IncludeSecret.</summary>
    public required string Token { get; init; }

    public string? ClientName { get; init; }

    public required BunkerTokenState State { get; init; }

    public DateTimeOffset? RedeemedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public DateTimeOffset? DeletedAt { get; init; }

    public long? PolicyId { get; init; }

    public string? PolicyName { get; init; }

    public int RuleCount { get; init; }
}
