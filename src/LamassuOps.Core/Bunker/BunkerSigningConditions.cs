namespace LamassuOps.Core.Bunker;

/// <summary>What Get-BunkerSigningCondition reads.</summary>
public sealed class BunkerSigningConditionOptions
{
    /// <summary>The nsecbunker.db to read (opened read-only).</summary>
    public required string Path { get; init; }

    /// <summary>The moment token liveness is judged at; now when null.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>Wildcards on KeyUser.keyName; none = all.</summary>
    public IReadOnlyList<string>? KeyName { get; init; }

    /// <summary>Wildcards on KeyUser.userPubkey; none = all.</summary>
    public IReadOnlyList<string>? ClientPubkey { get; init; }

    /// <summary>Only these classifications; none = all.</summary>
    public IReadOnlyList<SigningConditionClass>? Classification { get; init; }
}

/// <summary>Get-BunkerSigningCondition: every SigningCondition row, classified (<see cref="SigningConditionClassifier"/>).</summary>
public static class BunkerSigningConditions
{
    public static IEnumerable<BunkerSigningCondition> Get(BunkerSigningConditionOptions options, IOperationHost host)
    {
        var keyNames = Wildcard.From(options.KeyName);
        var clientPubkeys = Wildcard.From(options.ClientPubkey);
        var asOf = options.AsOf ?? DateTimeOffset.UtcNow;
        using var database = BunkerDatabase.OpenReadOnly(options.Path);
        host.WriteVerbose($"Classifying the SigningCondition rows of '{database.Path}' ({database.Schema.Describe()}) as of {BunkerTokenRow.Describe(asOf)}.");
        foreach (var row in new SigningConditionClassifier(database, asOf).Classify(host.CancellationToken))
        {
            if (!Wildcard.MatchesAny(keyNames, row.KeyName) || !Wildcard.MatchesAny(clientPubkeys, row.ClientPubkey)) continue;
            if (options.Classification is { Count: > 0 } classes && !classes.Contains(row.Classification)) continue;
            yield return row;
        }
    }
}
