using NBitcoin.Secp256k1;

namespace LamassuOps.Core.Lnbits;

/// <summary>Nostr keys (NIP-01, NIP-19): the x-only secp256k1 public key of a secret key, from its nsec.</summary>
public static class NostrKey
{
    /// <summary>
    /// The lower-case hex x-only public key (BIP-340) of an <c>nsec1…</c>, or null with the reason in
    /// <paramref name="problem"/>. The reason never contains the nsec.
    /// </summary>
    public static string? TryPubkeyFromNsec(string nsec, out string? problem)
    {
        if (Bech32.TryDecode(nsec, out problem) is not { } decoded) return null;
        if (decoded.Hrp != "nsec")
        {
            problem = $"it is a bech32 '{decoded.Hrp}' value, not an nsec";
            return null;
        }
        return TryPubkeyFromSecret(decoded.Data, out problem);
    }

    /// <summary>The lower-case hex x-only public key of a 32-byte secret key, or null when it is not a valid one.</summary>
    public static string? TryPubkeyFromSecret(ReadOnlySpan<byte> secret, out string? problem)
    {
        problem = null;
        if (secret.Length != 32)
        {
            problem = $"it holds {secret.Length} bytes, not the 32 of a secret key";
            return null;
        }
        if (!ECPrivKey.TryCreate(secret, out var key) || key is null)
        {
            problem = "its 32 bytes are not a valid secp256k1 secret key (zero, or not below the curve order)";
            return null;
        }
        using (key)
            return Convert.ToHexString(key.CreateXOnlyPubKey().ToBytes()).ToLowerInvariant();
    }

    /// <summary>Whether <paramref name="value"/> is a bech32 npub of 32 bytes (the key a token was listed under).</summary>
    public static bool IsNpub(string value) =>
        Bech32.TryDecode(value, out _) is { Hrp: "npub", Data.Length: 32 };
}
