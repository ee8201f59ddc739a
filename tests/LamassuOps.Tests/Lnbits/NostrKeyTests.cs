using LamassuOps.Core.Lnbits;
using LamassuOps.Tests.Fixtures.Lnbits;

namespace LamassuOps.Tests.Lnbits;

/// <summary>bech32 decoding (BIP-173, NIP-19 vectors) and the client pubkey derivation (BIP-340 vectors).</summary>
public sealed class NostrKeyTests
{
    [Theory]
    // BIP-340 test vectors 0-3: secret key -> x-only public key.
    [InlineData("0000000000000000000000000000000000000000000000000000000000000003", "F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9")]
    [InlineData("B7E151628AED2A6ABF7158809CF4F3C762E7160F38B4DA56A784D9045190CFEF", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659")]
    [InlineData("C90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B14E5C9", "DD308AFEC5777E13121FA72B9CC1B7CC0139715309B086C960E18FD969774EB8")]
    [InlineData("0B432B2677937381AEF05BB02A66ECD012773062CF3FA2549E44F58ED2401710", "25D1DFF95105F5253C4022F628A996AD3A0D95FBF21D468A1B33F8C160D8F517")]
    public void TheClientPubkeyIsTheBip340PublicKeyOfTheSecret(string secret, string pubkey)
    {
        var nsec = Bech32Encoder.Encode("nsec", Convert.FromHexString(secret));

        Assert.Equal(pubkey.ToLowerInvariant(), NostrKey.TryPubkeyFromNsec(nsec, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    // NIP-19's vectors.
    [InlineData("nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5", "nsec", "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa")]
    [InlineData("npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg", "npub", "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e")]
    [InlineData("NPUB10ELFCS4FR0L0R8AF98JLMGDH9C8TCXJVZ9QKW038JS35MP4DMA8QZVJPTG", "npub", "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e")]
    public void Nip19ValuesDecodeToTheirBytes(string text, string hrp, string hex)
    {
        var decoded = Bech32.TryDecode(text, out var problem);

        Assert.Null(problem);
        Assert.Equal((hrp, hex), (decoded!.Value.Hrp, Convert.ToHexStringLower(decoded.Value.Data)));
    }

    [Fact]
    public void AGeneratedKeyPairRoundTrips()
    {
        var key = NostrTestKey.Generate();

        Assert.Equal(key.Pubkey, NostrKey.TryPubkeyFromNsec(key.Nsec, out _));
        Assert.True(NostrKey.IsNpub(key.Npub));
    }

    [Theory]
    [InlineData("nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe4", "checksum does not verify")]
    [InlineData("nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqSnlfe5", "mixes upper and lower case")]
    [InlineData("npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg", "'npub' value, not an nsec")]
    [InlineData("nsec1 vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5", "characters bech32 does not allow")]
    [InlineData("vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5", "no human-readable part")]
    public void ABadNsecIsRefusedWithTheReasonAndWithoutTheValue(string nsec, string reason)
    {
        Assert.Null(NostrKey.TryPubkeyFromNsec(nsec, out var problem));
        Assert.Contains(reason, problem);
        Assert.DoesNotContain(nsec, problem!, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("0102030405", "holds 5 bytes")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", "not a valid secp256k1 secret key")]
    [InlineData("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", "not a valid secp256k1 secret key")]
    public void AWellFormedNsecThatIsNoSecretKeyIsRefused(string bytes, string reason)
    {
        Assert.Null(NostrKey.TryPubkeyFromNsec(Bech32Encoder.Encode("nsec", Convert.FromHexString(bytes)), out var problem));
        Assert.Contains(reason, problem);
    }
}
