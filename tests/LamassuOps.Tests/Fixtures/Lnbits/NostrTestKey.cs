using System.Security.Cryptography;
using System.Text;
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
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

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
        var expanded = hrp.Select(c => (byte)(c >> 5)).Append((byte)0).Concat(hrp.Select(c => (byte)(c & 31))).Concat(values)
            .Concat(new byte[6]);
        var polymod = Polymod(expanded) ^ 1;
        var checksum = Enumerable.Range(0, 6).Select(i => (byte)((polymod >> (5 * (5 - i))) & 31));
        return hrp + "1" + new string(values.Concat(checksum).Select(v => Charset[v]).ToArray());
    }

    private static uint Polymod(IEnumerable<byte> values)
    {
        uint[] generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        uint checksum = 1;
        foreach (var value in values)
        {
            var top = checksum >> 25;
            checksum = ((checksum & 0x1ffffff) << 5) ^ value;
            for (var i = 0; i < 5; i++)
                if (((top >> i) & 1) != 0) checksum ^= generator[i];
        }
        return checksum;
    }
}
