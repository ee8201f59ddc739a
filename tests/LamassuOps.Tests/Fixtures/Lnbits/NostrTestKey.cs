using System.Security.Cryptography;
using System.Text;
using LamassuOps.Core.Lnbits;
using NBitcoin.Secp256k1;

namespace LamassuOps.Tests.Fixtures.Lnbits;

/// <summary>A nostr key pair made in the test: a random (or seeded) secret, its nsec and its x-only pubkey.</summary>
public sealed class NostrTestKey
{
    private NostrTestKey(byte[] secret)
    {
        Secret = secret;
        using var key = ECPrivKey.Create(secret);
        Pubkey = Convert.ToHexStringLower(key.CreateXOnlyPubKey().ToBytes());
    }

    public byte[] Secret { get; }

    /// <summary>The x-only public key, lower-case hex (what KeyUser.userPubkey holds).</summary>
    public string Pubkey { get; }

    public string Nsec => Bech32Encoder.Encode("nsec", Secret);

    public string Npub => Bech32Encoder.Encode("npub", Convert.FromHexString(Pubkey));

    public static NostrTestKey Generate() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>The same key for the same seed (for the shipped samples).</summary>
    public static NostrTestKey FromSeed(string seed) => new(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("lamassuops sample key:" + seed)));
}

/// <summary>BIP-173 bech32 encoding, for making nsecs and npubs in the tests (LamassuOps itself only decodes).</summary>
public static class Bech32Encoder
{
    public static string Encode(string hrp, byte[] data)
    {
        var values = new List<byte>();
        int accumulator = 0, bits = 0;
        foreach (var b in data)
        {
            accumulator = (accumulator << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                values.Add((byte)((accumulator >> bits) & 31));
            }
        }
        if (bits > 0) values.Add((byte)((accumulator << (5 - bits)) & 31));
        var polymod = Bech32.Polymod(Bech32.Expand(hrp).Concat(values).Concat(new byte[6])) ^ 1;
        var checksum = Enumerable.Range(0, 6).Select(i => (byte)((polymod >> (5 * (5 - i))) & 31));
        return hrp + "1" + new string(values.Concat(checksum).Select(v => Bech32.Charset[v]).ToArray());
    }
}
