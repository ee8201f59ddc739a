namespace LamassuOps.Core.Lnbits;

/// <summary>What Get-LnbitsSignerAccount reads.</summary>
public sealed class LnbitsSignerAccountOptions
{
    /// <summary>LNbits' SQLite file, or a PostgreSQL URL (LNBITS_DATABASE_URL) or libpq key=value connection string.</summary>
    public required string Database { get; init; }
}

/// <summary>An LNbits account whose signer is the remote bunker, as its signer_config reads.</summary>
public sealed class LnbitsSignerAccount
{
    /// <summary>The LNbits database: the file's full path, or the URL with its password masked.</summary>
    public required string LnbitsDatabase { get; init; }

    public required string AccountId { get; init; }

    public string? Username { get; init; }

    /// <summary>The account's own nostr pubkey (accounts.pubkey), where LNbits keeps one.</summary>
    public string? AccountPubkey { get; init; }

    /// <summary>The bunker token from signer_config, unwrapped and masked.</summary>
    public string? Token { get; init; }

    public long? PolicyId { get; init; }

    /// <summary>The x-only public key of signer_config's client_nsec, lower-case hex: the bunker's KeyUser.userPubkey.</summary>
    public string? ClientPubkey { get; init; }

    /// <summary>False when signer_config cannot be read in full; <see cref="Problem"/> says why.</summary>
    public bool Readable { get; init; }

    public string? Problem { get; init; }
}

/// <summary>
/// Get-LnbitsSignerAccount: the accounts of an LNbits database that sign through the remote bunker (those with a
/// signer_config), each with its token masked and its client pubkey derived. An account whose signer_config cannot
/// be read is listed with the problem, never fatal. client_nsec is never returned.
/// </summary>
public static class LnbitsSignerAccounts
{
    public static IEnumerable<LnbitsSignerAccount> Get(LnbitsSignerAccountOptions options, IOperationHost host)
    {
        using var database = LnbitsDatabase.Open(options.Database, host);
        foreach (var (row, config) in Read(database, host.CancellationToken))
            yield return new LnbitsSignerAccount
            {
                LnbitsDatabase = database.Name, AccountId = row.Id, Username = row.Username, AccountPubkey = row.Pubkey,
                Token = Secret.Mask(config.Token), PolicyId = config.PolicyId, ClientPubkey = config.ClientPubkey,
                Readable = config.Problem is null, Problem = config.Problem,
            };
    }

    /// <summary>Each signer account with its signer_config read (the token in full: for joining, never for output).</summary>
    internal static IEnumerable<(LnbitsAccountRow Row, SignerConfig Config)> Read(LnbitsDatabase database, CancellationToken cancellationToken) =>
        database.Accounts(cancellationToken).Select(row => (row, SignerConfig.Parse(row.SignerConfig)));
}

/// <summary>
/// An LNbits database's signer accounts, read once and kept (the tokens in full: for joining, never for output), so
/// several bunker states can be judged against the same accounts.
/// </summary>
internal sealed record LnbitsSnapshot(string Name, IReadOnlyList<(LnbitsAccountRow Row, SignerConfig Config)> Accounts)
{
    public static LnbitsSnapshot Read(string database, IOperationHost host)
    {
        using var lnbits = LnbitsDatabase.Open(database, host);
        return new LnbitsSnapshot(lnbits.Name, LnbitsSignerAccounts.Read(lnbits, host.CancellationToken).ToList());
    }
}
