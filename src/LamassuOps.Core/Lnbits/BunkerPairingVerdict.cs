namespace LamassuOps.Core.Lnbits;

/// <summary>What Test-BunkerPairing finds for one pairing of an LNbits account and the bunker.</summary>
public enum PairingVerdict
{
    /// <summary>LNbits' token is bound to a live KeyUser with LNbits' client key, under the policy LNbits expects.</summary>
    Healthy,

    /// <summary>LNbits' token is unknown to the bunker, never redeemed, or its KeyUser is gone: the account cannot sign.</summary>
    Dangling,

    /// <summary>The token's KeyUser has another pubkey than the client key LNbits signs with.</summary>
    IdentityMismatch,

    /// <summary>The token carries another policy than the one LNbits recorded.</summary>
    PolicyMismatch,

    /// <summary>The token expired.</summary>
    Expired,

    /// <summary>The KeyUser or the token was revoked (or the token deleted).</summary>
    Revoked,

    /// <summary>The account's signer_config cannot be read.</summary>
    Malformed,

    /// <summary>A bunker pairing (a KeyUser with a redeemed token) that no LNbits account uses.</summary>
    OrphanedKeyUser,
}

/// <summary>What Test-BunkerPairing checks.</summary>
public sealed class BunkerPairingTestOptions
{
    /// <summary>The nsecbunker.db (opened read-only).</summary>
    public required string BunkerDatabase { get; init; }

    /// <summary>LNbits' SQLite file, or a PostgreSQL URL.</summary>
    public required string LnbitsDatabase { get; init; }

    /// <summary>The moment states are computed at; now when null.</summary>
    public DateTimeOffset? AsOf { get; init; }
}

/// <summary>One pairing judged from both sides, with the evidence and the repair that fits.</summary>
public sealed class BunkerPairingVerdict : INeedsAttention
{
    /// <summary>The bunker database (so the output binds to the Bunker cmdlets).</summary>
    public required string Path { get; init; }

    public required string LnbitsDatabase { get; init; }

    public required PairingVerdict Verdict { get; init; }

    /// <summary>The LNbits account (null for an orphaned KeyUser).</summary>
    public string? AccountId { get; init; }

    public string? Username { get; init; }

    public string? KeyName { get; init; }

    public long? KeyUserId { get; init; }

    public long? TokenId { get; init; }

    /// <summary>The token, masked.</summary>
    public string? Token { get; init; }

    /// <summary>The client pubkey LNbits signs with (derived from its client_nsec).</summary>
    public string? LnbitsClientPubkey { get; init; }

    /// <summary>The KeyUser's userPubkey.</summary>
    public string? BunkerClientPubkey { get; init; }

    public long? LnbitsPolicyId { get; init; }

    public long? BunkerPolicyId { get; init; }

    /// <summary>What was found, in plain words; further findings after the first are added.</summary>
    public required string Evidence { get; init; }

    /// <summary>The repair that fits, in plain words (none for a healthy pairing).</summary>
    public string? Repair { get; init; }

    /// <summary>Whether that repair gives the user a new nostr identity (a new bunker key, as LNbits' provision() does).</summary>
    public bool RepairChangesIdentity { get; init; }

    public bool NeedsAttention => Verdict != PairingVerdict.Healthy;
}

/// <summary>Test-BunkerPairing -Summary: the verdicts of one instance counted.</summary>
public sealed class BunkerPairingSummary : INeedsAttention
{
    public required string Path { get; init; }

    public required string LnbitsDatabase { get; init; }

    /// <summary>The LNbits signer accounts checked.</summary>
    public int Accounts { get; init; }

    public int Healthy { get; init; }

    public int Dangling { get; init; }

    public int IdentityMismatch { get; init; }

    public int PolicyMismatch { get; init; }

    public int Expired { get; init; }

    public int Revoked { get; init; }

    public int Malformed { get; init; }

    public int OrphanedKeyUser { get; init; }

    public bool NeedsAttention => Healthy != Accounts || OrphanedKeyUser > 0;
}
