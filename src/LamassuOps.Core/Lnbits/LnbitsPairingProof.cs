using LamassuOps.Core.Bunker;

namespace LamassuOps.Core.Lnbits;

/// <summary>
/// The proof that a maintenance change kept LNbits' pairings (-LnbitsDatabase): every account whose pairing was
/// Healthy before the change must still be Healthy after it, judged as Test-BunkerPairing judges, against the bunker
/// database through the connection the pipeline gives (the write transaction's own). LNbits' accounts are read once,
/// when the proof is made, before the confirmation: a wrong -LnbitsDatabase fails before anything is written.
/// </summary>
public sealed class LnbitsPairingProof : IMaintenanceProof
{
    public const string PairingBroken = "LnbitsPairingBroken";

    private readonly LnbitsSnapshot _lnbits;
    private readonly DateTimeOffset _asOf;
    private HashSet<string> _healthy = [];
    private string _path = "";

    private LnbitsPairingProof(LnbitsSnapshot lnbits, DateTimeOffset asOf) => (_lnbits, _asOf) = (lnbits, asOf);

    /// <summary>The proofs an operation takes for its -LnbitsDatabase: this one when it was given, none otherwise.</summary>
    public static IReadOnlyList<IMaintenanceProof> For(string? lnbitsDatabase, DateTimeOffset asOf, IOperationHost host) =>
        lnbitsDatabase is null ? [] : [new LnbitsPairingProof(LnbitsSnapshot.Read(lnbitsDatabase, host), asOf)];

    public void Capture(BunkerDatabase database, IOperationHost host)
    {
        _path = database.Path;
        _healthy = Verdicts(database, host).Where(v => v.Verdict == PairingVerdict.Healthy).Select(v => v.AccountId!).ToHashSet(StringComparer.Ordinal);
        host.WriteVerbose($"{_healthy.Count} LNbits pairing(s) of '{_lnbits.Name}' are Healthy in '{_path}' before the change.");
    }

    public string Verify(BunkerDatabase database, IOperationHost host)
    {
        var broken = Verdicts(database, host)
            .Where(v => v.AccountId is { } id && _healthy.Contains(id) && v.Verdict != PairingVerdict.Healthy).ToList();
        if (broken.Count > 0)
            throw new LamassuOpsException(PairingBroken, FailureKind.InvalidResult,
                $"The change to '{_path}' would have broken {broken.Count} of the {_healthy.Count} LNbits pairing(s) of '{_lnbits.Name}' that were Healthy: " +
                string.Join("; ", broken.Select(Describe)) + ". It was rolled back and nothing changed.", _path,
                $"Find what touched KeyUser, Token or Policy: a trigger (`sqlite3 '{_path}' .schema`) or another writer; " +
                $"Test-BunkerPairing -BunkerDatabase '{_path}' -LnbitsDatabase '{_lnbits.Name}' shows the pairings now. " +
                "For a restore, pick a backup that holds these pairings (Get-BunkerPairing -Path <backup> lists them).");
        return $"{_healthy.Count} Healthy LNbits pairing(s) of '{_lnbits.Name}' still Healthy";
    }

    private static string Describe(BunkerPairingVerdict verdict) =>
        $"account {verdict.AccountId}{(verdict.Username is { } user ? $" ({user})" : "")} would be {verdict.Verdict}: {verdict.Evidence}";

    private IEnumerable<BunkerPairingVerdict> Verdicts(BunkerDatabase database, IOperationHost host) =>
        BunkerPairingTest.Test(database, _lnbits, _asOf, host);
}
