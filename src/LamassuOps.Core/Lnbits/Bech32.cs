namespace LamassuOps.Core.Lnbits;

/// <summary>
/// Bech32 decoding as BIP-173 specifies it (what NIP-19's npub/nsec use): one case throughout, the last '1' separates
/// the human-readable part, a six-character checksum that must verify, and 5-bit groups regrouped into bytes with no
/// more than four zero bits of padding. Failures name what is wrong, never the input (an nsec is a secret).
/// </summary>
public static class Bech32
{
    internal const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private const int MaxLength = 90;
    private const int ChecksumLength = 6;

    /// <summary>The human-readable part and the data bytes, or null with the reason in <paramref name="problem"/>.</summary>
    public static (string Hrp, byte[] Data)? TryDecode(string text, out string? problem)
    {
        problem = Check(text);
        if (problem is not null) return null;
        var lower = text.ToLowerInvariant();
        var separator = lower.LastIndexOf('1');
        var hrp = lower[..separator];
        var values = new byte[lower.Length - separator - 1];
        for (var i = 0; i < values.Length; i++)
        {
            var value = Charset.IndexOf(lower[separator + 1 + i]);
            if (value < 0)
            {
                problem = "it has a character that is not in the bech32 alphabet";
                return null;
            }
            values[i] = (byte)value;
        }
        if (Polymod(Expand(hrp).Concat(values)) != 1)
        {
            problem = "its bech32 checksum does not verify (a mistyped or truncated value)";
            return null;
        }
        var data = ToBytes(values.AsSpan(0, values.Length - ChecksumLength));
        if (data is null) problem = "its bech32 data has invalid padding";
        return data is null ? null : (hrp, data);
    }

    private static string? Check(string text)
    {
        if (text.Length > MaxLength) return $"it is longer than bech32's {MaxLength} characters";
        if (text.Any(c => c < 33 || c > 126)) return "it has characters bech32 does not allow (spaces, control or non-ASCII characters)";
        if (text.Any(char.IsUpper) && text.Any(char.IsLower)) return "it mixes upper and lower case, which bech32 forbids";
        var separator = text.LastIndexOf('1');
        if (separator < 1) return "it has no human-readable part before the bech32 separator '1'";
        if (text.Length - separator - 1 < ChecksumLength) return "it is too short to hold a bech32 checksum";
        return null;
    }

    /// <summary>The human-readable part as the checksum covers it.</summary>
    internal static IEnumerable<byte> Expand(string hrp) =>
        hrp.Select(c => (byte)(c >> 5)).Append((byte)0).Concat(hrp.Select(c => (byte)(c & 31)));

    /// <summary>BIP-173's checksum polynomial over 5-bit values (1 over a valid string with its checksum).</summary>
    internal static uint Polymod(IEnumerable<byte> values)
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

    /// <summary>5-bit groups to bytes; null when the left-over bits are more than four or not all zero.</summary>
    private static byte[]? ToBytes(ReadOnlySpan<byte> values)
    {
        var bytes = new List<byte>(values.Length * 5 / 8);
        int accumulator = 0, bits = 0;
        foreach (var value in values)
        {
            accumulator = (accumulator << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)((accumulator >> bits) & 0xff));
            }
        }
        return bits >= 5 || ((accumulator << (8 - bits)) & 0xff) != 0 ? null : bytes.ToArray();
    }
}
