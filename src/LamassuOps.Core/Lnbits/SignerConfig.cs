using System.Text.Json;
using System.Text.RegularExpressions;

namespace LamassuOps.Core.Lnbits;

/// <summary>
/// An LNbits account's <c>signer_config</c> for the RemoteBunkerSigner, read: the bunker token (unwrapped), the client
/// pubkey derived from client_nsec, the policy id. <see cref="Problem"/> says why it could not be read; the nsec is
/// never kept.
/// </summary>
internal sealed partial record SignerConfig(string? Token, string? ClientPubkey, long? PolicyId, string? Problem)
{
    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex TokenValue();

    public static SignerConfig Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return Unreadable("signer_config is not valid JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Unreadable($"signer_config is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object {{token, client_nsec, policy_id}}");
            var problems = new List<string>();
            var token = String(root, "token", problems) is { } wrapped ? Unwrap(wrapped, problems) : null;
            var pubkey = String(root, "client_nsec", problems) is { } nsec ? ReadClientPubkey(nsec, problems) : null;
            var policy = ReadPolicyId(root, problems);
            return new SignerConfig(token, pubkey, policy, problems.Count == 0 ? null : string.Join("; ", problems));
        }
    }

    private static SignerConfig Unreadable(string problem) => new(null, null, null, problem);

    private static string? String(JsonElement root, string name, List<string> problems)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            problems.Add($"signer_config has no {name}");
        else if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
            problems.Add($"signer_config's {name} is not a non-empty string");
        else
            return text;
        return null;
    }

    private static string? ReadClientPubkey(string nsec, List<string> problems)
    {
        var pubkey = NostrKey.TryPubkeyFromNsec(nsec.Trim(), out var problem);
        if (pubkey is null) problems.Add($"client_nsec cannot be read: {problem}");
        return pubkey;
    }

    private static long? ReadPolicyId(JsonElement root, List<string> problems)
    {
        if (!root.TryGetProperty("policy_id", out var value) || value.ValueKind == JsonValueKind.Null)
            problems.Add("signer_config has no policy_id");
        else if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)) return number;
        else if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), System.Globalization.NumberStyles.None, null, out var parsed)) return parsed;
        else problems.Add("signer_config's policy_id is not a whole number");
        return null;
    }

    /// <summary>
    /// The token as the bunker stores it (64 hex characters), from the forms a client may have kept: bare, as
    /// upstream's get_key_tokens lists it (<c>npub1…#token</c>), or inside a <c>bunker://…?secret=token</c> URL.
    /// </summary>
    private static string? Unwrap(string value, List<string> problems)
    {
        var token = value.Trim();
        if (token.StartsWith("bunker://", StringComparison.OrdinalIgnoreCase)) token = Secret(token);
        else if (token.IndexOf('#') is var hash and > 0 && NostrKey.IsNpub(token[..hash])) token = token[(hash + 1)..];
        if (token is not null && TokenValue().IsMatch(token)) return token;
        problems.Add("the token is in no form the bunker issues (64 hex characters, bare, as npub1…#token or in bunker://…?secret=token)");
        return null;
    }

    private static string? Secret(string url)
    {
        var query = url.IndexOf('?');
        if (query < 0) return null;
        foreach (var pair in url[(query + 1)..].Split('&'))
            if (pair.StartsWith("secret=", StringComparison.Ordinal)) return Uri.UnescapeDataString(pair["secret=".Length..]);
        return null;
    }
}
